//! `afterrun activities`: the stored activities, oldest first, with their stress under the
//! current profile (recomputed when the profile's thresholds changed, as `status` does); the
//! text in the athlete's zone and units, `--json` in SI and UTC.

use std::process::ExitCode;

use serde_json::json;

use afterrun_service::locale::Locale;
use afterrun_service::refresh::fresh_rows;
use afterrun_service::words::sport_words;

use crate::db::{DbArgs, time_json};

/// Arguments of `afterrun activities`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,

    /// Print one JSON object per activity (JSON Lines)
    #[arg(long)]
    json: bool,
}

/// Runs `afterrun activities`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (session, athlete) = args.db.open()?;
    let profile = session.profile(athlete)?;
    let locale = Locale::of(&profile);
    let (rows, _) = session
        .block_on(fresh_rows(&session.store, athlete, &profile, &locale))
        .map_err(crate::db::service_error)?;
    session.close();
    let mut text = String::new();
    for a in &rows {
        if args.json {
            let line = json!({
                "id": a.id, "sha256": a.sha256, "start_time": time_json(a.start_time),
                "sport": a.sport, "distance_m": a.distance_m, "elapsed_s": a.elapsed_s,
                "stress": a.stress, "stress_kind": a.stress_kind,
                "format": a.format, "sub_sport": a.sub_sport, "timer_s": a.timer_s,
                "avg_hr": a.avg_hr, "source": a.source,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        } else {
            let start =
                a.start_time.map_or_else(|| "(no start time)".to_owned(), |t| locale.date_time(t));
            let km = a.distance_m.map_or("-".to_owned(), |d| locale.distance(d));
            let min = a.elapsed_s.map_or("-".to_owned(), |s| format!("{:.0} min", s / 60.0));
            let stress = match (a.stress, &a.stress_kind) {
                (Some(s), Some(k)) => format!("stress {s:.0} ({k})"),
                _ => "stress -".to_owned(),
            };
            text.push_str(&format!(
                "#{:<5} {start}  {:<10} {km:>10} {min:>8}  {stress}\n",
                a.id,
                sport_words(&a.sport)
            ));
        }
    }
    if !args.json && rows.is_empty() {
        eprintln!("no activities stored yet: add some with `afterrun import PATH...`");
    }
    super::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
