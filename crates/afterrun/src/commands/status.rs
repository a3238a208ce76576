//! `afterrun status`: what the stored runs did, today. Fitness, fatigue and form with what they
//! mean, the acute:chronic ratio with its band, monotony, the week's volume, and the soreness
//! forecast per muscle group; as text, as the contract's JSON (`--json`), and as an SVG chart
//! (`--plot`).
//!
//! The numbers come from `afterrun-load` over the loads stored at import ([`crate::history`]);
//! this module only chooses the date and the moment, and renders.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use afterrun_load::{Forecast, Status};
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::db::{DbArgs, Session, time_json};
use crate::exit::bad_input;
use crate::history::{LoadInputs, read_inputs, status_and_forecast, utc_date};

/// Arguments of `afterrun status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArgs,

    /// Print the status as JSON (the contract of interfaces.md) instead of text
    #[arg(long)]
    json: bool,

    /// Also draw fitness, fatigue, form and the muscle forecast to FILE as an SVG chart
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,

    /// The UTC date to report for, YYYY-MM-DD [default: today]; a past date forecasts
    /// soreness at its last second
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

/// Runs `afterrun status`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let clock = crate::db::now();
    let today = utc_date(clock).ok_or_else(|| anyhow::anyhow!("the clock is out of range"))?;
    let as_of = match &args.as_of {
        Some(text) => text.trim().parse::<Date>().map_err(|e| {
            bad_input(format!("--as-of {text:?}: not a date in the form YYYY-MM-DD: {e}"))
        })?,
        None => today,
    };
    let now = moment(as_of, today, clock);

    let session = Session::open(args.db.db.as_deref())?;
    let athlete = session.athlete(&args.db.athlete)?;
    let inputs = read_inputs(&session, athlete)?;
    let what_works = crate::commands::insights::what_works(&session, athlete, now)?;
    session.close();

    let (status, forecast) =
        status_and_forecast(&inputs, as_of, now).map_err(|e| bad_input(format!("status: {e}")))?;
    if let Some(path) = &args.plot {
        let svg = crate::plot::status::status_chart(&status, &forecast);
        std::fs::write(path, svg)
            .map_err(|e| bad_input(format!("--plot {}: cannot write: {e}", path.display())))?;
    }
    let text = if args.json {
        let mut doc = status_json(&status, &forecast, &inputs);
        if let Some(obj) = doc.as_object_mut() {
            obj.insert("what_works".into(), what_works);
        }
        let mut t = doc.to_string();
        t.push('\n');
        t
    } else {
        let mut t = status_text(&status, &forecast, &inputs);
        t.push_str(&crate::commands::insights::what_works_text(&what_works));
        t
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The moment of the soreness forecast: the clock for today, else the last second of `as_of`.
fn moment(as_of: Date, today: Date, clock: i64) -> i64 {
    if as_of == today {
        clock
    } else {
        afterrun_load::day_of_date(as_of).saturating_mul(86_400).saturating_add(86_399)
    }
}

fn opt(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite()).map_or(Value::Null, Value::from)
}

/// The contract's `status --json` document.
pub fn status_json(status: &Status, forecast: &Forecast, inputs: &LoadInputs) -> Value {
    let today = status.today();
    let get = |f: fn(&afterrun_load::DailyPoint) -> f64| today.map_or(0.0, f);
    let daily: Vec<Value> = status
        .daily
        .iter()
        .map(|p| {
            json!({"date": p.date.to_string(), "load": p.load, "fitness": p.fitness,
                   "fatigue": p.fatigue, "form": p.form, "acwr": opt(p.acwr)})
        })
        .collect();
    let muscles: Vec<Value> = forecast
        .muscles
        .iter()
        .map(|m| {
            json!({"group": m.group.as_str(), "soreness_now": m.soreness_now,
                   "peak_at": time_json(m.peak_at), "peak": m.peak,
                   "clear_by": time_json(m.clear_by), "next_days": m.next_days,
                   "calibration": m.calibration})
        })
        .collect();
    json!({
        "as_of": status.as_of.to_string(),
        "fitness": get(|p| p.fitness),
        "fatigue": get(|p| p.fatigue),
        "form": get(|p| p.form),
        "acwr": opt(today.and_then(|p| p.acwr)),
        "acwr_band": status.acwr_band().map(|b| b.as_str()),
        "acwr_rolling": opt(today.and_then(|p| p.acwr_rolling)),
        "monotony": opt(today.and_then(|p| p.monotony)),
        "strain": opt(today.and_then(|p| p.strain)),
        "weekly_km": get(|p| p.weekly_distance_m) / 1000.0,
        "weekly_time_s": get(|p| p.weekly_time_s),
        "weekly_load": get(|p| p.weekly_load),
        "ramp_rate": get(|p| p.ramp_rate),
        "high_volume": status.flags.high_volume,
        "meaning": meaning(status),
        "activities": counted(status, inputs),
        "daily": daily,
        "muscles": muscles,
        "assumptions": inputs.assumptions,
    })
}

/// The activities up to the end of `as_of`.
fn counted(status: &Status, inputs: &LoadInputs) -> usize {
    let end = afterrun_load::day_of_date(status.as_of).saturating_add(1).saturating_mul(86_400);
    inputs.activities.iter().filter(|a| a.start < end).count()
}

/// The one-line meaning of today's form; a load that has decayed to almost nothing reads as
/// no recent training (the ratio of two vanishing numbers says nothing).
fn meaning(status: &Status) -> &'static str {
    match status.today() {
        Some(p) if p.fitness < 1.0 && p.fatigue < 1.0 => "no recent training load",
        _ => status.form_meaning(),
    }
}

/// What an ACWR band means, in words.
fn band_meaning(band: afterrun_load::AcwrBand) -> &'static str {
    use afterrun_load::AcwrBand as B;
    match band {
        B::Low => "below 0.8: less than your body is prepared for",
        B::Normal => "0.8 to 1.3: the usual range",
        B::High => "above 1.3: a steep rise, watch how your legs feel",
        B::VeryHigh => "1.5 or more: injury risk rises, an easier day would help",
    }
}

fn hours_minutes(seconds: f64) -> String {
    let m = (seconds.max(0.0) / 60.0).round() as i64;
    format!("{} h {:02} min", m / 60, m % 60)
}

/// The status for people.
pub fn status_text(status: &Status, forecast: &Forecast, inputs: &LoadInputs) -> String {
    let mut s = String::new();
    let _ = write!(s, "Status for {}", status.as_of);
    match (status.daily.first(), status.today()) {
        (Some(first), Some(_)) => {
            let _ = writeln!(
                s,
                " ({} activities, history from {})",
                counted(status, inputs),
                first.date
            );
        }
        _ => {
            let _ = writeln!(s, ": no activity stored yet (afterrun import FILES)");
        }
    }
    if let Some(p) = status.today() {
        let _ = writeln!(
            s,
            "  fitness {:.1}   fatigue {:.1}   form {:+.1}",
            p.fitness, p.fatigue, p.form
        );
        let _ = writeln!(s, "  {}", meaning(status));
        match (p.acwr, status.acwr_band()) {
            (Some(a), Some(b)) => {
                let _ = writeln!(s, "  ACWR {a:.2} ({})", band_meaning(b));
            }
            _ => {
                let _ = writeln!(s, "  ACWR not yet known (needs 28 days of history)");
            }
        }
        match (p.monotony, p.strain) {
            (Some(m), Some(st)) => {
                let warn = if m > afterrun_load::MONOTONY_WARN {
                    ": too little variation, mix easy and hard days"
                } else {
                    ""
                };
                let _ = writeln!(s, "  monotony {m:.2} (strain {st:.0}){warn}");
            }
            _ => {
                let _ = writeln!(s, "  monotony not defined (the week's loads do not vary)");
            }
        }
        let _ = writeln!(
            s,
            "  last 7 days: {:.1} km, {}, load {:.0}; fitness {:+.1} on the week before",
            p.weekly_distance_m / 1000.0,
            hours_minutes(p.weekly_time_s),
            p.weekly_load,
            p.ramp_rate
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Soreness forecast (0-10)   now  next 24 h  24-48 h  48-72 h  peak");
    for m in &forecast.muscles {
        let peak = match m.peak_at.and_then(|t| jiff::Timestamp::from_second(t).ok()) {
            Some(_) if m.peak_at == Some(forecast.now) => format!("{:.1} now, easing", m.peak),
            Some(t) => format!("{:.1} at {}", m.peak, t.strftime("%Y-%m-%d %H:%MZ")),
            None => "-".to_owned(),
        };
        let _ = writeln!(
            s,
            "  {:<22} {:>5.1} {:>10.1} {:>8.1} {:>8.1}  {peak}",
            m.group.as_str().replace('_', " "),
            m.soreness_now,
            m.next_days[0],
            m.next_days[1],
            m.next_days[2]
        );
    }
    if !inputs.assumptions.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Assumptions:");
        for a in &inputs.assumptions {
            let _ = writeln!(s, "  - {a}");
        }
    }
    s
}
