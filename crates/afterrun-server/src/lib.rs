#![recursion_limit = "512"]
//! `afterrun serve`: the JSON API and the server-rendered web app, as one axum [`Router`].
//!
//! Most runners will never open a terminal, so the web app is afterrun for them. This crate is
//! the HTTP edge and nothing more: the plans come from `afterrun-protocol` (the same bytes the
//! CLI prints), the guide texts from its `guide` module. Everything here is reachable through
//! [`router`], so every endpoint is tested with `tower::ServiceExt::oneshot`, without sockets;
//! the binary only binds a listener and calls `axum::serve`.
//!
//! Rules this crate keeps:
//! - one error shape, `application/problem+json` ([`problem::Problem`]), naming the field at
//!   fault, for the framework's own refusals too ([`policy`]); internal details are logged with
//!   `tracing`, never sent; every answer carries `nosniff`, and `no-store` unless it is an asset;
//! - every JSON body is read by one strict reader ([`body::json_value`]): a key given twice is
//!   refused, not silently dropped;
//! - password hashes are bounded ([`limits`]): per client, per username, and in number at once;
//! - personal mode (the default) serves only loopback `Host` names (DNS rebinding) and accepts a
//!   state-changing request only from the same origin or with the visitor's own CSRF token
//!   ([`security`]); under `serve --lan` also the LAN address, to the owner's paired devices
//!   only ([`lan`]);
//! - the page assets (CSS, a little JS, the vendored htmx) are compiled into the binary: the app
//!   works offline and never loads anything from a CDN; the essentials work with JS off.
//!
//! The clock is read here, at the edge (a check-in made in the browser is "now"), through the
//! [`Clock`] in [`AppState`], so tests can fix it.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use jiff::Timestamp;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

mod accounts;
mod answers;
mod api;
mod assets;
pub mod auth;
pub mod body;
pub mod client;
pub mod demo;
pub mod device_sim;
pub mod lan;
pub mod limits;
mod nav;
pub mod openapi;
mod pages;
pub mod policy;
pub mod problem;
mod report_cache;
mod respond;
pub mod security;
mod spool;
mod tokens;
pub mod upload;
mod views;

/// Where the clock comes from: the real one in the binary, a fixed one in tests.
pub type Clock = fn() -> Timestamp;

/// How the server is exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One person on their own machine: bound to loopback, no accounts, `Host` checked against
    /// DNS rebinding, same-origin or CSRF token on every state change.
    Personal,
    /// A club or clinic behind a reverse proxy: any `Host`; accounts are required.
    MultiUser,
}

/// Who may create an account on a multi-user server (`serve --signup`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Signup {
    /// Anyone.
    #[default]
    Open,
    /// Whoever holds a one-time invitation from a coach (`POST /api/invites`) or the operator
    /// (`afterrun invite`).
    Invite,
    /// Nobody.
    Closed,
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct Config {
    /// Personal or multi-user.
    pub mode: Mode,
    /// The largest request body accepted, in bytes (uploads: [`upload::BODY_LIMIT`]).
    pub body_limit: usize,
    /// How long one request may take before the server answers 503.
    pub timeout: Duration,
    /// The reverse proxy whose `X-Forwarded-For` names the client (`serve --trusted-proxy`);
    /// without one, the client is the peer of the connection ([`client::Client`]).
    pub trusted_proxy: Option<IpAddr>,
    /// Password hashes computed at once, at most: each takes about 19 MiB and a core.
    pub max_hashes: usize,
    /// How long a log-in or sign-up waits for its turn to hash before it is answered 429.
    pub hash_wait: Duration,
    /// Who may sign up.
    pub signup: Signup,
    /// Uploads in progress at once, at most, on the server (`limits::UploadGate`).
    pub max_uploads: usize,
    /// Uploads in progress at once, at most, for one athlete.
    pub max_uploads_per_account: usize,
    /// Uploads decoded at once, at most (decoding takes a few times the file's size in
    /// memory); the others wait their turn, already on disk.
    pub max_decodes: usize,
    /// Where upload bodies are written while they arrive (private files, removed after the
    /// import); the system's temporary folder when `None`.
    pub upload_dir: Option<std::path::PathBuf>,
    /// `serve --lan` (personal mode): the address and port on the home network the server also
    /// answers on; any visitor but the owner at loopback needs a paired device's cookie
    /// ([`lan`]).
    pub lan: Option<std::net::SocketAddr>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            mode: Mode::Personal,
            body_limit: 1024 * 1024,
            timeout: Duration::from_secs(30),
            trusted_proxy: None,
            max_hashes: 4,
            hash_wait: Duration::from_secs(2),
            signup: Signup::Open,
            max_uploads: 4,
            max_uploads_per_account: 2,
            max_decodes: 1,
            upload_dir: None,
            lan: None,
        }
    }
}

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// Page owners' facts, keyed by the owner (`None`: the personal athlete) and store revision.
type OwnerCache = report_cache::RevisionCache<(Option<afterrun_store::Id>, i64), auth::OwnerFacts>;

/// Stored plans' page views, keyed by athlete, plan and store revision.
type PlanViewCache = report_cache::RevisionCache<
    (afterrun_store::Id, afterrun_store::Id, i64),
    Option<Arc<views::PlanView>>,
>;

struct Inner {
    config: Config,
    clock: Clock,
    store: Option<Arc<afterrun_store::Store>>,
    reports: report_cache::ReportCache,
    /// Page owners' facts per store revision (`auth::owner_facts`).
    owners: OwnerCache,
    /// Stored plans' page views per athlete, plan and store revision (`None`: no such plan).
    plan_views: PlanViewCache,
    hashes: limits::HashGate,
    uploads: limits::UploadGate,
    /// `--lan`: the pairing link the owner's pages show (the store keeps only its hash).
    pairing: std::sync::Mutex<Option<lan::PairingLink>>,
    /// Turns `true` when the server shuts down: every device simulator stream watches it.
    device_streams: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl AppState {
    /// A state with the given settings and clock.
    pub fn new(config: Config, clock: Clock) -> AppState {
        AppState { inner: Arc::new(Inner::new(config, clock, None)) }
    }

    /// The same state backed by a store: check-ins, plans and done steps are kept.
    pub fn with_store(self, store: Arc<afterrun_store::Store>) -> AppState {
        let (config, clock) = (self.inner.config.clone(), self.inner.clock);
        AppState { inner: Arc::new(Inner::new(config, clock, Some(store))) }
    }

    /// The store, when the server has one.
    pub fn store(&self) -> Option<&afterrun_store::Store> {
        self.inner.store.as_deref()
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The current time, from the state's clock.
    pub fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }

    /// Ends every device simulator stream of this state (and any opened later): a graceful
    /// shutdown waits for open responses, and a stream at real-time speed could otherwise hold
    /// it for an hour.
    pub fn end_device_streams(&self) {
        self.inner.device_streams.send_replace(true);
    }

    /// The flag the device streams watch ([`AppState::end_device_streams`]).
    pub(crate) fn device_streams(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.device_streams.subscribe()
    }

    /// The status reports computed so far (see [`report_cache`]).
    pub(crate) fn reports(&self) -> &report_cache::ReportCache {
        &self.inner.reports
    }

    /// The page owners' facts computed so far (see [`report_cache`]).
    pub(crate) fn owners(&self) -> &OwnerCache {
        &self.inner.owners
    }

    /// The stored plans' page views computed so far (see [`report_cache`]).
    pub(crate) fn plan_views(&self) -> &PlanViewCache {
        &self.inner.plan_views
    }

    /// The bound on password hashes.
    pub(crate) fn hashes(&self) -> &limits::HashGate {
        &self.inner.hashes
    }

    /// The bound on uploads.
    pub(crate) fn uploads(&self) -> &limits::UploadGate {
        &self.inner.uploads
    }

    /// The pairing link the owner's pages show (`--lan`), if one was made.
    pub(crate) fn pairing_link(&self) -> Option<lan::PairingLink> {
        self.inner.pairing.lock().map_or(None, |link| link.clone())
    }

    /// Keeps `link` as the one the owner's pages show.
    pub(crate) fn set_pairing_link(&self, link: lan::PairingLink) {
        if let Ok(mut current) = self.inner.pairing.lock() {
            *current = Some(link);
        }
    }
}

impl Inner {
    fn new(config: Config, clock: Clock, store: Option<Arc<afterrun_store::Store>>) -> Inner {
        let hashes = limits::HashGate::new(config.max_hashes, config.hash_wait);
        let uploads = limits::UploadGate::new(
            config.max_uploads,
            config.max_uploads_per_account,
            config.max_decodes,
        );
        let reports = report_cache::ReportCache::default();
        let pairing = std::sync::Mutex::new(None);
        let device_streams = tokio::sync::watch::channel(false).0;
        Inner {
            config,
            clock,
            store,
            reports,
            owners: Default::default(),
            plan_views: Default::default(),
            hashes,
            uploads,
            pairing,
            device_streams,
        }
    }
}

/// The whole application: JSON API, web pages, assets, with the security and limit layers.
///
/// This is the one place that knows every route: the handlers live in `api/` and `pages/`
/// (the assets' in `assets.rs`), and none of them names a route of another.
pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    let routes = Router::new()
        // The JSON API.
        .route("/healthz", get(api::healthz))
        .route("/api/plan", post(api::plan))
        .route("/api/guide", get(api::guide_list))
        .route("/api/guide/{topic}", get(api::guide_topic))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/accounts", post(api::athletes::create_account))
        .route(
            "/api/session",
            post(api::athletes::create_session).delete(api::athletes::delete_session),
        )
        .route("/api/me", get(api::athletes::me).delete(api::athletes::delete_me))
        .route("/api/me/password", put(api::athletes::change_password))
        .route("/api/athletes/{id}/export", get(api::athletes::export))
        .route("/api/athletes", get(api::athletes::athletes))
        .route(
            "/api/athletes/{id}/profile",
            get(api::athletes::profile).put(api::athletes::put_profile),
        )
        .route(
            "/api/athletes/{id}/checkins",
            get(api::athletes::checkins).post(api::athletes::post_checkin),
        )
        .route("/api/athletes/{id}/plans", get(api::athletes::plans))
        .route("/api/athletes/{id}/plans/{plan}", get(api::athletes::plan))
        .route("/api/athletes/{id}/plans/{plan}/steps/{step}/done", post(api::athletes::step_done))
        .route("/api/athletes/{id}/activities", get(api::athletes::activities))
        .route(
            "/api/athletes/{id}/coaches",
            get(api::athletes::coaches).post(api::athletes::link_coach),
        )
        .route("/api/athletes/{id}/coaches/{username}", delete(api::athletes::unlink_coach))
        .route("/api/athletes/{id}/status", get(api::status::status_json))
        .route("/api/referrals", get(api::athletes::referrals))
        .route("/api/coach/athletes/{id}/accept", post(api::athletes::accept_runner))
        .route("/api/coach/athletes/{id}", delete(api::athletes::end_runner))
        .route("/api/invites", post(api::athletes::create_invite))
        .route("/api/device/compression/stream", get(api::device::compression_stream))
        .route("/api/device/vibration/stream", get(api::device::vibration_stream))
        // The pages.
        .route("/", get(pages::checkin::checkin_page))
        .route(
            "/checkin",
            get(pages::checkin::checkin_redirect).post(pages::checkin::checkin_submit),
        )
        .route("/plan.ics", get(pages::plans::plan_ics))
        .route("/plans", get(pages::plans::plan_list))
        .route("/plans/{id}", get(pages::plans::stored_plan))
        .route("/plans/{id}/calendar.ics", get(pages::plans::stored_plan_ics))
        .route("/plans/{id}/steps/{step}/done", post(pages::plans::mark_done))
        .route("/plans/{id}/steps/{step}/undo", post(pages::plans::undo_done))
        .route("/profile", get(pages::profile::profile_page).post(pages::profile::profile_submit))
        .route("/profile/coaches", post(pages::account::add_coach))
        .route("/profile/coaches/{username}/remove", post(pages::account::remove_coach))
        .route("/profile/devices/link", post(pages::lan::make_link))
        .route("/profile/devices/{id}/revoke", post(pages::lan::revoke))
        .route("/pair/{token}", get(pages::lan::pair))
        .route("/guide", get(pages::guide::guide_list))
        .route("/guide/{topic}", get(pages::guide::guide_topic))
        .route("/status", get(pages::status::status_page))
        .route("/login", get(pages::account::login_page).post(pages::account::login_submit))
        .route("/signup", get(pages::account::signup_page).post(pages::account::signup_submit))
        .route("/logout", post(pages::account::logout))
        .route("/coach", get(pages::account::coach_page))
        .route("/coach/invites", post(pages::account::coach_invite))
        .route("/coach/athletes/{id}/accept", post(pages::account::coach_accept))
        .route("/coach/athletes/{id}/end", post(pages::account::coach_end))
        .route("/coach/athletes/{id}/status", get(pages::coach::runner_status))
        .route("/coach/athletes/{id}/plans/{plan}", get(pages::coach::runner_plan))
        .route("/device", get(pages::device::device_page))
        .route("/device/run", get(pages::device::device_run))
        // The assets.
        .route("/assets/{file}", get(assets::asset))
        .route("/manifest.webmanifest", get(assets::manifest))
        .route("/sw.js", get(assets::service_worker))
        // The small body and time limits hold for every route but the uploads (their own).
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, config.timeout))
        .merge(uploads())
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed);
    // The guard may read a form body: bound it by the longest limit of the routes.
    let outer_timeout = config.timeout.max(upload::TIMEOUT);
    routes
        .layer(axum::middleware::from_fn_with_state(state.clone(), nav::role_nav))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::gate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), lan::gate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, outer_timeout))
        .layer(axum::middleware::from_fn(policy::answers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The upload routes (the API's and the import page's), with their own body and time limits.
fn uploads() -> Router<AppState> {
    Router::new()
        .route("/api/athletes/{id}/activities", post(api::upload::upload_api))
        .route("/import", get(pages::import::import_page).post(pages::import::import_form))
        .layer(DefaultBodyLimit::max(upload::BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, upload::TIMEOUT))
}
