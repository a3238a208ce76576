//! The status of an athlete: fitness, fatigue and form with what they mean, the acute:chronic
//! ratio with its band, monotony, the week's volume and the soreness forecast per muscle group;
//! as the contract's `status --json` document and as text for people.
//!
//! The numbers come from `afterrun-load` over the loads stored at import ([`crate::history`]).
//! [`status_report`] reads the store; everything else here is pure, so the CLI's `status` and
//! the web status page show the same figures.

use std::fmt::Write as _;

use afterrun_load::{Forecast, Status};
use afterrun_store::{Id, Store};
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::history::{LoadInputs, inputs_and_all_outcomes, status_and_forecast};
use crate::summary_json::time_json;

/// Everything the status views show, read and computed once.
#[derive(Debug, Clone)]
pub struct StatusReport {
    /// The daily series up to `as_of`.
    pub status: Status,
    /// The soreness forecast at the report's moment.
    pub forecast: Forecast,
    /// What the series was computed from (for the counts and the assumptions).
    pub inputs: LoadInputs,
    /// "What works for you" ([`crate::insights::what_works_from`]).
    pub what_works: crate::insights::WhatWorks,
}

impl StatusReport {
    /// The contract's `status --json` document, with `what_works`.
    pub fn to_json(&self) -> Value {
        let mut doc = status_json(&self.status, &self.forecast, &self.inputs);
        if let Some(obj) = doc.as_object_mut() {
            obj.insert(
                "what_works".into(),
                serde_json::to_value(&self.what_works).unwrap_or_default(),
            );
        }
        doc
    }
}

/// Reads the athlete's activities, check-ins, plans and every athlete's outcomes from the store
/// and computes the status for the UTC date `as_of`, the forecast at `now` (see [`moment`]).
pub async fn status_report(
    store: &Store,
    athlete: Id,
    as_of: Date,
    now: i64,
) -> Result<StatusReport, crate::ServiceError> {
    let (mut inputs, all) = inputs_and_all_outcomes(store, athlete).await?;
    let dropped = crate::history::out_of_series(&inputs.activities, as_of);
    if dropped > 0 {
        inputs.assumptions.push(format!(
            "{dropped} activit{} dated more than {} days before {as_of} left out",
            if dropped == 1 { "y" } else { "ies" },
            afterrun_load::MAX_DAYS
        ));
    }
    let what_works = crate::insights::what_works_from(&all, athlete, now);
    let (status, forecast) = status_and_forecast(&inputs, as_of, now)?;
    Ok(StatusReport { status, forecast, inputs, what_works })
}

/// The moment of the soreness forecast: the clock for today, else the last second of `as_of`.
pub fn moment(as_of: Date, today: Date, clock: i64) -> i64 {
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
    let mut doc = json!({
        "as_of": status.as_of.to_string(),
        "fitness": get(|p| p.fitness),
        "fatigue": get(|p| p.fatigue),
        "form": get(|p| p.form),
        "acwr": opt(today.and_then(|p| p.acwr)),
        "acwr_band": status.acwr_band().map(|b| b.as_str()),
        "acwr_rolling": opt(today.and_then(|p| p.acwr_rolling)),
        "monotony": opt(today.and_then(|p| p.week.monotony)),
        "strain": opt(today.and_then(|p| p.week.strain)),
        "weekly_km": get(|p| p.week.distance_m) / 1000.0,
        "weekly_time_s": get(|p| p.week.time_s),
        "weekly_load": get(|p| p.week.load),
        "ramp_rate": get(|p| p.ramp_rate),
        "high_volume": status.flags.high_volume,
        "meaning": meaning(status),
        "activities": counted(status, inputs),
        "daily": daily,
        "muscles": muscles,
        "assumptions": inputs.assumptions,
    });
    crate::summary_json::clean_numbers(&mut doc);
    doc
}

/// The activities up to the end of `as_of`.
pub fn counted(status: &Status, inputs: &LoadInputs) -> usize {
    let end = end_of(status);
    inputs.activities.iter().filter(|a| a.start < end).count()
}

/// The runs among them (walks, rides and other sports are load, not runs).
pub fn runs_counted(status: &Status, inputs: &LoadInputs) -> usize {
    let end = end_of(status);
    inputs.run_starts.iter().filter(|&&s| s < end).count()
}

fn end_of(status: &Status) -> i64 {
    afterrun_load::day_of_date(status.as_of).saturating_add(1).saturating_mul(86_400)
}

/// "12 activities (9 runs)", "1 activity (no run)".
pub fn activities_words(activities: usize, runs: usize) -> String {
    let a = if activities == 1 { "activity" } else { "activities" };
    let r = match runs {
        0 => "no run".to_owned(),
        1 => "1 run".to_owned(),
        n => format!("{n} runs"),
    };
    format!("{activities} {a} ({r})")
}

/// The one-line meaning of today's form; a load that has decayed to almost nothing reads as
/// no recent training (the ratio of two vanishing numbers says nothing).
pub fn meaning(status: &Status) -> &'static str {
    match status.today() {
        Some(p) if p.fitness < 1.0 && p.fatigue < 1.0 => "no recent training load",
        _ => status.form_meaning(),
    }
}

/// What an ACWR band means, in words.
pub fn band_meaning(band: afterrun_load::AcwrBand) -> &'static str {
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
    let locale = &inputs.locale;
    let _ = write!(s, "Status for {}", status.as_of.strftime("%a %-d %b %Y"));
    match (status.daily.first(), status.today()) {
        (Some(first), Some(_)) => {
            let _ = writeln!(
                s,
                " ({}, history from {})",
                activities_words(counted(status, inputs), runs_counted(status, inputs)),
                first.date.strftime("%-d %b %Y")
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
        match (p.week.monotony, p.week.strain) {
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
            "  last 7 days: {}, {}, load {:.0}; fitness {:+.1} on the week before",
            locale.distance(p.week.distance_m),
            hours_minutes(p.week.time_s),
            p.week.load,
            p.ramp_rate
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Soreness forecast (0-10)   now  next 24 h  24-48 h  48-72 h  peak");
    for m in &forecast.muscles {
        let peak = match m.peak_at {
            Some(t) if t == forecast.now => format!("{:.1} now, easing", m.peak),
            Some(t) => format!("{:.1} on {}", m.peak, locale.when(t)),
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
