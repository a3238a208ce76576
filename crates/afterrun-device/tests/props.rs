//! Property tests (placeholder until the generators land).
