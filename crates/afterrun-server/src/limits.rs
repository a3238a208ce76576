//! Bounds on what a flood of log-ins or sign-ups may cost.
//!
//! A password hash (argon2id, default cost) takes about 19 MiB and a core for a while, and an
//! unknown username costs one too (so that it takes as long as a wrong password). Three bounds
//! keep a flood from taking the server's memory and CPU or locking real people out:
//! - per client ([`crate::client::Client`]): at most [`MAX_CLIENT_FAILURES`] failed log-ins and
//!   [`MAX_CLIENT_SIGNUPS`] sign-ups within [`LOGIN_WINDOW_S`], counted in the
//!   database like the per-username limit (so every instance sees them), and at most
//!   [`MAX_CLIENT_HASHES`] of the client's hashes waiting or running at once;
//! - per server: at most `Config::max_hashes` hashes at once; a request that does not get its
//!   turn within `Config::hash_wait` is answered 429 with `Retry-After`, and costs no hash;
//! - the per-username limit of [`crate::auth`].
//!
//! An attempt is counted against its client before its outcome is known, so parallel requests
//! cannot all pass the check before any is recorded; a successful log-in is then forgotten.
//!
//! Uploads are bounded the same way (`UploadGate`): at most `Config::max_uploads` at once
//! per server and `Config::max_uploads_per_account` per athlete, else 429 with `Retry-After`
//! before a byte of the body is read; and at most `Config::max_decodes` decoded at once (the
//! others wait, their bodies on disk).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The window of the login rate limit, in seconds (15 minutes).
pub const LOGIN_WINDOW_S: i64 = 15 * 60;

use afterrun_store::{Id, Store};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::client::Client;
use crate::problem::Problem;

/// Failed log-ins allowed per client address within the window.
pub const MAX_CLIENT_FAILURES: i64 = 20;
/// Sign-ups allowed per client address within the window.
pub const MAX_CLIENT_SIGNUPS: i64 = 10;
/// Hashes of one client waiting or running at once.
pub const MAX_CLIENT_HASHES: usize = 2;
/// What a refused hash asks the client to wait, in seconds.
const BUSY_RETRY_S: i64 = 2;

/// What the per-client counts count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A log-in (forgotten when it succeeds).
    Login,
    /// A sign-up.
    Signup,
}

impl Attempt {
    fn max(self) -> i64 {
        match self {
            Attempt::Login => MAX_CLIENT_FAILURES,
            Attempt::Signup => MAX_CLIENT_SIGNUPS,
        }
    }

    /// The key of the client's count: `@` keeps it apart from every username.
    fn key(self, ip: IpAddr) -> String {
        match self {
            Attempt::Login => format!("@login {ip}"),
            Attempt::Signup => format!("@signup {ip}"),
        }
    }
}

/// Counts one attempt of `client`; 429 (with `Retry-After`) when the client has used up its
/// attempts within the window. The id forgets it ([`Store::forget_login_failure`]); `None`
/// when the client is unknown (nothing counted).
pub(crate) async fn count_attempt(
    store: &Store,
    client: Client,
    attempt: Attempt,
    now: i64,
) -> Result<Option<Id>, Problem> {
    let Some(ip) = client.ip() else { return Ok(None) };
    let key = attempt.key(ip);
    let since = now - LOGIN_WINDOW_S;
    let internal = |e: afterrun_store::StoreError| Problem::internal(&e);
    let (before, oldest) = store.login_failures_since(&key, since).await.map_err(internal)?;
    if before >= attempt.max() {
        return Err(client_refused(client, attempt, oldest, now));
    }
    // Recorded first, counted after: of parallel attempts, at most `max` see themselves within it.
    let id = store.record_login_failure(&key, now).await.map_err(internal)?;
    let (after, oldest) = store.login_failures_since(&key, since).await.map_err(internal)?;
    if after > attempt.max() {
        return Err(client_refused(client, attempt, oldest, now));
    }
    Ok(Some(id))
}

fn client_refused(client: Client, attempt: Attempt, oldest: Option<i64>, now: i64) -> Problem {
    tracing::warn!(%client, ?attempt, "refused: too many attempts from this client");
    let retry = oldest.map_or(LOGIN_WINDOW_S, |t| t + LOGIN_WINDOW_S - now);
    let what = match attempt {
        Attempt::Login => "failed log-ins",
        Attempt::Signup => "sign-ups",
    };
    Problem::too_many_requests(
        "too-many-attempts",
        &format!(
            "{} {what} from this address within {} minutes",
            attempt.max(),
            LOGIN_WINDOW_S / 60
        ),
        retry,
        None,
    )
}

/// At most `max` places at once per key (a client, an athlete).
#[derive(Debug)]
struct Places<K: Eq + Hash + Copy> {
    taken: Arc<Mutex<HashMap<K, usize>>>,
    max: usize,
}

/// One key's place; dropping it frees it.
#[derive(Debug)]
struct Place<K: Eq + Hash + Copy> {
    key: K,
    taken: Arc<Mutex<HashMap<K, usize>>>,
}

impl<K: Eq + Hash + Copy> Places<K> {
    fn new(max: usize) -> Places<K> {
        Places { taken: Arc::default(), max: max.max(1) }
    }

    /// A place for `key`, or `None` when it holds `max` already.
    fn take(&self, key: K) -> Option<Place<K>> {
        let mut map = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(key).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Place { key, taken: Arc::clone(&self.taken) })
    }
}

impl<K: Eq + Hash + Copy> Drop for Place<K> {
    fn drop(&mut self) {
        let mut map = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// The bound on password hashes: per server and per client, at once.
#[derive(Debug)]
pub(crate) struct HashGate {
    permits: Arc<Semaphore>,
    per_client: Places<IpAddr>,
    wait: Duration,
}

/// The right to compute one hash; dropping it gives the turn to the next.
#[derive(Debug)]
pub(crate) struct HashTurn {
    _permit: OwnedSemaphorePermit,
    _client: Option<Place<IpAddr>>,
}

impl HashGate {
    /// At most `max` hashes at once (at least one); a request waits at most `wait` for its turn.
    pub(crate) fn new(max: usize, wait: Duration) -> HashGate {
        HashGate {
            permits: Arc::new(Semaphore::new(max.max(1))),
            per_client: Places::new(MAX_CLIENT_HASHES),
            wait,
        }
    }

    /// The turn to hash, or 429 with `Retry-After` when the client already has its share in the
    /// queue or the server has none free within the wait.
    pub(crate) async fn turn(&self, client: Client) -> Result<HashTurn, Problem> {
        let place = match client.ip() {
            Some(ip) => Some(self.per_client.take(ip).ok_or_else(|| busy(client))?),
            None => None,
        };
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| busy(client))?;
        Ok(HashTurn { _permit: permit, _client: place })
    }
}

/// The bound on uploads in progress (body read, decoded, stored): per server and per athlete.
#[derive(Debug)]
pub(crate) struct UploadGate {
    permits: Arc<Semaphore>,
    per_athlete: Places<Id>,
    decodes: Arc<Semaphore>,
}

/// The right to one upload; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct UploadTurn {
    _permit: OwnedSemaphorePermit,
    _athlete: Place<Id>,
}

/// What a refused upload asks the client to wait, in seconds.
const UPLOAD_RETRY_S: i64 = 2;

impl UploadGate {
    /// At most `max` uploads at once, `per_athlete` of them for one athlete, `decodes` of
    /// them decoded at once (each at least 1).
    pub(crate) fn new(max: usize, per_athlete: usize, decodes: usize) -> UploadGate {
        UploadGate {
            permits: Arc::new(Semaphore::new(max.max(1))),
            per_athlete: Places::new(per_athlete),
            decodes: Arc::new(Semaphore::new(decodes.max(1))),
        }
    }

    /// The turn to decode an upload (waited for; the upload's time limit bounds the wait).
    pub(crate) async fn decode_turn(&self) -> Result<OwnedSemaphorePermit, Problem> {
        Arc::clone(&self.decodes).acquire_owned().await.map_err(|e| Problem::internal(&e))
    }

    /// The turn to upload for `athlete`, or 429 with `Retry-After` at once.
    pub(crate) fn turn(&self, athlete: Id) -> Result<UploadTurn, Problem> {
        let busy = |whose: &str| {
            tracing::warn!(athlete, whose, "refused: too many uploads at once");
            Problem::too_many_requests(
                "too-many-uploads",
                &format!("{whose} uploads are being imported at once"),
                UPLOAD_RETRY_S,
                None,
            )
        };
        let place = self.per_athlete.take(athlete).ok_or_else(|| busy("this athlete's"))?;
        let permit = Arc::clone(&self.permits).try_acquire_owned().map_err(|_| busy("too many"))?;
        Ok(UploadTurn { _permit: permit, _athlete: place })
    }
}

fn busy(client: Client) -> Problem {
    tracing::warn!(%client, "refused: no free turn to hash a password");
    Problem::too_many_requests(
        "busy",
        "too many log-ins and sign-ups are being checked at once",
        BUSY_RETRY_S,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_client_gets_its_share_and_the_server_its_bound() {
        let gate = HashGate::new(3, Duration::from_millis(50));
        let a = Client::of(
            &crate::Config::default(),
            &Default::default(),
            Some(([10, 0, 0, 1], 1).into()),
        );
        let b = Client::of(
            &crate::Config::default(),
            &Default::default(),
            Some(([10, 0, 0, 2], 1).into()),
        );
        let first = gate.turn(a).await.unwrap();
        let _second = gate.turn(a).await.unwrap();
        assert_eq!(gate.turn(a).await.unwrap_err().status, 429, "a's share is used up");
        let _third = gate.turn(b).await.unwrap();
        assert_eq!(gate.turn(b).await.unwrap_err().status, 429, "the server's bound");
        drop(first);
        assert!(gate.turn(b).await.is_ok(), "a turn given back is taken");
    }

    #[test]
    fn uploads_are_bounded_per_athlete_and_per_server() {
        let gate = UploadGate::new(2, 1, 1);
        let first = gate.turn(1).unwrap();
        assert_eq!(gate.turn(1).unwrap_err().retry_after, Some(UPLOAD_RETRY_S), "athlete 1's");
        let _second = gate.turn(2).unwrap();
        assert_eq!(gate.turn(3).unwrap_err().status, 429, "the server's");
        drop(first);
        assert!(gate.turn(1).is_ok());
    }
}
