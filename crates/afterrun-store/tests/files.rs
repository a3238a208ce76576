//! A new SQLite store holds health data: its file is readable by its owner only, and so is any
//! folder made for it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed unwrap is a failed test
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;

use afterrun_store::{Location, Store};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_new_store_and_its_new_folders_are_private() {
    let base = std::env::temp_dir().join(format!("afterrun-files-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let file = base.join("new").join("deeper").join("afterrun.db");
    let store = Store::connect(&Location::Sqlite(file.clone())).await.unwrap();
    store.ensure_athlete("me", 0).await.unwrap();
    assert_eq!(mode(&file), 0o600, "the database file");
    assert_eq!(mode(&base.join("new")), 0o700, "a new folder");
    assert_eq!(mode(&base.join("new").join("deeper")), 0o700, "a new folder inside it");
    for suffix in ["-wal", "-shm"] {
        let side = base.join("new").join("deeper").join(format!("afterrun.db{suffix}"));
        if side.exists() {
            assert_eq!(mode(&side) & 0o077, 0, "{suffix} is not readable by others");
        }
    }
    store.close().await;
    // An existing file keeps the mode its owner gave it.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let again = Store::connect(&Location::Sqlite(file.clone())).await.unwrap();
    again.close().await;
    assert_eq!(mode(&file), 0o640);
    std::fs::remove_dir_all(&base).unwrap();
}
