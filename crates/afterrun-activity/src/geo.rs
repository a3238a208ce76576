//! Distances and climbing computed from points, for files that carry no totals of their own
//! (GPX always; TCX for ascent and descent).
//!
//! The formulas are the contract's (interfaces.md): 2-D haversine on a sphere of radius
//! 6,371,000 m, summed between consecutive points of one segment only.

/// Mean Earth radius of the contract, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_000.0;

/// Hysteresis of the ascent/descent counter, in metres: a change in elevation counts once the
/// elevation has moved this far from the last counted level, so that GPS or barometric noise of
/// a few decimetres does not add up to phantom climbing, while a steady climb is counted whole.
pub const CLIMB_HYSTERESIS_M: f64 = 1.0;

/// Great-circle distance in metres between two points given in degrees.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.clamp(0.0, 1.0).sqrt().asin()
}

/// Whether a latitude/longitude pair is a position on Earth.
pub fn valid_position(lat: f64, lon: f64) -> bool {
    lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
}

/// Running sum of haversine distance over one segment at a time.
#[derive(Debug, Default, Clone)]
pub struct PathLength {
    last: Option<(f64, f64)>,
    /// Metres so far.
    pub total_m: f64,
}

impl PathLength {
    /// Adds a point of the current segment.
    pub fn push(&mut self, lat: f64, lon: f64) {
        if let Some((plat, plon)) = self.last {
            self.total_m += haversine_m(plat, plon, lat, lon);
        }
        self.last = Some((lat, lon));
    }

    /// Starts a new segment: nothing is added between the last point and the next one.
    pub fn break_segment(&mut self) {
        self.last = None;
    }
}

/// Ascent and descent from a sequence of elevations, with [`CLIMB_HYSTERESIS_M`].
#[derive(Debug, Default, Clone)]
pub struct Climb {
    reference: Option<f64>,
    seen: bool,
    /// Metres climbed so far.
    pub ascent_m: f64,
    /// Metres descended so far.
    pub descent_m: f64,
}

impl Climb {
    /// Adds an elevation of the current segment.
    pub fn push(&mut self, elevation_m: f64) {
        self.seen = true;
        match self.reference {
            None => self.reference = Some(elevation_m),
            Some(r) => {
                let d = elevation_m - r;
                if d >= CLIMB_HYSTERESIS_M {
                    self.ascent_m += d;
                    self.reference = Some(elevation_m);
                } else if -d >= CLIMB_HYSTERESIS_M {
                    self.descent_m -= d;
                    self.reference = Some(elevation_m);
                }
            }
        }
    }

    /// Starts a new segment: the climb between segments is not counted.
    pub fn break_segment(&mut self) {
        self.reference = None;
    }

    /// `(ascent, descent)` when any elevation was seen.
    pub fn totals(&self) -> (Option<f64>, Option<f64>) {
        if self.seen { (Some(self.ascent_m), Some(self.descent_m)) } else { (None, None) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude() {
        let d = haversine_m(0.0, 0.0, 1.0, 0.0);
        let expected = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        assert!((d - expected).abs() < 1e-6, "{d}");
    }

    #[test]
    fn segments_are_not_joined() {
        let mut p = PathLength::default();
        p.push(0.0, 0.0);
        p.push(0.0, 0.001);
        p.break_segment();
        p.push(10.0, 10.0);
        let one = haversine_m(0.0, 0.0, 0.0, 0.001);
        assert!((p.total_m - one).abs() < 1e-9);
    }

    #[test]
    fn climb_ignores_noise_but_counts_steady_climbs() {
        let mut c = Climb::default();
        for e in [100.0, 100.4, 100.0, 100.4, 100.0] {
            c.push(e);
        }
        assert_eq!(c.totals(), (Some(0.0), Some(0.0)));
        for i in 0..=20 {
            c.push(100.0 + 0.5 * f64::from(i));
        }
        assert_eq!(c.totals(), (Some(10.0), Some(0.0)));
        let empty = Climb::default();
        assert_eq!(empty.totals(), (None, None));
    }
}
