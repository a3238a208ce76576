//! `afterrun serve`: the web app and JSON API on this machine (personal mode) or for a club or
//! clinic (`--multi-user`: accounts, sessions and roles, behind a TLS-terminating proxy).
//!
//! The command checks the bind address before anything else: personal mode has no accounts, so
//! it may only listen on loopback; `--lan` adds this computer's address on the home network
//! (found by [`crate::lan::lan_ipv4`], or `--addr`) for the devices the owner pairs, the owner
//! keeping loopback at the same port; any other address needs `--multi-user` (exit 2
//! otherwise).
//! It opens the store (so `--db` is validated and migrated at start, not on the first request),
//! builds the server state with the real clock, and serves until Ctrl-C, telling the router each
//! connection's peer address (the per-client limits count by it, or by the `X-Forwarded-For` of
//! `--trusted-proxy`).
//! This is the only place with a multi-threaded tokio runtime; the server crate is a router.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use afterrun_server::{AppState, Config, Mode, Signup};
use afterrun_store::{Location, Store};
use anyhow::Context as _;

use crate::exit::bad_input;
use crate::watch::{Stopper, Watch};

/// Arguments of `afterrun serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to listen; personal mode needs a loopback address (127.0.0.1, [::1], localhost),
    /// --lan the address on the home network. Port 0 picks a free port (printed at start)
    /// [default: 127.0.0.1:8080; with --lan this computer's address on the home network, port
    /// 8080]
    #[arg(long, value_name = "ADDR")]
    addr: Option<String>,

    /// Personal mode for your own phone on the home network: listen on this computer's address
    /// there too, and open to the devices you pair with the printed one-time link or QR code
    #[arg(long, conflicts_with = "multi_user")]
    lan: bool,

    /// The store: a file path or sqlite:PATH for SQLite, or a postgres://… URL
    /// [default: $AFTERRUN_DB, else $XDG_DATA_HOME/afterrun/afterrun.db]
    #[arg(long, value_name = "URL")]
    db: Option<String>,

    /// Seed a demo athlete with weeks of synthetic runs and check-ins
    #[arg(long)]
    demo: bool,

    /// Serve a club or clinic: accounts, roles, any bind address
    #[arg(long)]
    multi_user: bool,

    /// The reverse proxy in front (its IP address): the client of a request it forwards is the
    /// last address of its X-Forwarded-For, for the per-client log-in and sign-up limits
    #[arg(long, value_name = "ADDR")]
    trusted_proxy: Option<IpAddr>,

    /// Who may create an account (--multi-user): anyone, whoever holds a one-time invitation
    /// (made by a coach, or by the operator with `afterrun invite`), or nobody
    #[arg(long, value_name = "RULE", default_value = "open")]
    signup: SignupRule,

    /// Uploads imported at once, at most, on the server; more answer 429 with Retry-After
    #[arg(long, value_name = "N", default_value_t = 4)]
    max_uploads: usize,

    /// Uploads imported at once, at most, for one athlete (the import page sends 2 at once)
    #[arg(long, value_name = "N", default_value_t = 2)]
    max_uploads_per_account: usize,

    /// Personal mode: import what this folder holds, then every activity file or archive
    /// written into it (or below) while the server runs, as `afterrun import --watch` does
    #[arg(long, value_name = "DIR")]
    watch: Vec<PathBuf>,

    /// With --watch: find new files by rescanning instead of by file events
    #[arg(long, requires = "watch")]
    poll: bool,
}

/// `--signup`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SignupRule {
    Open,
    Invite,
    Closed,
}

impl From<SignupRule> for Signup {
    fn from(rule: SignupRule) -> Signup {
        match rule {
            SignupRule::Open => Signup::Open,
            SignupRule::Invite => Signup::Invite,
            SignupRule::Closed => Signup::Closed,
        }
    }
}

/// Parses `--addr`: an IP socket address, or `localhost:PORT`.
fn parse_addr(text: &str) -> anyhow::Result<SocketAddr> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Some(port) = text.strip_prefix("localhost:")
        && let Ok(port) = port.parse::<u16>()
    {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    Err(bad_input(format!("--addr {text}: not an address such as 127.0.0.1:8080 or [::1]:8080")))
}

/// `--watch`: the watch and its imports on a thread of their own (the store calls run on the
/// server's runtime), until the returned stopper is used.
fn start_watch(
    store: Arc<Store>,
    dirs: Vec<PathBuf>,
    poll: bool,
) -> anyhow::Result<(Stopper, std::thread::JoinHandle<()>)> {
    let watch = Watch::start(&dirs, poll)?;
    let stopper = watch.stopper();
    let runtime = tokio::runtime::Handle::current();
    let thread = std::thread::Builder::new().name("watch".into()).spawn(move || {
        if let Err(e) = crate::commands::import::import_watched(&store, &runtime, watch, &dirs) {
            eprintln!("afterrun: --watch stopped: {e:#}");
        }
    })?;
    Ok((stopper, thread))
}

/// The real clock, read here at the edge.
fn clock() -> jiff::Timestamp {
    #[allow(clippy::disallowed_methods)]
    let now = jiff::Timestamp::now();
    now
}

/// The address to listen on: `--addr`, else the default of the mode; checked against the mode.
fn listen_addr(args: &Args) -> anyhow::Result<SocketAddr> {
    let addr = match (&args.addr, args.lan) {
        (Some(text), _) => parse_addr(text)?,
        (None, true) => SocketAddr::new(IpAddr::V4(crate::lan::lan_ipv4()?), 8080),
        (None, false) => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
    };
    if args.lan && addr.ip().is_unspecified() {
        return Err(bad_input(format!(
            "--addr {addr}: --lan listens on one address of this computer, the one your phone \
             reaches (such as 192.168.1.20:8080), not on all of them"
        )));
    }
    if !addr.ip().is_loopback() && !args.multi_user && !args.lan {
        return Err(bad_input(format!(
            "--addr {addr}: personal mode has no accounts and only listens on loopback \
             (127.0.0.1, [::1]); use --lan for your own phone on the home network, or \
             --multi-user to serve other machines"
        )));
    }
    Ok(addr)
}

/// Runs `afterrun serve`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let addr = listen_addr(&args)?;
    if !args.watch.is_empty() {
        if args.multi_user {
            return Err(bad_input("--watch: only in personal mode (whose runs would they be?)"));
        }
        crate::commands::import::check_folders(&args.watch)?;
    }
    // The demo never touches the person's own store: without --db it gets a fresh file.
    let demo_db = (args.demo && args.db.is_none())
        .then(|| std::env::temp_dir().join(format!("afterrun-demo-{}.db", std::process::id())));
    let location = match &demo_db {
        Some(path) => Location::Sqlite(path.clone()),
        None => crate::db::location(args.db.as_deref())?,
    };
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let demo_for_seed = demo_db.clone();
    let result = runtime.block_on(async move {
        let store = Store::connect(&location).await.map_err(|e| bad_input(format!("--db: {e}")))?;
        if args.demo {
            eprintln!(
                "afterrun: --demo: importing and planning {} days of a demo runner's training…",
                afterrun_server::demo::DEMO_DAYS
            );
            let bar = demo_bar();
            let progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let plans = afterrun_server::demo::seed_demo_with(&store, clock(), &progress)
                .await
                .map_err(|e| anyhow::anyhow!("seeding the demo athlete: {e}"))?;
            bar.finish_and_clear();
            match &demo_for_seed {
                Some(path) => eprintln!(
                    "afterrun: --demo: {plans} demo plans in {} (removed at exit)",
                    path.display()
                ),
                None => eprintln!("afterrun: --demo: {plans} demo plans added"),
            }
        }
        // Multi-user: accounts, sessions and roles (afterrun_server::auth); any Host, behind a
        // TLS-terminating reverse proxy that sends X-Forwarded-Proto.
        let mode = if args.multi_user { Mode::MultiUser } else { Mode::Personal };
        let config = Config {
            mode,
            trusted_proxy: args.trusted_proxy,
            signup: args.signup.into(),
            max_uploads: args.max_uploads,
            max_uploads_per_account: args.max_uploads_per_account,
            ..Config::default()
        };
        let store = Arc::new(store);
        let watching = if args.watch.is_empty() {
            None
        } else {
            Some(start_watch(Arc::clone(&store), args.watch.clone(), args.poll)?)
        };
        let listeners = crate::lan::bind(addr, args.lan).await?;
        let config = Config { lan: listeners.lan, ..config };
        let state = AppState::new(config, clock).with_store(store);
        announce(&state, &listeners).await?;
        serve_all(listeners.all, &state).await?;
        if let Some((stopper, thread)) = watching {
            // The file being stored is finished (one transaction), then the summary printed.
            stopper.stop();
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        Ok(ExitCode::SUCCESS)
    });
    // Only once the runtime (and with it the store's connections) is gone.
    drop(runtime);
    eprintln!("afterrun: stopped");
    if let Some(path) = &demo_db {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    result
}

/// Says where the server listens; with `--lan`, makes the first pairing link and prints it with
/// its QR code.
async fn announce(state: &AppState, listeners: &crate::lan::Listeners) -> anyhow::Result<()> {
    let owner = listeners.owner;
    let Some(lan) = listeners.lan else {
        eprintln!("afterrun: serving on http://{owner}/ (Ctrl-C to stop)");
        return Ok(());
    };
    eprintln!(
        "afterrun: serving on http://{owner}/ on this computer, and on http://{lan}/ for the \
         devices you pair (Ctrl-C to stop)"
    );
    let link = afterrun_server::lan::new_link(state).await.context("making the pairing link")?;
    eprintln!("{}", afterrun_server::lan::terminal_text(state, &link).await);
    Ok(())
}

/// Serves the app of `state` on every listener until SIGINT or SIGTERM, then stops them all
/// gracefully (its device streams first).
async fn serve_all(
    listeners: Vec<tokio::net::TcpListener>,
    state: &AppState,
) -> anyhow::Result<()> {
    let app = afterrun_server::router(state.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut servers = tokio::task::JoinSet::new();
    for listener in listeners {
        let mut stopped = stopped.clone();
        let app = app.clone().into_make_service_with_connect_info::<SocketAddr>();
        servers.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
        });
    }
    crate::signals::shutdown_signal().await;
    // Open simulator streams would otherwise hold the shutdown until their run ends.
    state.end_device_streams();
    let _ = stop.send(true);
    while let Some(served) = servers.join_next().await {
        served.context("the server stopped")?.context("the server stopped with an error")?;
    }
    Ok(())
}

/// Logs to stderr; `RUST_LOG` overrides the default (warnings, and the server's own info).
/// Colours only on a terminal: a log file or journal gets plain text.
fn init_logging() {
    use std::io::IsTerminal as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,afterrun_server=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// The `--demo` progress bar on a terminal (hidden otherwise: the line before it says what runs).
fn demo_bar() -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {pos}/{len} runs imported and planned [{elapsed}]",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse_addr("127.0.0.1:8080").unwrap().port(), 8080);
        assert!(parse_addr("[::1]:0").unwrap().ip().is_loopback());
        assert!(parse_addr("localhost:9").unwrap().ip().is_loopback());
        assert!(parse_addr("localhost").is_err());
        assert!(parse_addr("example.org:80").is_err());
    }

    #[test]
    fn the_lan_address_is_one_address_and_needs_lan() {
        #[derive(clap::Parser)]
        struct Serve {
            #[command(flatten)]
            args: Args,
        }
        let addr = |flags: &[&str]| {
            let serve = <Serve as clap::Parser>::try_parse_from(
                std::iter::once("serve").chain(flags.iter().copied()),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            listen_addr(&serve.args)
        };
        assert_eq!(addr(&[]).unwrap().to_string(), "127.0.0.1:8080");
        assert!(addr(&["--addr", "192.168.1.20:8080"]).is_err(), "personal mode: loopback");
        let lan = addr(&["--lan", "--addr", "192.168.1.20:8080"]).unwrap();
        assert_eq!(lan.to_string(), "192.168.1.20:8080");
        assert!(addr(&["--lan", "--addr", "0.0.0.0:8080"]).is_err(), "one address, not all");
        assert!(addr(&["--lan", "--multi-user"]).is_err(), "personal mode only");
    }
}
