//! Six parallel 200 MiB uploads keep the server's peak resident memory (`VmHWM`) under 1 GiB:
//! the bodies go to files as they arrive, at most `max_uploads` run at once (the others are
//! refused with 429 before their bodies are read), and each is decoded from its file.
//!
//! Its own test binary: `VmHWM` is the whole process's, and no other test may share it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose
#![cfg(target_os = "linux")]

use std::sync::Arc;

use afterrun_server::{AppState, Config, Mode, router};
use afterrun_store::{Location, Store};
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use jiff::Timestamp;
use tower::ServiceExt as _;

const MIB: usize = 1024 * 1024;

fn clock() -> Timestamp {
    "2026-11-23T08:30:00Z".parse().unwrap()
}

/// The process's peak resident memory so far, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// One MiB of GPX track points, a second apart from `start` seconds into the run.
fn points(start: usize) -> Bytes {
    let mut text = String::with_capacity(MIB + 200);
    let mut i = start;
    while text.len() < MIB {
        let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
        let lat = 48.0 + (i % 10_000) as f64 * 1e-5;
        text.push_str(&format!(
            "<trkpt lat=\"{lat:.5}\" lon=\"11.0\"><time>2026-11-22T{h:02}:{m:02}:{s:02}Z</time></trkpt>\n"
        ));
        i += 1;
    }
    Bytes::from(text)
}

/// A 200 MiB GPX body, streamed a MiB at a time (the test never holds it whole either).
fn big_gpx(chunk: Bytes) -> Body {
    let head = Bytes::from_static(
        b"<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"t\" \
          xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><type>running</type><trkseg>\n",
    );
    let tail = Bytes::from_static(b"</trkseg></trk></gpx>\n");
    let parts = std::iter::once(head)
        .chain(std::iter::repeat_n(chunk, 200))
        .chain(std::iter::once(tail))
        .map(Ok::<_, std::io::Error>);
    Body::from_stream(futures_util::stream::iter(parts))
}

#[tokio::test]
async fn six_parallel_200_mib_uploads_stay_under_1_gib() {
    let dir = std::env::temp_dir().join(format!("afterrun-upload-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Arc::new(Store::connect(&Location::Sqlite(dir.join("m.db"))).await.unwrap());
    // One athlete may send all six: what bounds them is the server's limit.
    let config = Config {
        mode: Mode::Personal,
        max_uploads_per_account: 6,
        upload_dir: Some(dir.clone()),
        ..Config::default()
    };
    let state = AppState::new(config, clock).with_store(store);
    let chunk = points(0);
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (state, chunk) = (state.clone(), chunk.clone());
            tokio::spawn(async move {
                let request = Request::post(format!("/api/athletes/me/activities?name=big{i}.gpx"))
                    .header(header::HOST, "localhost")
                    .header(header::ORIGIN, "http://localhost")
                    .body(big_gpx(chunk))
                    .unwrap();
                let response = router(state).oneshot(request).await.unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
                (status, String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned())
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert!(matches!(status.as_u16(), 200 | 429), "{status}: {body}");
        statuses.push(status);
    }
    let peak = peak_rss();
    eprintln!("statuses {statuses:?}, peak resident memory {} MiB", peak / MIB as u64);
    assert!(statuses.contains(&StatusCode::OK), "some were imported");
    assert!(peak < 1024 * MIB as u64, "peak {} MiB", peak / MIB as u64);
    std::fs::remove_dir_all(&dir).ok();
}
