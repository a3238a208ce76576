//! The plan as the contract's document (interfaces.md, "Plan"): owned, typed, built by the
//! planner itself ([`crate::steps`]) and read back by every reader (the service's history and
//! `.ics`, the server's pages, the CLI's text). There is no second, domain-side copy of the plan.
//!
//! The field order of each struct is the contract's, so serializing a [`PlanDoc`] gives the
//! plan's bytes; reading one back gives the same value ([`PlanDoc::from_json`]). Codes are the
//! protocol's own enums ([`Modality`], [`Level`], [`Region`]), so a reader matches on a type,
//! not on a string. Fixed words of a dose (`"slow"`, `"sequential"`), reference ids and the
//! plan's sentences ([`Text`]) are `Cow<'static, str>`: borrowed from the planner's tables when
//! it writes them (owned only when composed), owned when a stored plan is read.

use std::borrow::Cow;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::{Level, Modality};
use crate::region::Region;

/// A sentence of the plan: a `&'static str` of the planner's tables, owned only when composed
/// (a dose's figures, a body region's words) or read back from a stored plan.
pub type Text = Cow<'static, str>;

/// Pressure for hands-on work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pressure {
    /// Light.
    Light,
    /// Moderate.
    Moderate,
}

impl Pressure {
    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            Pressure::Light => "light",
            Pressure::Moderate => "moderate",
        }
    }
}

/// Which legs a compression session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legs {
    /// Both legs.
    Both,
    /// Left only.
    Left,
    /// Right only.
    Right,
}

impl Legs {
    /// The wire code.
    pub fn code(self) -> &'static str {
        match self {
            Legs::Both => "both",
            Legs::Left => "left",
            Legs::Right => "right",
        }
    }
}

/// Room reserved for a plan's JSON: most are 2–10 KB, so one allocation is the rule.
pub(crate) const PLAN_BYTES: usize = 12 * 1024;

/// Text that is usually a `&'static str` of the planner's tables.
pub type Code = Cow<'static, str>;

/// A list of sentences or codes: a `&'static` slice of the planner's tables (no allocation),
/// owned only when composed or read back from a stored plan.
pub type Texts = Cow<'static, [Text]>;

/// A plan: what the runner does, in order, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Plan"))]
pub struct PlanDoc {
    /// The check-in's `now` (UTC, whole seconds).
    #[serde(with = "utc")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub generated_at: Timestamp,
    /// The triage: level, reasons, blocks and advice.
    pub triage: TriageDoc,
    /// What was assumed for missing input.
    #[serde(default)]
    pub assumptions: Vec<Text>,
    /// General notes.
    #[serde(default)]
    pub notes: Vec<Text>,
    /// The steps, in time order.
    #[serde(default)]
    pub steps: Vec<StepDoc>,
    /// Programs for the devices some steps use.
    #[serde(default)]
    pub device_programs: Vec<ProgramDoc>,
    /// Every reference the plan cites.
    #[serde(default)]
    pub references: Vec<ReferenceDoc>,
}

/// The triage of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TriageDoc {
    /// The level, in rising order of urgency.
    pub level: Level,
    /// Why.
    #[serde(default)]
    pub reasons: Vec<ReasonDoc>,
    /// What may not be used, and where.
    #[serde(default)]
    pub blocked: Vec<BlockDoc>,
    /// The advice in words.
    #[serde(default)]
    pub advice: Text,
}

/// One triage reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReasonDoc {
    /// The rule's code (`doms_expected`, `suspected_dvt`, …).
    pub code: Code,
    /// The level this reason asks for.
    pub level: Level,
    /// The reason in words.
    #[serde(default)]
    pub text: Text,
    /// Reference ids.
    #[serde(default)]
    pub evidence: Vec<Code>,
}

/// A modality the plan may not use on a region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlockDoc {
    /// The blocked modality.
    pub modality: Modality,
    /// Where (`all` or a region).
    pub region: Region,
    /// A triage reason code, or `contra_absolute:CONDITION` / `contra_relative:CONDITION`.
    pub reason: Text,
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StepDoc {
    /// When it starts (UTC).
    #[serde(with = "utc")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub start: Timestamp,
    /// Minutes after the check-in's `now`.
    pub offset_min: u32,
    /// What to do.
    pub modality: Modality,
    /// For how long (0: no set duration).
    pub duration_s: u32,
    /// The regions it works on.
    #[serde(default)]
    pub targets: Vec<Region>,
    /// How much.
    pub dose: DoseDoc,
    /// How, in words.
    #[serde(default)]
    pub instructions: Texts,
    /// Why, in words.
    #[serde(default)]
    pub why: Text,
    /// Reference ids.
    #[serde(default)]
    pub evidence: Texts,
}

/// A step's dose; its shape follows the modality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum DoseDoc {
    /// Walk or easy cycling.
    Easy {
        /// Always `easy`.
        intensity: Code,
    },
    /// Dynamic stretching.
    Dynamic {
        /// Repetitions per side.
        reps_per_side: u32,
        /// Leg swings each way.
        leg_swings_each_way: u32,
        /// Torso twists.
        torso_twists: u32,
    },
    /// Static stretching.
    Static {
        /// Seconds per hold.
        seconds: u32,
        /// Holds.
        reps: u32,
    },
    /// Foam rolling.
    FoamRolling {
        /// Seconds per muscle group.
        seconds_per_group: u32,
        /// Sets.
        sets: u32,
        /// Always `slow`.
        pace: Code,
        /// Pressure.
        pressure: Pressure,
    },
    /// Massage gun.
    MassageGun {
        /// Seconds per spot.
        seconds_per_spot: u32,
        /// Pressure.
        pressure: Pressure,
    },
    /// Compression boots.
    Compression {
        /// Pressure level 1–10.
        level: u8,
        /// Session length.
        minutes: u32,
        /// Always `sequential`.
        pattern: Code,
        /// Hold per chamber.
        hold_s: u32,
        /// Vent between waves.
        rest_s: u32,
        /// A clinician's cap, when one was given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_mmhg: Option<u32>,
    },
    /// Vibrating plate.
    Vibration {
        /// Frequency.
        frequency_hz: f64,
        /// Amplitude.
        amplitude_mm: f64,
        /// Length of a bout.
        bout_s: u32,
        /// Bouts.
        bouts: u32,
        /// Stances, in order.
        stance: Texts,
    },
    /// Drinking.
    Hydration {
        /// Water to drink.
        water_ml: u32,
        /// With electrolytes.
        electrolytes: bool,
    },
    /// No dose (referrals, rest).
    None {},
}

/// A device program and the step that runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProgramDoc {
    /// `compression_boots` or `vibration_plate`.
    pub device: Modality,
    /// The index of its step in `steps`.
    pub step: usize,
    /// The program (the `program` file of `afterrun device`).
    pub program: ProgramBodyDoc,
}

/// The program of a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ProgramBodyDoc {
    /// Sequential compression.
    Compression(CompressionDoc),
    /// Vibrating plate.
    Vibration(VibrationDoc),
}

/// A sequential compression program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CompressionDoc {
    /// Always `sequential`.
    pub pattern: Code,
    /// Pressure level 1–10.
    pub level: u8,
    /// Per-chamber targets, when a cap changed them.
    pub targets_mmhg: Option<Vec<u32>>,
    /// Chambers per leg.
    pub chambers: u8,
    /// `both`, `left` or `right`.
    pub legs: Code,
    /// Hold per chamber.
    pub hold_s: u32,
    /// Vent between waves.
    pub rest_s: u32,
    /// Session length.
    pub duration_min: u32,
    /// Chambers held longer (sore groups).
    #[serde(default)]
    pub boost: Vec<u8>,
    /// A falling pressure gradient from foot to thigh.
    pub gradient: bool,
}

/// A vibrating-plate program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VibrationDoc {
    /// Ramp-up time.
    pub ramp_s: u32,
    /// The segments, in order.
    pub segments: Vec<SegmentDoc>,
}

/// One segment of a vibrating-plate program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SegmentDoc {
    /// The stance.
    pub stance: Code,
    /// Frequency.
    pub frequency_hz: f64,
    /// `high` or `low`.
    pub amplitude: Code,
    /// Length.
    pub duration_s: u32,
    /// Rest after it.
    pub rest_s: u32,
}

/// A cited reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReferenceDoc {
    /// The stable id.
    pub id: Code,
    /// The full citation.
    pub citation: Code,
}

impl PlanDoc {
    /// Reads a plan from the contract's JSON text.
    pub fn from_json(text: &str) -> Result<PlanDoc, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Reads a plan from a parsed JSON value (a stored plan).
    pub fn from_value(value: &serde_json::Value) -> Result<PlanDoc, serde_json::Error> {
        PlanDoc::deserialize(value)
    }

    /// The triage level of a stored plan, without reading the rest of it (a list of plans).
    pub fn level_of(value: &serde_json::Value) -> Result<Level, serde_json::Error> {
        #[derive(Deserialize)]
        struct Head {
            triage: LevelOnly,
        }
        #[derive(Deserialize)]
        struct LevelOnly {
            level: Level,
        }
        Ok(Head::deserialize(value)?.triage.level)
    }

    /// The citation of a reference id, if the plan lists it.
    pub fn citation(&self, id: &str) -> Option<&str> {
        self.references.iter().find(|r| r.id == id).map(|r| r.citation.as_ref())
    }
}

impl DoseDoc {
    /// A walk or easy cycling.
    pub fn easy() -> DoseDoc {
        DoseDoc::Easy { intensity: Cow::Borrowed("easy") }
    }

    /// Leg swings and torso twists, `reps` each way and side.
    pub fn dynamic(reps: u32) -> DoseDoc {
        DoseDoc::Dynamic { reps_per_side: reps, leg_swings_each_way: reps, torso_twists: reps }
    }

    /// Slow foam rolling.
    pub fn foam_rolling(seconds_per_group: u32, sets: u32, pressure: Pressure) -> DoseDoc {
        DoseDoc::FoamRolling { seconds_per_group, sets, pace: Cow::Borrowed("slow"), pressure }
    }

    /// A sequential compression session.
    pub fn compression(
        level: u8,
        minutes: u32,
        hold_s: u32,
        rest_s: u32,
        cap: Option<u32>,
    ) -> DoseDoc {
        let pattern = Cow::Borrowed(SEQUENTIAL);
        DoseDoc::Compression { level, minutes, pattern, hold_s, rest_s, max_mmhg: cap }
    }
}

/// The one compression pattern (a dose's and a program's `pattern`).
pub const SEQUENTIAL: &str = "sequential";

impl Serialize for Pressure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Pressure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pressure, D::Error> {
        let code = Cow::<'de, str>::deserialize(d)?;
        match code.as_ref() {
            "light" => Ok(Pressure::Light),
            "moderate" => Ok(Pressure::Moderate),
            other => Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(other),
                &"light or moderate",
            )),
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Pressure {
    fn schema_name() -> Cow<'static, str> {
        "Pressure".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "enum": ["light", "moderate"]})
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Region {
    fn schema_name() -> Cow<'static, str> {
        "Region".into()
    }

    /// Every region code, and `all` (used in `blocked` only).
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut codes: Vec<String> =
            crate::region::all_regions().iter().map(ToString::to_string).collect();
        codes.push(Region::All.to_string());
        schemars::json_schema!({"type": "string", "enum": codes})
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Region, D::Error> {
        let code = Cow::<'de, str>::deserialize(d)?;
        Region::from_code(&code, true).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&code), &"a region code")
        })
    }
}

/// A timestamp as the contract writes it: UTC, `Z`, whole seconds.
pub mod utc {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `t` as `2026-11-23T08:30:00Z` (whole seconds): by hand for the years 1000–9999,
    /// as jiff writes it otherwise.
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        let whole = whole_seconds(*t);
        match Clock::default().rfc3339(whole) {
            Some(text) => s.serialize_str(text),
            None => s.collect_str(&whole),
        }
    }

    /// Appends `t` in quotes, as [`serialize`] writes it; `clock` keeps the date of the last
    /// time written, so the times of one plan (mostly of one day) work out their date once.
    pub fn write_into(out: &mut String, t: Timestamp, clock: &mut Clock) {
        let whole = whole_seconds(t);
        out.push('"');
        match clock.rfc3339(whole) {
            Some(text) => out.push_str(text),
            None => out.push_str(&whole.to_string()),
        }
        out.push('"');
    }

    /// `t` without its fraction of a second: the contract's times are whole seconds.
    pub fn whole_seconds(t: Timestamp) -> Timestamp {
        Timestamp::from_second(t.as_second()).unwrap_or(t)
    }

    /// The text of the last time written and the day (since 1970-01-01) whose date it holds.
    #[derive(Debug)]
    pub struct Clock {
        day: Option<i64>,
        text: [u8; 20],
    }

    impl Default for Clock {
        fn default() -> Clock {
            Clock { day: None, text: *b"0000-00-00T00:00:00Z" }
        }
    }

    impl Clock {
        /// `YYYY-MM-DDTHH:MM:SSZ` for a whole-second time in the years 1000–9999.
        fn rfc3339(&mut self, t: Timestamp) -> Option<&str> {
            let seconds = t.as_second();
            let day = seconds.div_euclid(86_400);
            if self.day != Some(day) {
                let (year, month, day_of_month) = crate::civil::from_days(day);
                if !(1000..=9999).contains(&year) {
                    return None;
                }
                let date = [(0, year / 100), (2, year % 100), (5, month), (8, day_of_month)];
                self.digits(date)?;
                self.day = Some(day);
            }
            let of_day = seconds.rem_euclid(86_400);
            self.digits([(11, of_day / 3600), (14, of_day / 60 % 60), (17, of_day % 60)])?;
            std::str::from_utf8(&self.text).ok()
        }

        /// Two digits at each place.
        fn digits<const N: usize>(&mut self, pairs: [(usize, i64); N]) -> Option<()> {
            for (at, pair) in pairs {
                let digits = u8::try_from(pair).ok().filter(|p| *p < 100)?;
                *self.text.get_mut(at)? = b'0' + digits / 10;
                *self.text.get_mut(at + 1)? = b'0' + digits % 10;
            }
            Some(())
        }
    }

    /// Reads an RFC 3339 timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_jiff_writes_them() {
        for second in
            [-62_135_596_800, -1, 0, 1_795_422_600, 1_795_422_600 + 86_399, 253_402_207_200]
        {
            let t = Timestamp::from_second(second).unwrap();
            let mut out = Vec::new();
            utc::serialize(&t, &mut serde_json::Serializer::new(&mut out)).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("\"{t}\""));
        }
        let mut n: i64 = 17;
        for _ in 0..2000 {
            n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let t = Timestamp::from_second(n.rem_euclid(253_402_207_200)).unwrap();
            let mut out = Vec::new();
            utc::serialize(&t, &mut serde_json::Serializer::new(&mut out)).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("\"{t}\""));
        }
    }

    #[test]
    fn times_of_one_plan_share_a_clock_and_are_written_as_jiff_writes_them() {
        let mut clock = utc::Clock::default();
        let mut second: i64 = 1_795_422_600;
        for step in [0, 59, 3_600, 86_399, 1, 86_400 * 400, -86_400 * 800, 17, -1_795_422_600] {
            second += step;
            let t = Timestamp::from_second(second).unwrap();
            let mut out = String::new();
            utc::write_into(&mut out, t, &mut clock);
            assert_eq!(out, format!("\"{t}\""));
        }
    }

    #[test]
    fn the_level_reads_alone_and_a_plan_without_one_is_an_error() {
        let checkin = crate::parse_checkin(
            r#"{"now":"2026-11-23T08:30:00Z","symptoms":[{"code":"chest_pain"}]}"#,
        )
        .unwrap();
        let plan = crate::make_plan(&checkin, &crate::History::default());
        let value = serde_json::to_value(&plan).unwrap();
        assert_eq!(PlanDoc::level_of(&value).unwrap(), plan.triage.level);
        assert_eq!(plan.triage.level, Level::Emergency);
        assert!(PlanDoc::level_of(&serde_json::json!({"steps": []})).is_err());
    }
}
