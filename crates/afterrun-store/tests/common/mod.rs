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

/// The two tests of a story `story(location)` in the calling file: `$sqlite` on a fresh SQLite
/// file, `$postgres` on the PostgreSQL server of the run (when there is one); `$name` names the
/// folder and the story in messages. (`story.rs` writes its two tests out: its SQLite one checks
/// the file afterwards.)
#[allow(unused_macros)]
macro_rules! story_on_both_backends {
    ($name:literal, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            let dir = common::fresh_dir($name);
            story(afterrun_store::Location::Sqlite(dir.join("afterrun.db"))).await;
            std::fs::remove_dir_all(&dir).unwrap();
        }

        #[tokio::test]
        async fn $postgres() {
            if let Some(location) = common::postgres($name) {
                story(location).await;
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use story_on_both_backends;
