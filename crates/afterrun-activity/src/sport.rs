//! Sport names as GPX `<type>` and TCX `Sport` write them, mapped to FIT's sport names. A leaf:
//! the GPX and TCX decoders use it, and it uses nothing of the crate.

/// The FIT sport name for a sport as GPX `<type>` or TCX `Sport` write it (`Running`, `Biking`,
/// `road_biking`, Strava's numbers `1` and `9`), case-insensitive; `None` when unknown.
///
/// TCX `Other` maps to FIT's `generic`: the file says only that it is not running or biking.
pub fn sport_from_name(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    Some(match lower.as_str() {
        "running" | "run" | "trail_running" | "treadmill_running" | "street_running"
        | "track_running" | "9" => "running",
        "cycling" | "biking" | "bike" | "ride" | "road_biking" | "mountain_biking"
        | "gravel_cycling" | "indoor_cycling" | "virtual_ride" | "cyclocross" | "1" => "cycling",
        "walking" | "walk" | "casual_walking" | "speed_walking" => "walking",
        "hiking" | "hike" => "hiking",
        "swimming" | "swim" | "lap_swimming" | "open_water_swimming" => "swimming",
        "training" | "strength_training" | "cardio_training" => "training",
        "multisport" | "multi_sport" => "multisport",
        "other" | "generic" => "generic",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sports() {
        assert_eq!(sport_from_name("Running"), Some("running"));
        assert_eq!(sport_from_name("Biking"), Some("cycling"));
        assert_eq!(sport_from_name("Other"), Some("generic"));
        assert_eq!(sport_from_name("16"), None);
    }
}
