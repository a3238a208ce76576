//! The chart of a simulated device session (`afterrun device --plot` and the web app's device
//! page): one line per chamber or per motor reading over time, with axes, ticks and a legend.
//!
//! Why here and not in `afterrun-device`: the simulator yields the numbers, and drawing them is
//! the same job as the status chart's, so both go through the one SVG writer ([`super::svg`]).

use super::svg::{Svg, nice_step, tick_label};

/// Line colours, one per series in order (chambers 1–8 of each leg, then repeats).
const COLORS: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;

/// One named line: `(time s, value)` points.
pub type Series = (String, Vec<(f64, f64)>);

/// The scales of one chart: data ranges rounded out to nice tick steps.
struct Scale {
    x_max: f64,
    x_step: f64,
    y_max: f64,
    y_step: f64,
}

impl Scale {
    fn of(series: &[Series]) -> Scale {
        let x_max = series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)).fold(1.0f64, f64::max);
        let y_data = series
            .iter()
            .flat_map(|(_, p)| p.iter().map(|q| q.1))
            .filter(|y| y.is_finite())
            .fold(1.0f64, f64::max);
        let y_step = nice_step(y_data / 6.0);
        Scale {
            x_max,
            x_step: nice_step(x_max / 8.0),
            y_max: (y_data / y_step).ceil() * y_step,
            y_step,
        }
    }

    fn x(&self, x: f64) -> f64 {
        LEFT + x / self.x_max * PLOT_W
    }

    fn y(&self, y: f64) -> f64 {
        TOP + PLOT_H - y.clamp(0.0, self.y_max) / self.y_max * PLOT_H
    }
}

/// A line chart of `series` over time (seconds), values in `unit`, under `title`.
pub fn svg_plot(title: &str, unit: &str, series: &[Series]) -> String {
    let scale = Scale::of(series);
    let mut svg = Svg::new(WIDTH, HEIGHT, title);
    svg.heading(LEFT, 22.0, title);
    y_ticks(&mut svg, &scale);
    x_ticks(&mut svg, &scale);
    axes(&mut svg, unit);
    for (k, (name, points)) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let line: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|(x, y)| (scale.x(*x), scale.y(*y)))
            .collect();
        svg.polyline(&line, color, 1.2);
        legend_entry(&mut svg, k, name, color);
    }
    svg.finish()
}

fn y_ticks(svg: &mut Svg, scale: &Scale) {
    let mut y = 0.0;
    while y <= scale.y_max + 1e-9 {
        let py = scale.y(y);
        svg.line(LEFT, py, LEFT + PLOT_W, py, "#e5e5e5", 1.0);
        svg.text(LEFT - 6.0, py + 4.0, "end", &tick_label(y));
        y += scale.y_step;
    }
}

fn x_ticks(svg: &mut Svg, scale: &Scale) {
    let mut x = 0.0;
    while x <= scale.x_max + 1e-9 {
        let px = scale.x(x);
        svg.line(px, TOP + PLOT_H, px, TOP + PLOT_H + 5.0, "#999", 1.0);
        svg.text(px, TOP + PLOT_H + 18.0, "middle", &tick_label(x));
        x += scale.x_step;
    }
}

fn axes(svg: &mut Svg, unit: &str) {
    svg.line(LEFT, TOP, LEFT, TOP + PLOT_H, "#333", 1.0);
    svg.line(LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H, "#333", 1.0);
    svg.text(LEFT + PLOT_W / 2.0, HEIGHT - 10.0, "middle", "time (s)");
    svg.vertical_text(16.0, TOP + PLOT_H / 2.0, unit);
}

fn legend_entry(svg: &mut Svg, k: usize, name: &str, color: &str) {
    let ly = TOP + 14.0 + 18.0 * k as f64;
    let lx = LEFT + PLOT_W + 16.0;
    svg.line(lx, ly - 4.0, lx + 22.0, ly - 4.0, color, 3.0);
    svg.text(lx + 28.0, ly, "start", name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_has_axes_labels_and_a_legend() {
        let series = vec![
            ("L1".to_string(), vec![(0.0, 0.0), (10.0, 60.0), (20.0, 0.0)]),
            ("L2".to_string(), vec![(0.0, 0.0), (15.0, 55.0)]),
        ];
        let svg = svg_plot("Compression", "mmHg", &series);
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(
            svg.contains(">L2</text>") && svg.contains(">mmHg</text>") && svg.contains("time (s)")
        );
        assert!(svg.contains(">60</text>"));
    }
}
