//! Grade from altitude and distance, robust to GPS noise, in one pass over the samples.
//!
//! Point-to-point grade from GPS altitude is mostly noise: a 2 m altitude jitter over 3 m of
//! distance reads as a 60 % slope. So the walk smooths altitude with an exponential filter over
//! distance, cuts the run into segments of at least [`SEGMENT_M`] metres, and gives each segment
//! the grade between its smoothed end points, clamped to the range Minetti measured
//! (`minetti-2002`). Every per-sample quantity that depends on grade is summed per segment and
//! multiplied by the segment's grade when it closes, so each sample gets the grade of the stretch
//! it belongs to, with no second pass and no allocation. Missing altitude gives grade 0 (flat);
//! missing distance falls back to speed × time, then to the distance between positions.

use afterrun_activity::Sample;
use afterrun_activity::geo::EARTH_RADIUS_M;

/// Minimum segment length, metres: long enough that 1-2 m of altitude noise changes the grade by
/// a few percent at most.
pub const SEGMENT_M: f64 = 25.0;
/// Distance constant of the altitude filter, metres.
const SMOOTH_M: f64 = 30.0;
/// Grades beyond ±45 % are outside the measured range of `minetti-2002`.
pub const MAX_GRADE: f64 = 0.45;
/// A gap longer than this between samples is a pause: its time does not count as moving.
const MAX_DT_S: f64 = 30.0;
/// Faster than this between two samples is a GPS jump, not running, metres per second.
const MAX_SPEED: f64 = 12.0;
/// Speed assumed when samples carry distance but no time (a GPX without timestamps), m/s.
const ASSUMED_SPEED: f64 = 2.8;

/// One moving step between two samples.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// Seconds of moving time.
    pub dt: f64,
    /// Metres covered.
    pub dd: f64,
    /// Speed, metres per second.
    pub v: f64,
    /// Moving seconds since the start, at the end of this step.
    pub elapsed: f64,
}

/// What a walk over samples feeds: each step, then each segment's grade when it closes.
pub trait Sink {
    /// A moving step inside the current segment.
    fn step(&mut self, step: &Step);
    /// The current segment closes with this grade (rise over run, clamped to ±[`MAX_GRADE`]).
    fn close(&mut self, grade: f64);
}

/// The energy cost of running at a grade relative to level running (`minetti-2002`:
/// C(i) = 155.4i⁵ − 30.4i⁴ − 43.3i³ + 46.3i² + 19.5i + 3.6 J/kg/m).
pub fn minetti_cost_ratio(grade: f64) -> f64 {
    let i = grade.clamp(-MAX_GRADE, MAX_GRADE);
    let c = ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6;
    c / 3.6
}

/// Ground distance of one step between two positions. Steps between samples are metres to tens
/// of metres long, where the equirectangular approximation agrees with the haversine formula
/// to well under a millimetre; it costs one cosine instead of five trigonometric calls.
pub(crate) fn step_distance(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let mean_lat = (0.5 * (lat1 + lat2)).to_radians();
    let mut dlon = lon2 - lon1;
    // Across the antimeridian the short way round is the other way.
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    let x = dlon.to_radians() * mean_lat.cos();
    let y = (lat2 - lat1).to_radians();
    EARTH_RADIUS_M * (x * x + y * y).sqrt()
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// Walks the samples once, feeding `sink` every moving step and every segment's grade.
pub fn walk<S: Sink>(samples: &[Sample], sink: &mut S) {
    let Some((first, rest)) = samples.split_first() else {
        sink.close(0.0);
        return;
    };
    // The previous sample's fields, kept as plain values so each sample is read once.
    let mut prev_t = finite(first.time_s);
    let mut prev = first;
    let mut last_dist = finite(first.distance_m);
    let mut elapsed = 0.0;
    // Smoothed altitude, and the segment's start (smoothed altitude, distance into segment).
    // NaN until the first altitude: plain floats keep the filter in a register.
    let mut alt_s = finite(first.altitude_m).unwrap_or(f64::NAN);
    let mut seg_alt0 = alt_s;
    let mut seg_d = 0.0;

    for s in rest {
        let t = finite(s.time_s);
        let dt_raw = match (prev_t, t) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        prev_t = t;
        let speed = finite(s.speed_mps).filter(|v| *v >= 0.0);
        // Distance of this step: the cumulative field, else speed x time, else positions.
        let dist_now = finite(s.distance_m);
        let mut dd = match (last_dist, dist_now) {
            (Some(a), Some(b)) => (b - a).max(0.0),
            _ => match (speed, dt_raw) {
                (Some(v), Some(dt)) if dt > 0.0 => v * dt,
                // Positions are read only here, when nothing better gives the distance.
                _ => match (
                    finite(prev.lat_deg),
                    finite(prev.lon_deg),
                    finite(s.lat_deg),
                    finite(s.lon_deg),
                ) {
                    (Some(a), Some(b), Some(c), Some(d)) => step_distance(a, b, c, d),
                    _ => 0.0,
                },
            },
        };
        prev = s;
        if dist_now.is_some() {
            // A reset (a new session in a chained file) restarts the count from the new value.
            last_dist = dist_now;
        }
        let dt = match dt_raw {
            Some(dt) => dt,
            None => dd / ASSUMED_SPEED,
        };
        if dt.is_nan() || dt <= 0.0 || !dd.is_finite() {
            continue;
        }
        let mut v = match speed {
            Some(v) => v,
            None => dd / dt,
        };
        if v > MAX_SPEED || dd > MAX_SPEED * 2.0 * dt {
            // A GPS jump: keep the time, drop the distance.
            dd = 0.0;
            v = 0.0;
        }
        let moving_dt = if dt > MAX_DT_S { 0.0 } else { dt };
        if let Some(a) = finite(s.altitude_m) {
            if alt_s.is_nan() {
                alt_s = a;
            } else {
                // Written as prev·(1−k) + a·k: the loop-carried chain is one multiply and one add.
                let k = dd / (dd + SMOOTH_M);
                alt_s = alt_s * (1.0 - k) + a * k;
            }
            if seg_alt0.is_nan() {
                seg_alt0 = alt_s;
            }
        }
        if moving_dt > 0.0 || dd > 0.0 {
            elapsed += moving_dt;
            sink.step(&Step { dt: moving_dt, dd, v, elapsed });
        }
        seg_d += dd;
        if seg_d >= SEGMENT_M {
            sink.close(segment_grade(seg_alt0, alt_s, seg_d));
            seg_d = 0.0;
            seg_alt0 = alt_s;
        }
    }
    sink.close(segment_grade(seg_alt0, alt_s, seg_d));
}

/// The grade between two smoothed altitudes `d` metres apart; 0 without both (NaN) or distance.
fn segment_grade(alt0: f64, alt1: f64, d: f64) -> f64 {
    let g = (alt1 - alt0) / d;
    if d > 0.0 && g.is_finite() { g.clamp(-MAX_GRADE, MAX_GRADE) } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect {
        pending: f64,
        descent: f64,
        ascent: f64,
        dist: f64,
    }
    impl Sink for Collect {
        fn step(&mut self, s: &Step) {
            self.pending += s.dd;
            self.dist += s.dd;
        }
        fn close(&mut self, g: f64) {
            self.ascent += self.pending * g.max(0.0);
            self.descent += self.pending * (-g).max(0.0);
            self.pending = 0.0;
        }
    }

    fn run(samples: &[Sample]) -> Collect {
        let mut c = Collect { pending: 0.0, descent: 0.0, ascent: 0.0, dist: 0.0 };
        walk(samples, &mut c);
        c
    }

    fn line(n: usize, speed: f64, grade: f64, noise: f64) -> Vec<Sample> {
        (0..n)
            .map(|i| {
                let d = i as f64 * speed;
                // Deterministic jitter in ±noise metres.
                let jitter = noise * (((i * 7919) % 200) as f64 / 100.0 - 1.0);
                Sample {
                    time_s: Some(i as f64),
                    distance_m: Some(d),
                    altitude_m: Some(1000.0 + grade * d + jitter),
                    ..Default::default()
                }
            })
            .collect()
    }

    #[test]
    fn steady_descent_is_measured() {
        let c = run(&line(3001, 3.0, -0.10, 0.0));
        assert!((c.dist - 9000.0).abs() < 1e-6);
        // 900 m of descent; the filter lag loses at most the last ~SMOOTH_M x grade.
        assert!((c.descent - 900.0).abs() < 10.0, "{}", c.descent);
        assert!(c.ascent < 1.0);
    }

    #[test]
    fn altitude_noise_on_the_flat_reads_as_little_climbing() {
        let c = run(&line(3601, 3.0, 0.0, 3.0));
        // ±3 m of white noise every 3 m reads as about 45 m of climb and descent over 10.8 km
        // (0.4 %), where point-to-point grades would give kilometres.
        assert!(c.descent < 60.0 && c.ascent < 60.0, "{} {}", c.ascent, c.descent);
    }

    #[test]
    fn missing_altitude_is_flat_and_empty_input_is_fine() {
        let mut s = line(100, 3.0, 0.2, 0.0);
        s.iter_mut().for_each(|s| s.altitude_m = None);
        let c = run(&s);
        assert_eq!((c.ascent, c.descent), (0.0, 0.0));
        run(&[]);
        run(&[Sample::default(); 3]);
    }

    #[test]
    fn step_distance_matches_haversine_for_short_steps() {
        // 0.0001° of latitude is 11.1195 m on a 6,371 km sphere; of longitude at 60° half that.
        assert!((step_distance(45.0, 7.0, 45.0001, 7.0) - 11.119_49).abs() < 1e-3);
        assert!((step_distance(60.0, 7.0, 60.0, 7.0001) - 5.559_75).abs() < 1e-3);
        assert!((step_distance(0.0, 179.99995, 0.0, -179.99995) - 11.119_49).abs() < 1e-3);
    }

    #[test]
    fn minetti_level_is_one() {
        assert_eq!(minetti_cost_ratio(0.0), 1.0);
        assert!(minetti_cost_ratio(0.1) > 1.5);
        assert!(minetti_cost_ratio(-0.1) < 1.0);
    }
}
