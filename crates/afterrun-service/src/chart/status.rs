//! The `status --plot` chart: fitness, fatigue and form over the dates of the series (top), and
//! the soreness forecast of the eight muscle groups for the next three days (bottom).

use afterrun_load::{Forecast, GROUPS, Status};

use super::svg::{PALETTE, Svg, nice_step, tick_label};

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 700.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 170.0;
/// Top panel: training load.
const TOP1: f64 = 50.0;
const H1: f64 = 320.0;
/// Bottom panel: muscle forecast.
const TOP2: f64 = 450.0;
const H2: f64 = 190.0;
/// The chart shows at most the last year: older days would squeeze the recent ones.
const MAX_DAYS: usize = 365;

/// Reads one value of a day.
type Getter = fn(&afterrun_load::DailyPoint) -> f64;

/// Tick spacing in days for a series of `days` days: at most about eight labels.
fn date_step(days: usize) -> usize {
    [1, 2, 7, 14, 28, 56, 91, 182, 365, 730, 1825]
        .into_iter()
        .find(|s| days / s <= 8)
        .unwrap_or(3650)
}

/// The whole chart as an SVG document.
pub fn status_chart(status: &Status, forecast: &Forecast) -> String {
    let title = format!("afterrun status, {}", status.as_of);
    let mut svg = Svg::new(WIDTH, HEIGHT, &title);
    let shown = status.daily.len().min(MAX_DAYS);
    let span =
        if shown < status.daily.len() { format!(" (last {shown} days)") } else { String::new() };
    svg.heading(LEFT, 28.0, &format!("Fitness, fatigue and form up to {}{span}", status.as_of));
    load_panel(&mut svg, status);
    let from = jiff::Timestamp::from_second(forecast.now)
        .map(|t| t.strftime(" from %Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    svg.heading(LEFT, TOP2 - 22.0, &format!("Muscle soreness forecast (0-10){from}"));
    muscle_panel(&mut svg, forecast);
    svg.finish()
}

fn load_panel(svg: &mut Svg, status: &Status) {
    let pw = WIDTH - LEFT - RIGHT;
    let daily = &status.daily[status.daily.len().saturating_sub(MAX_DAYS)..];
    let values = daily.iter().flat_map(|p| [p.fitness, p.fatigue, p.form]);
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0_f64, 10.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let step = nice_step((hi - lo) / 6.0);
    let (y_min, y_max) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let span = (y_max - y_min).max(1e-9);
    let sy = |v: f64| TOP1 + H1 - (v - y_min) / span * H1;
    let n = daily.len().max(2);
    let sx = |i: usize| LEFT + i as f64 / (n - 1) as f64 * pw;

    svg.open_group("axes");
    let mut v = y_min;
    while v <= y_max + step * 1e-6 {
        let y = sy(v);
        let zero = v.abs() < step * 1e-6;
        svg.line(LEFT, y, LEFT + pw, y, if zero { "#888888" } else { "#e5e5e5" }, 1.0);
        svg.text(LEFT - 6.0, y + 4.0, "end", &tick_label(v));
        v += step;
    }
    let dstep = date_step(daily.len());
    // Ticks counted back from the last day, so `as_of` always has its label.
    for (i, p) in daily.iter().enumerate().rev().step_by(dstep) {
        let x = sx(i);
        svg.line(x, TOP1 + H1, x, TOP1 + H1 + 5.0, "#333333", 1.0);
        svg.text(x, TOP1 + H1 + 19.0, "middle", &p.date.to_string());
    }
    svg.line(LEFT, TOP1, LEFT, TOP1 + H1, "#333333", 1.0);
    svg.line(LEFT, TOP1 + H1, LEFT + pw, TOP1 + H1, "#333333", 1.0);
    svg.text(LEFT + pw / 2.0, TOP1 + H1 + 40.0, "middle", "date (UTC)");
    svg.vertical_text(20.0, TOP1 + H1 / 2.0, "training-stress points");
    svg.close_group();

    if daily.is_empty() {
        svg.text(LEFT + pw / 2.0, TOP1 + H1 / 2.0, "middle", "no activity stored yet");
    }
    let series: [(&str, Getter); 3] = [
        ("fitness (CTL)", |p| p.fitness),
        ("fatigue (ATL)", |p| p.fatigue),
        ("form (TSB)", |p| p.form),
    ];
    svg.open_group("series");
    for (k, (_, get)) in series.iter().enumerate() {
        let points: Vec<(f64, f64)> =
            daily.iter().enumerate().map(|(i, p)| (sx(i), sy(get(p)))).collect();
        svg.polyline(&points, PALETTE[k], 2.0);
    }
    svg.close_group();
    svg.open_group("legend");
    for (k, (name, _)) in series.iter().enumerate() {
        let (x, y) = (LEFT + pw + 16.0, TOP1 + 14.0 + 20.0 * k as f64);
        svg.line(x, y - 4.0, x + 22.0, y - 4.0, PALETTE[k], 3.0);
        svg.text(x + 28.0, y, "start", name);
    }
    svg.close_group();
}

fn muscle_panel(svg: &mut Svg, forecast: &Forecast) {
    let pw = WIDTH - LEFT - RIGHT;
    let sy = |v: f64| TOP2 + H2 - v.clamp(0.0, 10.0) / 10.0 * H2;
    svg.open_group("axes");
    for v in [0.0, 2.0, 4.0, 6.0, 8.0, 10.0] {
        let y = sy(v);
        svg.line(LEFT, y, LEFT + pw, y, "#e5e5e5", 1.0);
        svg.text(LEFT - 6.0, y + 4.0, "end", &tick_label(v));
    }
    svg.line(LEFT, TOP2, LEFT, TOP2 + H2, "#333333", 1.0);
    svg.line(LEFT, TOP2 + H2, LEFT + pw, TOP2 + H2, "#333333", 1.0);
    svg.vertical_text(20.0, TOP2 + H2 / 2.0, "soreness");
    svg.close_group();

    let slot = pw / GROUPS as f64;
    let bar = slot / 4.5;
    svg.open_group("bars");
    for (g, m) in forecast.muscles.iter().enumerate() {
        let x0 = LEFT + slot * g as f64 + (slot - 3.0 * bar) / 2.0;
        for (d, v) in m.next_days.iter().enumerate() {
            let x = x0 + bar * d as f64;
            svg.rect(x, sy(*v), bar - 2.0, TOP2 + H2 - sy(*v), PALETTE[d]);
        }
        let label = m.group.as_str().replace('_', " ");
        svg.text(LEFT + slot * (g as f64 + 0.5), TOP2 + H2 + 18.0, "middle", &label);
    }
    svg.close_group();
    if forecast.muscles.iter().all(|m| m.next_days.iter().all(|v| *v < 0.05)) {
        svg.text(LEFT + pw / 2.0, TOP2 + H2 / 2.0, "middle", "no soreness forecast");
    }

    svg.open_group("legend");
    for (d, name) in ["next 24 h", "24-48 h", "48-72 h"].into_iter().enumerate() {
        let (x, y) = (LEFT + pw + 16.0, TOP2 + 14.0 + 20.0 * d as f64);
        svg.rect(x, y - 10.0, 14.0, 12.0, PALETTE[d]);
        svg.text(x + 20.0, y, "start", &format!("{name} (peak)"));
    }
    svg.close_group();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(loads: &[f64]) -> String {
        let day0 = 1_767_225_600; // 2026-01-01T00:00:00Z
        let acts: Vec<afterrun_load::ActivityLoad> = loads
            .iter()
            .enumerate()
            .map(|(i, &stress)| afterrun_load::ActivityLoad {
                start: day0 + i as i64 * 86_400 + 3600,
                duration_s: 1800.0,
                distance_m: 5000.0,
                stress,
                muscle: afterrun_load::MuscleLoad::default(),
            })
            .collect();
        let as_of = jiff::civil::date(2026, 1, loads.len() as i8);
        let status = afterrun_load::status(&acts, as_of).unwrap();
        let forecast = afterrun_load::forecast(&acts, &[], day0 + loads.len() as i64 * 86_400);
        status_chart(&status, &forecast)
    }

    /// The `points` of the n-th polyline.
    fn polyline(svg: &str, n: usize) -> Vec<(f64, f64)> {
        let line = svg.lines().filter(|l| l.starts_with("<polyline")).nth(n).unwrap();
        let points = line.split("points=\"").nth(1).unwrap().trim_end_matches("\"/>");
        points
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn zero_load_draws_flat_lines_on_the_zero_gridline_and_the_same_bytes_twice() {
        let svg = chart(&[0.0; 10]);
        assert_eq!(svg, chart(&[0.0; 10]), "deterministic");
        // With loads 0 the axis runs 0..10; 0 sits at the bottom of the top panel.
        let zero_y = TOP1 + H1;
        for n in 0..3 {
            let pts = polyline(&svg, n);
            assert_eq!(pts.len(), 10);
            assert!(pts.iter().all(|p| (p.1 - zero_y).abs() < 0.06), "{pts:?}");
            assert!((pts[0].0 - LEFT).abs() < 0.06 && (pts[9].0 - (WIDTH - RIGHT)).abs() < 0.06);
        }
        assert!(svg.contains(">2026-01-10<") && svg.contains(">2026-01-02<"), "ticks end on as_of");
        assert!(!svg.contains(">2026-01-01<"), "every other day");
        assert!(svg.contains(">no soreness forecast<"), "no muscle load, nothing forecast");
    }

    #[test]
    fn a_load_spike_raises_fatigue_above_fitness_and_form_below_zero() {
        let mut loads = [0.0; 10];
        loads[5] = 150.0;
        let svg = chart(&loads);
        let (fit, fat, form) = (polyline(&svg, 0), polyline(&svg, 1), polyline(&svg, 2));
        // SVG y grows downward: higher values have smaller y.
        assert!(fat[5].1 < fit[5].1, "fatigue above fitness on the spike day");
        assert!(form[6].1 > form[4].1, "form drops below its earlier level the day after");
    }

    #[test]
    fn date_steps_keep_labels_few() {
        assert_eq!(date_step(5), 1);
        assert_eq!(date_step(60), 7);
        assert_eq!(date_step(200), 28);
        for days in [1, 30, 400, 3650, 40_000] {
            assert!(days / date_step(days) <= 8 || date_step(days) == 3650, "{days}");
        }
    }
}
