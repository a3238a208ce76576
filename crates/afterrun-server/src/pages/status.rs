//! The status page (`GET /status`; its JSON is [`crate::api::status`]): fitness,
//! fatigue and form over the last 90 days, the ACWR on a gauge with its bands, the soreness
//! forecast on the body map, and "what works for you".
//!
//! The figures are `afterrun_service::status::status_report`, the same as `afterrun status`;
//! this module only draws them. The charts are server-side SVG, inline in the page, so they
//! need no script, print, and scale to a phone; every chart has a text equivalent beside it
//! (the numbers, the forecast table) for screen readers.

use std::fmt::Write as _;

use afterrun_load::{AcwrBand, MuscleGroup};
use afterrun_service::chart::svg::{escape, num};
use afterrun_service::status::{StatusReport, band_meaning, meaning};
use afterrun_store::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};

use crate::AppState;
use crate::auth::PageOwner;
use crate::problem::Problem;
use crate::report_cache::report;
use crate::respond::page;
use crate::views::{BACK, FRONT, SILHOUETTE};

/// Reads one value of a day.
type Getter = fn(&afterrun_load::DailyPoint) -> f64;

/// Days the chart shows.
const CHART_DAYS: usize = 90;

/// One body-map region coloured by its forecast.
#[derive(Debug, Clone)]
struct ForecastRegion {
    label: String,
    d: &'static str,
    mirror: bool,
    level: u8,
}

/// One row of the forecast table.
#[derive(Debug, Clone)]
struct ForecastRow {
    label: &'static str,
    now: String,
    days: [String; 3],
    clear: String,
    level: u8,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    title: &'static str,
    nav: &'static str,
    as_of: String,
    /// `as_of` in words (`Mon 23 Nov 2026`).
    as_of_label: String,
    activities: usize,
    since: String,
    /// `since` in words.
    since_label: String,
    has_data: bool,
    fitness: String,
    fatigue: String,
    form: String,
    meaning: &'static str,
    acwr: String,
    acwr_band: &'static str,
    acwr_words: &'static str,
    gauge: String,
    monotony: String,
    week: String,
    chart: String,
    chart_label: String,
    silhouette: &'static str,
    front: Vec<ForecastRegion>,
    back: Vec<ForecastRegion>,
    rows: Vec<ForecastRow>,
    effects: Vec<String>,
    outcomes: usize,
    assumptions: Vec<String>,
}

/// `GET /status`.
pub(crate) async fn status_page(State(state): State<AppState>, owner: PageOwner) -> Response {
    let Some(store) = state.store() else {
        return Problem::not_found(None, "this server keeps no history").into_response();
    };
    match owner.lookup(store).await {
        Ok(athlete) => athlete_status_page(&state, athlete).await,
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// The status page of `athlete` (the page for no runs yet when there is none); the caller has
/// checked who may read it.
pub(crate) async fn athlete_status_page(state: &AppState, athlete: Option<Id>) -> Response {
    let Some(store) = state.store() else {
        return Problem::not_found(None, "this server keeps no history").into_response();
    };
    let Some(athlete) = athlete else {
        return page(StatusCode::OK, &empty_view(state));
    };
    let cached = match report(state, store, athlete).await {
        Ok(r) => r,
        Err(p) => return p.into_response(),
    };
    match cached.html.get_or_init(|| view(&cached.report).render().unwrap_or_default()) {
        html if html.is_empty() => {
            Problem::internal(&"the status page did not render").into_response()
        }
        html => crate::respond::html_page(StatusCode::OK, html.clone()),
    }
}

/// Whether the last 7 days of the series carry no training load.
fn rested(status: &afterrun_load::Status) -> bool {
    status.daily.iter().rev().take(7).all(|p| p.load <= 0.0)
}

fn level(x: f64) -> u8 {
    x.round().clamp(0.0, 10.0) as u8
}

fn one(x: f64) -> String {
    format!("{x:.1}")
}

fn group_words(g: MuscleGroup) -> &'static str {
    crate::views::GROUPS.iter().find(|(c, _)| *c == g.as_str()).map_or("", |(_, l)| *l)
}

fn when(seconds: Option<i64>, locale: &afterrun_service::locale::Locale) -> String {
    seconds.map_or_else(|| "—".to_owned(), |s| locale.when(s))
}

/// A `YYYY-MM-DD` date in words: `Mon 23 Nov 2026`.
fn date_words(date: &str) -> String {
    date.parse::<jiff::civil::Date>()
        .map_or_else(|_| date.to_owned(), |d| d.strftime("%a %-d %b %Y").to_string())
}

fn empty_view(state: &AppState) -> StatusPage {
    let today = afterrun_service::history::utc_date(state.now().as_second())
        .map(|d| d.to_string())
        .unwrap_or_default();
    StatusPage {
        title: "Status",
        nav: "status",
        as_of_label: date_words(&today),
        as_of: today,
        activities: 0,
        since: String::new(),
        since_label: String::new(),
        has_data: false,
        fitness: String::new(),
        fatigue: String::new(),
        form: String::new(),
        meaning: "",
        acwr: String::new(),
        acwr_band: "",
        acwr_words: "",
        gauge: acwr_gauge(None),
        monotony: String::new(),
        week: String::new(),
        chart: String::new(),
        chart_label: String::new(),
        silhouette: SILHOUETTE,
        front: regions(FRONT, "right", &[0; 8]),
        back: regions(BACK, "left", &[0; 8]),
        rows: Vec::new(),
        effects: Vec::new(),
        outcomes: 0,
        assumptions: Vec::new(),
    }
}

fn view(r: &StatusReport) -> StatusPage {
    let status = &r.status;
    let today = status.today();
    let activities = afterrun_service::status::counted(status, &r.inputs);
    let mut levels = [0u8; 8];
    let rows: Vec<ForecastRow> = r
        .forecast
        .muscles
        .iter()
        .map(|m| {
            let next = m.next_days[0].max(m.soreness_now);
            levels[m.group as usize] = level(next);
            ForecastRow {
                label: group_words(m.group),
                now: one(m.soreness_now),
                days: m.next_days.map(one),
                clear: if m.peak >= afterrun_load::CLEAR_LEVEL {
                    when(m.clear_by, &r.inputs.locale)
                } else {
                    "clear".to_owned()
                },
                level: level(next),
            }
        })
        .collect();
    let acwr = today.and_then(|p| p.acwr);
    let band = status.acwr_band();
    let effects = r.what_works.effects.iter().map(|e| e.text.clone()).collect();
    StatusPage {
        title: "Status",
        nav: "status",
        as_of: status.as_of.to_string(),
        as_of_label: date_words(&status.as_of.to_string()),
        activities,
        since: status.daily.first().map(|p| p.date.to_string()).unwrap_or_default(),
        since_label: status
            .daily
            .first()
            .map(|p| date_words(&p.date.to_string()))
            .unwrap_or_default(),
        has_data: activities > 0,
        fitness: today.map_or_else(String::new, |p| one(p.fitness)),
        fatigue: today.map_or_else(String::new, |p| one(p.fatigue)),
        form: today.map_or_else(String::new, |p| format!("{:+.1}", p.form)),
        meaning: meaning(status),
        acwr: acwr.map_or_else(|| "not yet known".to_owned(), |a| format!("{a:.2}")),
        acwr_band: band.map_or("unknown", AcwrBand::as_str),
        acwr_words: match band {
            // No load in the last 7 days: a low ratio then says nothing about risk.
            Some(_) if rested(status) => {
                "no training in the last 7 days: the ratio says little until you run again"
            }
            Some(b) => band_meaning(b),
            None => "needs 28 days of history",
        },
        gauge: acwr_gauge(acwr),
        monotony: match today.and_then(|p| p.week.monotony) {
            Some(m) if m > afterrun_load::MONOTONY_WARN => {
                format!("{m:.2}: too little variation, mix easy and hard days")
            }
            Some(m) => format!("{m:.2}"),
            None => "not defined (the week's loads do not vary)".to_owned(),
        },
        week: today.map_or_else(String::new, |p| {
            let min = (p.week.time_s.max(0.0) / 60.0).round() as i64;
            format!(
                "{} in {} h {:02} min, load {:.0}",
                r.inputs.locale.distance(p.week.distance_m),
                min / 60,
                min % 60,
                p.week.load
            )
        }),
        chart: training_chart(status),
        chart_label: today.map_or_else(String::new, |p| {
            format!(
                "Chart of the last {} days: fitness {:.1}, fatigue {:.1}, form {:+.1} today.",
                status.daily.len().min(CHART_DAYS),
                p.fitness,
                p.fatigue,
                p.form
            )
        }),
        silhouette: SILHOUETTE,
        front: regions(FRONT, "right", &levels),
        back: regions(BACK, "left", &levels),
        rows,
        effects,
        outcomes: r.what_works.outcomes,
        assumptions: r.inputs.assumptions.clone(),
    }
}

/// The regions of one body-map view, both legs, coloured by the group's level.
fn regions(
    shapes: &[(&str, &'static str)],
    viewer_left: &str,
    levels: &[u8; 8],
) -> Vec<ForecastRegion> {
    let viewer_right = if viewer_left == "left" { "right" } else { "left" };
    let mut out = Vec::new();
    for (side, mirror) in [(viewer_left, false), (viewer_right, true)] {
        for (code, d) in shapes {
            let Some(g) = MuscleGroup::ALL.iter().find(|g| g.as_str() == *code) else { continue };
            let side_word = if side == "left" { "Left" } else { "Right" };
            let lv = levels[*g as usize];
            out.push(ForecastRegion {
                label: format!(
                    "{side_word} {}: {lv} of 10 in the next 24 h",
                    group_words(*g).to_lowercase()
                ),
                d,
                mirror,
                level: lv,
            });
        }
    }
    out
}

/// The ACWR on a horizontal gauge from 0 to 2 with its four bands and a marker.
fn acwr_gauge(acwr: Option<f64>) -> String {
    const W: f64 = 320.0;
    const X0: f64 = 10.0;
    let x = |v: f64| X0 + v.clamp(0.0, 2.0) / 2.0 * W;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="gauge" viewBox="0 0 340 62" role="img" aria-label="{}">"#,
        escape(&match acwr {
            Some(a) => format!("Acute to chronic workload ratio {a:.2} on a scale from 0 to 2"),
            None => "Acute to chronic workload ratio not yet known".to_owned(),
        })
    );
    let bands = [
        (0.0, 0.8, "band-low", "low"),
        (0.8, 1.3, "band-normal", "usual"),
        (1.3, 1.5, "band-high", "high"),
        (1.5, 2.0, "band-very-high", "very high"),
    ];
    for (lo, hi, class, label) in bands {
        let _ = write!(
            s,
            r#"<rect class="{class}" x="{}" y="18" width="{}" height="14"/><text x="{}" y="58" text-anchor="middle">{label}</text>"#,
            num(x(lo)),
            num(x(hi) - x(lo)),
            num((x(lo) + x(hi)) / 2.0),
        );
    }
    for tick in [0.8, 1.3, 1.5] {
        let _ = write!(
            s,
            r#"<text x="{}" y="12" text-anchor="middle" class="tick">{tick}</text>"#,
            num(x(tick))
        );
    }
    if let Some(a) = acwr.filter(|a| a.is_finite()) {
        let m = num(x(a));
        let _ = write!(
            s,
            r#"<line class="marker-line" x1="{m}" y1="15" x2="{m}" y2="35"/><path class="marker" d="M{m} 35 l-6 9 h12 z"/>"#,
        );
    }
    s.push_str("</svg>");
    s
}

/// Fitness, fatigue and form lines over the daily load bars, the last [`CHART_DAYS`] days.
fn training_chart(status: &afterrun_load::Status) -> String {
    const W: f64 = 720.0;
    const H: f64 = 280.0;
    const L: f64 = 44.0;
    const R: f64 = 12.0;
    const T: f64 = 12.0;
    const B: f64 = 34.0;
    let daily = &status.daily[status.daily.len().saturating_sub(CHART_DAYS)..];
    if daily.is_empty() {
        return String::new();
    }
    let (pw, ph) = (W - L - R, H - T - B);
    let lo = daily.iter().map(|p| p.form).fold(0.0_f64, f64::min);
    let hi = daily.iter().flat_map(|p| [p.fitness, p.fatigue]).fold(10.0_f64, f64::max);
    // The daily load has its own scale (the tallest bar is 40 % of the plot): it is the
    // backdrop that explains the lines, not a fourth line to read off the axis.
    let max_load = daily.iter().map(|p| p.load).fold(0.0_f64, f64::max).max(1e-9);
    let step = afterrun_service::chart::svg::nice_step((hi - lo) / 5.0);
    let (y0, y1) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let sy = |v: f64| T + ph - (v - y0) / (y1 - y0).max(1e-9) * ph;
    let n = daily.len().max(2);
    let sx = |i: usize| L + (i as f64 + 0.5) / n as f64 * pw;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {} {}" aria-hidden="true" focusable="false">"#,
        num(W),
        num(H)
    );
    let mut v = y0;
    while v <= y1 + step * 1e-6 {
        let y = sy(v);
        let class = if v.abs() < step * 1e-6 { "grid zero" } else { "grid" };
        let _ = write!(
            s,
            r#"<line class="{class}" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
            num(L),
            num(L + pw),
            num(L - 6.0),
            num(y + 4.0),
            afterrun_service::chart::svg::tick_label(v),
            y = num(y),
        );
        v += step;
    }
    let bar = (pw / n as f64 * 0.7).max(1.0);
    for (i, p) in daily.iter().enumerate().filter(|(_, p)| p.load > 0.0) {
        let base = T + ph;
        let top = base - p.load / max_load * 0.4 * ph;
        let _ = write!(
            s,
            r#"<rect class="load" x="{}" y="{}" width="{}" height="{}"/>"#,
            num(sx(i) - bar / 2.0),
            num(top),
            num(bar),
            num((base - top).max(0.0)),
        );
    }
    let get: [(&str, Getter); 3] =
        [("fitness", |p| p.fitness), ("fatigue", |p| p.fatigue), ("form", |p| p.form)];
    for (class, f) in get {
        s.push_str(r#"<polyline class=""#);
        s.push_str(class);
        s.push_str(r#"" points=""#);
        for (i, p) in daily.iter().enumerate() {
            let _ = write!(s, "{},{} ", num(sx(i)), num(sy(f(p))));
        }
        s.push_str(r#""/>"#);
    }
    // Month ticks: the first day of each month in view.
    for (i, p) in daily.iter().enumerate().filter(|(_, p)| p.date.day() == 1) {
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            num(sx(i)),
            num(H - 12.0),
            p.date.strftime("%b")
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauge_marks_the_value_in_its_band() {
        let g = acwr_gauge(Some(1.0));
        // 1.0 of 2.0 is the middle of the 320-wide scale starting at 10.
        assert!(g.contains(r#"d="M170.0 35"#), "{g}");
        assert!(g.contains("Acute to chronic workload ratio 1.00"));
        let none = acwr_gauge(None);
        assert!(!none.contains("marker"), "no marker without a value");
        assert!(acwr_gauge(Some(9.0)).contains(r#"d="M330.0 35"#), "clamped to the scale");
    }
}
