//! What the store's story tests share: the PostgreSQL server of the run, and a fresh folder
//! for a SQLite file.

use afterrun_store::Location;

/// The PostgreSQL location of `AFTERRUN_TEST_POSTGRES_URL`, or `None` (with a line saying
/// which `story` was not run) when it is unset. Under `CI=true` it must be set
/// (`.ci/postgres.sh`).
pub fn postgres(story: &str) -> Option<Location> {
    match std::env::var("AFTERRUN_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let location = Location::parse(&url);
            assert!(matches!(location, Location::Postgres(_)), "not a postgres:// URL");
            Some(location)
        }
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "CI=true requires AFTERRUN_TEST_POSTGRES_URL (source .ci/postgres.sh)");
            eprintln!("AFTERRUN_TEST_POSTGRES_URL not set: PostgreSQL {story} story not run");
            None
        }
    }
}

/// An empty folder for the SQLite file of test `name`, unique to this process.
pub fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("afterrun-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
