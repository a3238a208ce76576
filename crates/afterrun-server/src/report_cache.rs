//! Per-process caches keyed by the store's revision: status reports, page owners' facts (their
//! athlete id and profile) and stored plans' page views.
//!
//! A status report reads the athlete's whole history and every athlete's outcomes (milliseconds);
//! the page is read far more often than the data changes. The store's revision
//! ([`afterrun_store::Store::revision`]) grows in the same transaction as any change to athlete
//! data, so a report computed at revision `r` is exactly what a fresh computation would give
//! while the revision is still `r` — one small read decides. The key also holds the minute the
//! forecast is made for (the soreness forecast moves with the clock), so a report is at most a
//! minute old. When a key is new (a write, or the minute turned) many requests may miss at once:
//! each key has one [`tokio::sync::OnceCell`], so one request computes and the others wait for
//! its result instead of all computing it. Nothing here is needed for correctness: several server instances each keep
//! their own cache and agree, because they all key on the shared database's revision (the
//! server stays stateless). The same holds for an owner's facts and a plan's view: the profile,
//! the plan and its done steps are athlete data, so any change to them bumps the revision.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use afterrun_service::status::StatusReport;
use afterrun_service::status::{moment, status_report};
use afterrun_store::{Id, Store};

use crate::AppState;
use crate::problem::Problem;

/// The most entries a cache keeps; past it the cache starts again empty (entries are cheap to
/// redo and an old revision is never asked again).
const CAPACITY: usize = 512;

/// What one key caches for a status report: the report, and its renderings made on first use.
#[derive(Debug)]
pub(crate) struct CachedReport {
    /// The report.
    pub report: StatusReport,
    /// The page body, rendered once.
    pub html: OnceLock<String>,
    /// The JSON document, serialised once.
    pub json: OnceLock<String>,
}

impl CachedReport {
    /// A report not rendered yet.
    pub fn new(report: StatusReport) -> CachedReport {
        CachedReport { report, html: OnceLock::new(), json: OnceLock::new() }
    }
}

/// The status reports: keyed by athlete, store revision, the forecast's moment (a whole minute).
pub(crate) type ReportCache = RevisionCache<(Id, i64, i64), CachedReport>;

/// One key's slot: filled once, by the first request that needs it.
type Slot<V> = Arc<tokio::sync::OnceCell<Arc<V>>>;

/// A cache of values computed from the store, each key holding the store's revision.
#[derive(Debug)]
pub(crate) struct RevisionCache<K, V> {
    entries: Mutex<HashMap<K, Slot<V>>>,
}

impl<K, V> Default for RevisionCache<K, V> {
    fn default() -> Self {
        RevisionCache { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, V> RevisionCache<K, V> {
    /// The value for `key`: the cached one, or the one `compute` makes (only one caller per key
    /// computes; the others wait for it). An error is returned, not cached.
    pub async fn get_or_compute<E, F>(&self, key: K, compute: F) -> Result<Arc<V>, E>
    where
        F: std::future::Future<Output = Result<V, E>>,
    {
        let slot: Slot<V> = match self.entries.lock() {
            Ok(mut entries) => {
                if entries.len() >= CAPACITY && !entries.contains_key(&key) {
                    entries.clear();
                }
                Arc::clone(entries.entry(key).or_default())
            }
            // A poisoned map: compute without caching.
            Err(_) => Arc::default(),
        };
        slot.get_or_try_init(|| async { compute.await.map(Arc::new) }).await.cloned()
    }
}

/// The report for the athlete at the state's clock (to the minute), from the cache when the
/// store has not changed since it was computed.
pub(crate) async fn report(
    state: &AppState,
    store: &Store,
    athlete: Id,
) -> Result<std::sync::Arc<CachedReport>, Problem> {
    let clock = state.now().as_second();
    let now = clock - clock.rem_euclid(60);
    let revision = store.revision().await.map_err(|e| Problem::internal(&e))?;
    let key = (athlete, revision, now);
    state
        .reports()
        .get_or_compute(key, async {
            let today = afterrun_service::history::utc_date(now)
                .ok_or_else(|| Problem::internal(&"the clock is out of range"))?;
            status_report(store, athlete, today, moment(today, today, now))
                .await
                .map(CachedReport::new)
                .map_err(|e| Problem::internal(&e))
        })
        .await
}
