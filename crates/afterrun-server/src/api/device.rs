//! `GET /api/device/{compression,vibration}/stream`: a device program's run as Server-Sent
//! Events, one `frame` per step of simulated time, then one `summary` (see [`crate::device_sim`]).

use std::convert::Infallible;
use std::time::Duration;

use afterrun_device::sim::{Device, Simulation};
use axum::extract::{Query, State};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::AppState;
use crate::auth::Principal;
use crate::device_sim::{
    FASTEST_FRAME_MS, RunQuery, choose, frame_interval_ms, frame_json, parse_speed, program_faults,
    simulation, summary_json,
};
use crate::problem::Problem;

/// The stream's state between two events.
#[derive(Debug)]
struct Runner {
    sim: Option<Simulation>,
    speed: Option<f64>,
    started: Instant,
    ended: bool,
    /// Turns `true` when the server shuts down ([`AppState::end_device_streams`]).
    shutdown: watch::Receiver<bool>,
}

async fn next_event(mut runner: Runner) -> Option<(Result<Event, Infallible>, Runner)> {
    if runner.ended || *runner.shutdown.borrow() {
        return None;
    }
    let mut sim = runner.sim.take()?;
    if sim.finished() {
        runner.ended = true;
        let event = Event::default().event("summary").data(summary_json(&sim.summary()));
        return Some((Ok(event), runner));
    }
    let every = runner.speed.map_or(FASTEST_FRAME_MS, frame_interval_ms);
    let until = (sim.t_ms() / every + 1) * every;
    let stepped = tokio::task::spawn_blocking(move || {
        sim.run_until(until);
        let data = frame_json(&sim.frame()).to_string();
        (sim, data)
    })
    .await;
    let (sim, data) = match stepped {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(cause = %e, "the simulation task failed");
            return None;
        }
    };
    if let Some(speed) = runner.speed {
        let due = Duration::from_secs_f64(sim.t_ms() as f64 / 1000.0 / speed);
        let mut shutdown = runner.shutdown.clone();
        let stop = tokio::time::timeout_at(runner.started + due, shutdown.wait_for(|end| *end));
        if stop.await.is_ok() {
            return None;
        }
    }
    runner.sim = Some(sim);
    Some((Ok(Event::default().event("frame").data(data)), runner))
}

/// The stream of one device's run.
async fn stream(state: AppState, principal: Principal, query: RunQuery, kind: Device) -> Response {
    let prepared = async {
        let chosen = choose(&state, &principal, &query, Some(kind)).await?;
        let speed = parse_speed(query.speed.as_deref())?;
        let faults = program_faults(&chosen.program, query.fault.as_deref())?;
        Ok::<_, Problem>((simulation(&chosen.program, &faults)?, speed))
    }
    .await;
    let (sim, speed) = match prepared {
        Ok(p) => p,
        Err(p) => return p.into_response(),
    };
    let runner = Runner {
        sim: Some(sim),
        speed,
        started: Instant::now(),
        ended: false,
        shutdown: state.device_streams(),
    };
    Sse::new(futures_util::stream::unfold(runner, next_event)).into_response()
}

/// `GET /api/device/compression/stream`: a compression run as Server-Sent Events.
pub(crate) async fn compression_stream(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    stream(state, principal, query, Device::Compression).await
}

/// `GET /api/device/vibration/stream`: a plate run as Server-Sent Events.
pub(crate) async fn vibration_stream(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<RunQuery>,
) -> Response {
    stream(state, principal, query, Device::Vibration).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterrun_device::sim::Program;

    use crate::device_sim::demo_program;

    #[tokio::test]
    async fn a_shutdown_ends_the_streams_at_once() {
        let state = AppState::new(crate::Config::default(), || jiff::Timestamp::UNIX_EPOCH);
        let runner = |speed| Runner {
            sim: Some(simulation(&Program::Compression(demo_program()), &[]).unwrap()),
            speed,
            started: Instant::now(),
            ended: false,
            shutdown: state.device_streams(),
        };
        // A real-time run gives its first frame, then the server shuts down: the next poll ends
        // the stream instead of simulating the other ten minutes.
        let (_, running) = next_event(runner(Some(1000.0))).await.unwrap();
        state.end_device_streams();
        assert!(next_event(running).await.is_none());
        // A stream opened while the server shuts down ends at once too.
        assert!(next_event(runner(None)).await.is_none());
    }
}
