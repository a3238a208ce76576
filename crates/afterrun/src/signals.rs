//! The stop signals of the long-running commands (`serve`, `import --watch`): SIGINT (Ctrl-C)
//! and, on Unix, SIGTERM (what service managers send).

/// SIGINT and SIGTERM, registered: from [`StopSignals::register`] on, they no longer end the
/// process but wake [`StopSignals::recv`].
#[derive(Debug)]
pub struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Registers the handlers (inside a tokio runtime with its IO driver enabled).
    pub fn register() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// Resolves at the next SIGINT or SIGTERM.
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Resolves at Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    match StopSignals::register() {
        Ok(mut signals) => signals.recv().await,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Starts a thread that waits for SIGINT or SIGTERM and then calls `on_stop`; returns once the
/// handlers are registered, so a signal sent after it returns is never missed.
pub fn on_stop_signal(on_stop: impl FnOnce() + Send + 'static) -> anyhow::Result<()> {
    let (registered_tx, registered_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
    std::thread::Builder::new().name("stop-signals".into()).spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let runtime = match runtime {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = registered_tx.send(Err(e));
                return;
            }
        };
        let signals = runtime.block_on(async { StopSignals::register() });
        let mut signals = match signals {
            Ok(signals) => signals,
            Err(e) => {
                let _ = registered_tx.send(Err(e));
                return;
            }
        };
        let _ = registered_tx.send(Ok(()));
        runtime.block_on(signals.recv());
        on_stop();
    })?;
    registered_rx.recv()?.map_err(|e| anyhow::anyhow!("cannot listen for SIGINT/SIGTERM: {e}"))
}
