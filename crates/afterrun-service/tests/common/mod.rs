//! What the service's integration tests share: a store in a fresh folder, and generated runs
//! imported into it as a runner's upload would be.

use std::path::PathBuf;

use afterrun_service::import::{prepare_upload, store_upload, thresholds};
use afterrun_service::synthetic::{SyntheticRun, run_gpx};
use afterrun_store::{Location, Store};
use serde_json::Value;

/// A SQLite store in a fresh folder for this test (`tag`) with the athlete `me`; the folder, for
/// the test to remove.
pub async fn store(tag: &str, now: i64) -> (Store, i64, PathBuf) {
    let dir = std::env::temp_dir().join(format!("afterrun-service-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::connect(&Location::Sqlite(dir.join("s.db"))).await.unwrap();
    let athlete = store.ensure_athlete("me", now).await.unwrap();
    (store, athlete, dir)
}

/// Uploads `run` as the GPX file `name` (its track drawn with `seed`); the file's import line.
pub async fn import(
    store: &Store,
    athlete: i64,
    name: &str,
    run: &SyntheticRun,
    seed: u64,
    now: i64,
) -> Value {
    let gpx = run_gpx(run, seed);
    let t = thresholds(store, athlete).await.unwrap();
    let prepared = prepare_upload(name, gpx.as_bytes(), &t, &Default::default());
    let (lines, _) = store_upload(store, athlete, prepared, now).await.unwrap();
    lines.into_iter().next().unwrap()
}
