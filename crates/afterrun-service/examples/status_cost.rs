//! Where the time of one status report goes, on an existing store:
//! `cargo run --release -p afterrun-service --example status_cost -- DB [ROUNDS]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use afterrun_service::{history, status};
use afterrun_store::{Location, Store};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let store = Store::connect(&Location::parse(&args[1])).await.unwrap();
    let rounds: u32 = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(50);
    let athlete = store.athlete_id("me").await.unwrap().unwrap();
    // The moment of the report: an hour after the latest check-in (examples read no clock).
    let now = store.latest_checkin(athlete).await.unwrap().map_or(0, |c| c.now) + 3600;
    let today = history::utc_date(now).unwrap();
    let mut t = [0.0f64; 5];
    for _ in 0..rounds {
        let a = Instant::now();
        let inputs = history::read_inputs(&store, athlete).await.unwrap();
        let b = Instant::now();
        let all = history::all_outcomes(&store).await.unwrap();
        let c = Instant::now();
        let _ = afterrun_service::insights::what_works_from(&all, athlete, now);
        let d = Instant::now();
        let _ = history::status_and_forecast(&inputs, today, now).unwrap();
        let e = Instant::now();
        let _ = status::status_report(&store, athlete, today, now).await.unwrap();
        let f = Instant::now();
        for (i, (x, y)) in [(a, b), (b, c), (c, d), (d, e), (e, f)].into_iter().enumerate() {
            t[i] += (y - x).as_secs_f64() * 1e3 / f64::from(rounds);
        }
    }
    let mut u = [0.0f64; 5];
    for _ in 0..rounds {
        let a = Instant::now();
        let rows = store.activities(athlete).await.unwrap();
        let b = Instant::now();
        let profile = store.profile(athlete).await.unwrap();
        let checkins = store.checkins(athlete).await.unwrap();
        let c = Instant::now();
        let plans = store.plans(athlete).await.unwrap();
        let d = Instant::now();
        let docs = history::StoredDocs::read(&checkins, &plans);
        let _ = history::inputs_from_rows(&rows, &docs, &profile);
        let e = Instant::now();
        for (i, (x, y)) in [(a, b), (b, c), (c, d), (d, e)].into_iter().enumerate() {
            u[i] += (y - x).as_secs_f64() * 1e3 / f64::from(rounds);
        }
    }
    println!(
        "ms per call: activities {:.2}, profile+checkins {:.2}, plans {:.2}, inputs_from_rows {:.2}",
        u[0], u[1], u[2], u[3]
    );
    println!(
        "ms per call: read_inputs {:.2}, all_outcomes {:.2}, what_works {:.2}, status+forecast {:.2}, whole report {:.2}",
        t[0], t[1], t[2], t[3], t[4]
    );
}
