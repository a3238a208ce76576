//! A per-process cache of status reports, keyed by the store's revision.
//!
//! A status report reads the athlete's whole history and every athlete's outcomes (milliseconds);
//! the page is read far more often than the data changes. The store's revision
//! ([`afterrun_store::Store::revision`]) grows in the same transaction as any change to athlete
//! data, so a report computed at revision `r` is exactly what a fresh computation would give
//! while the revision is still `r` — one small read decides. The key also holds the minute the
//! forecast is made for (the soreness forecast moves with the clock), so a report is at most a
//! minute old. Nothing here is needed for correctness: several server instances each keep
//! their own cache and agree, because they all key on the shared database's revision (the
//! server stays stateless).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use afterrun_service::status::StatusReport;
use afterrun_store::Id;

/// The most entries kept; past it the cache starts again empty (reports are cheap to redo and
/// an old revision is never asked again).
const CAPACITY: usize = 512;

/// What one key caches: the report, and its renderings made on first use.
#[derive(Debug)]
pub(crate) struct CachedReport {
    /// The report.
    pub report: StatusReport,
    /// The page body, rendered once.
    pub html: OnceLock<String>,
    /// The JSON document, serialised once.
    pub json: OnceLock<String>,
}

/// The cache key: athlete, store revision, the forecast's moment (a whole minute).
type Key = (Id, i64, i64);

/// The cache.
#[derive(Debug, Default)]
pub(crate) struct ReportCache {
    entries: Mutex<HashMap<Key, Arc<CachedReport>>>,
}

impl ReportCache {
    /// The entry for `key`, if cached.
    pub fn get(&self, key: Key) -> Option<Arc<CachedReport>> {
        self.entries.lock().ok()?.get(&key).cloned()
    }

    /// Keeps `report` under `key` and returns the shared entry (the first one if another
    /// request raced this one).
    pub fn insert(&self, key: Key, report: StatusReport) -> Arc<CachedReport> {
        let fresh = Arc::new(CachedReport { report, html: OnceLock::new(), json: OnceLock::new() });
        let Ok(mut entries) = self.entries.lock() else { return fresh };
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        Arc::clone(entries.entry(key).or_insert(fresh))
    }
}
