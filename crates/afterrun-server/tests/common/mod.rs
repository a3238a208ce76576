//! The fixture the multi-user tests share: a server state over a new SQLite file in a
//! temporary folder of its own, removed when the test ends.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // test helpers panic on purpose

use std::path::PathBuf;
use std::sync::Arc;

use afterrun_server::AppState;
use afterrun_store::{Location, Store};

/// The tests' clock: the check-ins' `now`.
pub fn clock() -> jiff::Timestamp {
    "2026-11-23T08:30:00Z".parse().unwrap()
}

/// A check-in with some soreness.
pub const CHECKIN: &str = r#"{"now":"2026-11-23T08:30:00Z","soreness":{"quads":6}}"#;

/// A short run as GPX, for the uploads.
pub const GPX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>run</name><type>running</type><trkseg>
<trkpt lat="48.0" lon="11.0"><time>2026-11-22T08:00:00Z</time></trkpt>
<trkpt lat="48.001" lon="11.0"><time>2026-11-22T08:01:00Z</time></trkpt>
<trkpt lat="48.002" lon="11.0"><time>2026-11-22T08:02:00Z</time></trkpt>
</trkseg></trk></gpx>"#;

/// A state, its store and the folder that holds the store's file.
pub struct Server {
    pub state: AppState,
    pub store: Arc<Store>,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// A new store in `afterrun-{tag}-test-…`, and the state `make` builds over it.
pub async fn server_with(tag: &str, make: impl FnOnce(&Arc<Store>) -> AppState) -> Server {
    let dir = std::env::temp_dir().join(format!(
        "afterrun-{tag}-test-{}-{}",
        std::process::id(),
        afterrun_server::auth::new_token()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Arc::new(Store::connect(&Location::Sqlite(dir.join("club.db"))).await.unwrap());
    let state = make(&store);
    Server { state, store, dir }
}
