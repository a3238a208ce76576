//! A small SVG line chart of a simulated run, for the command line's `--plot` and the web app's
//! device page.
//!
//! Why here: both front ends draw the same trace, and only this crate knows what a run is. Hand
//! written (a few lines of SVG) rather than a plotting crate, to keep the dependency tree lean.

use core::fmt::Write as _;
use std::format;
use std::string::String;
use std::vec::Vec;

/// A small hand-made SVG line chart: axes with ticks and labels, one polyline per series and a
/// legend.
pub fn svg_plot(title: &str, unit: &str, series: &[(String, Vec<(f64, f64)>)]) -> String {
    const COLORS: [&str; 10] = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ];
    let (w, h) = (960.0, 420.0);
    let (left, right, top, bottom) = (60.0, 150.0, 40.0, 50.0);
    let x_max = series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)).fold(1.0f64, f64::max);
    let y_data = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1))
        .filter(|y| y.is_finite())
        .fold(1.0f64, f64::max);
    let y_step = nice_step(y_data / 6.0);
    let y_max = (y_data / y_step).ceil() * y_step;
    let x_step = nice_step(x_max / 8.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let sx = |x: f64| left + x / x_max * pw;
    let sy = |y: f64| top + ph - y.clamp(0.0, y_max) / y_max * ph;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="22" font-size="15" font-weight="bold">{}</text>"#,
        left,
        xml(title)
    );
    let mut y = 0.0;
    while y <= y_max + 1e-9 {
        let py = sy(y);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#e5e5e5"/>"##,
            left + pw
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            py + 4.0,
            fmt_tick(y)
        );
        y += y_step;
    }
    let mut x = 0.0;
    while x <= x_max + 1e-9 {
        let px = sx(x);
        let _ = writeln!(
            s,
            r##"<line x1="{px:.1}" y1="{:.1}" x2="{px:.1}" y2="{:.1}" stroke="#999"/>"##,
            top + ph,
            top + ph + 5.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            top + ph + 18.0,
            fmt_tick(x)
        );
        x += x_step;
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="#333"/>"##,
        top + ph
    );
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/>"##,
        top + ph,
        left + pw,
        top + ph
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">time (s)</text>"#,
        left + pw / 2.0,
        h - 10.0
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{:.1}" text-anchor="middle" transform="rotate(-90 16 {:.1})">{}</text>"#,
        top + ph / 2.0,
        top + ph / 2.0,
        xml(unit)
    );
    for (k, (name, points)) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let mut path = String::new();
        for (x, y) in points.iter().filter(|p| p.1.is_finite()) {
            let _ = write!(path, "{:.1},{:.1} ", sx(*x), sy(*y));
        }
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{color}" stroke-width="1.2" points="{}"/>"#,
            path.trim_end()
        );
        let ly = top + 14.0 + 18.0 * k as f64;
        let lx = left + pw + 16.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="3"/>"#,
            ly - 4.0,
            lx + 22.0,
            ly - 4.0
        );
        let _ = writeln!(s, r#"<text x="{:.1}" y="{ly:.1}">{}</text>"#, lx + 28.0, xml(name));
    }
    s.push_str("</svg>\n");
    s
}

fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let nice = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v:.1}") }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec;

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
