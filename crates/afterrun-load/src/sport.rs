//! Which sports are runs and which are on foot: a leaf that `stress` and `profile` both read.

/// Sports whose effort is running-like enough for threshold pace to mean something.
pub fn on_foot(sport: &str) -> bool {
    is_run(sport) || matches!(sport, "walking" | "hiking")
}

/// Whether a sport counts as a run in words and counts (`running`, `trail_running`, and
/// `unknown`: a file that names no sport is most often a run); walks, hikes, rides and the
/// rest are load, not runs.
pub fn is_run(sport: &str) -> bool {
    matches!(sport, "running" | "unknown" | "trail_running")
}
