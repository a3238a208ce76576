//! The runner's own world: their time zone and units, for every text a person reads.
//!
//! JSON stays SI and UTC (interfaces.md); everything written for a person goes through a
//! [`Locale`]: times in the profile's IANA zone (`tz`), distances and paces in its `units`.
//! With no zone in the profile the computer's own is used (`TZ`, else the system's) and
//! [`Locale::assumption`] says so.

use afterrun_store::Profile;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Metres in a statute mile.
pub const METRES_PER_MILE: f64 = 1_609.344;

/// The units a runner reads distances and paces in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Units {
    /// Kilometres and minutes per kilometre.
    #[default]
    Km,
    /// Miles and minutes per mile.
    Mi,
}

/// A units code that is not `km` or `mi`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown units `{0}` (expected km or mi)")]
pub struct UnknownUnits(pub String);

impl Units {
    /// The profile's code (`km`, `mi`).
    pub fn as_str(self) -> &'static str {
        match self {
            Units::Km => "km",
            Units::Mi => "mi",
        }
    }

    /// Metres in one unit of distance.
    pub fn metres(self) -> f64 {
        match self {
            Units::Km => 1000.0,
            Units::Mi => METRES_PER_MILE,
        }
    }

    /// The unit as a word after a pace (`per km`, `per mile`).
    pub fn per(self) -> &'static str {
        match self {
            Units::Km => "per km",
            Units::Mi => "per mile",
        }
    }
}

impl std::str::FromStr for Units {
    type Err = UnknownUnits;

    fn from_str(s: &str) -> Result<Units, UnknownUnits> {
        match s.trim() {
            "km" => Ok(Units::Km),
            "mi" | "miles" => Ok(Units::Mi),
            other => Err(UnknownUnits(other.to_owned())),
        }
    }
}

/// A time-zone name that is not in the time-zone database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone `{0}` (expected an IANA name such as Europe/Berlin or America/New_York)"
)]
pub struct UnknownZone(pub String);

/// The IANA zone of that name, checked.
pub fn zone(name: &str) -> Result<TimeZone, UnknownZone> {
    TimeZone::get(name.trim()).map_err(|_| UnknownZone(name.to_owned()))
}

/// Where the runner is and what they measure in.
#[derive(Debug, Clone)]
pub struct Locale {
    /// The zone times are shown in.
    pub tz: TimeZone,
    /// Its IANA name (`UTC` when the system's zone has none).
    pub tz_name: String,
    /// Distances and paces.
    pub units: Units,
    /// True when the profile set no zone and the computer's was taken.
    pub tz_defaulted: bool,
}

impl Default for Locale {
    fn default() -> Locale {
        Locale::utc()
    }
}

impl Locale {
    /// UTC and kilometres (tests, and what JSON-only callers pass).
    pub fn utc() -> Locale {
        Locale { tz: TimeZone::UTC, tz_name: "UTC".into(), units: Units::Km, tz_defaulted: false }
    }

    /// The profile's zone and units; without a valid zone the computer's (`TZ`, else the
    /// system's, else UTC).
    pub fn of(profile: &Profile) -> Locale {
        let units = profile.units.as_deref().and_then(|u| u.parse().ok()).unwrap_or_default();
        match profile.tz.as_deref().map(zone) {
            Some(Ok(tz)) => {
                let tz_name = tz.iana_name().unwrap_or("UTC").to_owned();
                Locale { tz, tz_name, units, tz_defaulted: false }
            }
            _ => {
                let tz = TimeZone::try_system().unwrap_or(TimeZone::UTC);
                let tz_name = tz.iana_name().unwrap_or("UTC").to_owned();
                Locale { tz, tz_name, units, tz_defaulted: true }
            }
        }
    }

    /// The sentence for `assumptions` when the zone was not in the profile.
    pub fn assumption(&self) -> Option<String> {
        self.tz_defaulted.then(|| {
            format!(
                "times shown in {}, this computer's time zone (set yours with afterrun profile --tz)",
                self.tz_name
            )
        })
    }

    fn zoned(&self, unix: i64) -> Option<jiff::ZonedDateTime> {
        Some(Timestamp::from_second(unix).ok()?.to_zoned_datetime(self.tz.clone()))
    }

    fn format(&self, unix: i64, pattern: &str) -> String {
        self.zoned(unix).map_or_else(|| "—".to_owned(), |z| z.strftime(pattern).to_string())
    }

    /// `Mon 23 Nov 09:45`.
    pub fn when(&self, unix: i64) -> String {
        self.format(unix, "%a %-d %b %H:%M")
    }

    /// `09:45`.
    pub fn clock(&self, unix: i64) -> String {
        self.format(unix, "%H:%M")
    }

    /// `Mon 23 Nov`.
    pub fn day(&self, unix: i64) -> String {
        self.format(unix, "%a %-d %b")
    }

    /// `Mon 23 Nov 2026 09:45`.
    pub fn date_time(&self, unix: i64) -> String {
        self.format(unix, "%a %-d %b %Y %H:%M")
    }

    /// `Mon 23 Nov 2026`.
    pub fn date(&self, unix: i64) -> String {
        self.format(unix, "%a %-d %b %Y")
    }

    /// The local calendar date of a moment.
    pub fn local_date(&self, unix: i64) -> Option<jiff::civil::Date> {
        self.zoned(unix).map(|z| z.date())
    }

    /// A distance in metres as the runner reads it: `12.4 km`, `7.7 mi`.
    pub fn distance(&self, metres: f64) -> String {
        format!("{:.1} {}", clean(metres / self.units.metres()), self.units.as_str())
    }

    /// A number of the runner's distance unit (for charts and forms).
    pub fn in_units(&self, metres: f64) -> f64 {
        clean(metres / self.units.metres())
    }

    /// A speed in metres per second as a pace: `5:30 per km`, `8:51 per mile`.
    pub fn pace(&self, speed_mps: f64) -> String {
        if !(speed_mps.is_finite() && speed_mps > 0.0) {
            return "—".to_owned();
        }
        afterrun_load::pace_text(speed_mps, self.units == Units::Mi)
    }
}

/// A number safe to show and to put in JSON: no NaN, no infinity, no negative zero, no
/// denormal (anything below 1e-12 in size is 0).
pub fn clean(x: f64) -> f64 {
    if !x.is_finite() || x.abs() < 1e-12 { 0.0 } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(tz: Option<&str>, units: Option<&str>) -> Profile {
        Profile { tz: tz.map(Into::into), units: units.map(Into::into), ..Profile::default() }
    }

    #[test]
    fn times_are_local_and_distances_in_the_runners_units() {
        let l = Locale::of(&profile(Some("America/New_York"), Some("mi")));
        // 2026-11-23T14:45:00Z is 09:45 in New York (EST, UTC−5).
        let t = 1_795_445_100;
        assert_eq!(l.when(t), "Mon 23 Nov 09:45");
        assert_eq!(l.clock(t), "09:45");
        assert_eq!(l.date(t), "Mon 23 Nov 2026");
        assert_eq!(l.distance(21_097.5), "13.1 mi");
        // 4 m/s: 1609.344 / 4 = 402.3 s = 6:42 per mile.
        assert_eq!(l.pace(4.0), "6:42 per mile");
        assert!(l.assumption().is_none());
        let km = Locale::of(&profile(Some("Europe/Berlin"), None));
        assert_eq!(km.when(t), "Mon 23 Nov 15:45");
        assert_eq!((km.distance(21_097.5), km.pace(4.0)), ("21.1 km".into(), "4:10 per km".into()));
    }

    #[test]
    fn a_missing_zone_is_the_computers_and_is_said() {
        let l = Locale::of(&profile(None, None));
        assert!(l.tz_defaulted);
        assert!(l.assumption().unwrap().contains("afterrun profile --tz"));
        assert!(zone("Mars/Olympus").is_err());
        assert_eq!("mi".parse::<Units>(), Ok(Units::Mi));
        assert!("furlongs".parse::<Units>().is_err());
    }

    #[test]
    fn clean_numbers_only() {
        assert_eq!(clean(1.75e-214), 0.0);
        assert!(clean(-0.0).is_sign_positive());
        assert_eq!(clean(f64::NAN), 0.0);
        assert_eq!(clean(-2.5), -2.5);
    }
}
