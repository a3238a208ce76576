//! TCX (Garmin Training Center Database v2): activities, laps and trackpoints in,
//! [`Activity`] out.
//!
//! The rules are the contract's (interfaces.md, "TCX"): records are trackpoints; the start time
//! is the first lap's `StartTime`; distance is the last trackpoint `DistanceMeters` when any
//! trackpoint has one, else the sum of the laps'; the maximum heart rate is the largest
//! trackpoint heart rate, else the laps' maximum; elapsed time is the sum of the laps'
//! `TotalTimeSeconds`. A file with courses and no activity is `not_activity_file`.
//!
//! Computed where TCX has no total: timer = elapsed (TCX's `TotalTimeSeconds` is the only clock
//! the file carries); average heart rate = the laps' averages weighted by their time, else the
//! mean of trackpoint heart rates; ascent/descent from trackpoint altitudes with the hysteresis
//! of [`crate::geo::Climb`], per track. Several activities in one file become sessions.

use crate::geo::valid_position;
use crate::model::{
    Activity, DecodeError, DecodeOptions, Format, ProblemKind, Sample, Summary, Totals,
};
use crate::xml::{self, Node, Points, XmlReader};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Root,
    Activity,
    Lap,
    Track,
    Trackpoint,
    Time,
    Position,
    Lat,
    Lon,
    Altitude,
    Distance,
    HeartRate,
    AvgHeartRate,
    MaxHeartRate,
    Value,
    Cadence,
    RunCadence,
    Speed,
    Watts,
    TotalTime,
    Course,
    Id,
    Other,
}

fn tag_of(local: &str) -> Tag {
    match local {
        "TrainingCenterDatabase" => Tag::Root,
        "Activity" => Tag::Activity,
        "Lap" => Tag::Lap,
        "Track" => Tag::Track,
        "Trackpoint" => Tag::Trackpoint,
        "Time" => Tag::Time,
        "Position" => Tag::Position,
        "LatitudeDegrees" => Tag::Lat,
        "LongitudeDegrees" => Tag::Lon,
        "AltitudeMeters" => Tag::Altitude,
        "DistanceMeters" => Tag::Distance,
        "HeartRateBpm" => Tag::HeartRate,
        "AverageHeartRateBpm" => Tag::AvgHeartRate,
        "MaximumHeartRateBpm" => Tag::MaxHeartRate,
        "Value" => Tag::Value,
        "Cadence" => Tag::Cadence,
        "RunCadence" => Tag::RunCadence,
        "Speed" => Tag::Speed,
        "Watts" => Tag::Watts,
        "TotalTimeSeconds" => Tag::TotalTime,
        "Course" => Tag::Course,
        "Id" => Tag::Id,
        _ => Tag::Other,
    }
}

/// One lap's own totals.
#[derive(Debug, Default, Clone, Copy)]
struct Lap {
    start: Option<f64>,
    total_time_s: Option<f64>,
    distance_m: Option<f64>,
    avg_hr: Option<f64>,
    max_hr: Option<f64>,
}

/// One activity being read.
#[derive(Debug, Default)]
struct Act {
    sport: Option<&'static str>,
    id_time: Option<f64>,
    laps: Vec<Lap>,
    points: Points,
    last_distance: Option<f64>,
}

impl Act {
    fn add(&mut self, p: &Sample) {
        self.points.add(p);
        if let Some(d) = p.distance_m {
            self.last_distance = Some(d);
        }
    }

    fn session(&self) -> Totals {
        let start =
            self.laps.first().and_then(|l| l.start).or(self.id_time).or(self.points.first_time);
        let times: Vec<f64> = self.laps.iter().filter_map(|l| l.total_time_s).collect();
        let elapsed = (!times.is_empty()).then(|| times.iter().sum::<f64>());
        let lap_distances: Vec<f64> = self.laps.iter().filter_map(|l| l.distance_m).collect();
        let distance = self
            .last_distance
            .or_else(|| (!lap_distances.is_empty()).then(|| lap_distances.iter().sum()));
        let max_hr = self.points.max_hr.or_else(|| {
            self.laps.iter().filter_map(|l| l.max_hr).fold(None, |m, v| Some(v.max(m.unwrap_or(v))))
        });
        let (weighted, weight) = self
            .laps
            .iter()
            .filter_map(|l| Some((l.avg_hr?, l.total_time_s.filter(|t| *t > 0.0)?)))
            .fold((0.0, 0.0), |(s, w), (hr, t)| (s + hr * t, w + t));
        let avg_hr = if weight > 0.0 { Some(weighted / weight) } else { self.points.avg_hr() };
        let (ascent, descent) = self.points.climb.totals();
        Totals {
            sport: self.sport.unwrap_or("unknown").to_owned(),
            sub_sport: None,
            start_time: start.map(xml::whole_seconds),
            elapsed_s: elapsed,
            timer_s: elapsed,
            distance_m: distance,
            avg_hr,
            max_hr,
            ascent_m: ascent,
            descent_m: descent,
            laps: u32::try_from(self.laps.len()).ok(),
        }
    }
}

/// Decodes a TCX file.
pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<Activity, DecodeError> {
    let text = xml::as_text(bytes);
    let mut reader = XmlReader::new(&text);
    let mut stack: Vec<Tag> = Vec::with_capacity(16);
    let mut acts: Vec<Act> = Vec::new();
    let mut act: Option<Act> = None;
    let mut samples = Vec::new();
    let mut point: Option<Sample> = None;
    let mut lap: Option<Lap> = None;
    let mut courses = 0u32;
    let mut root = xml::Root::default();
    // Whether the open trackpoint has a `Position`; trackpoints whose position is unreadable
    // (where they end).
    let mut position_seen = false;
    let mut bad_positions = xml::Unreadable::default();

    while let Some(node) = reader.next_node() {
        match node {
            Node::Open { tag, empty } => {
                let t = tag_of(xml::local_name(&tag));
                root.check(t == Tag::Root, "TrainingCenterDatabase")?;
                match t {
                    Tag::Activity if act.is_none() => {
                        let sport = xml::attr(&tag, "Sport")
                            .and_then(|s| crate::sport::sport_from_name(&s));
                        act = Some(Act { sport, ..Act::default() });
                        if empty {
                            acts.extend(act.take());
                        }
                    }
                    Tag::Lap if act.is_some() && lap.is_none() => {
                        let start = xml::attr(&tag, "StartTime").and_then(|s| xml::time(&s));
                        let new = Lap { start, ..Lap::default() };
                        if empty {
                            if let Some(a) = act.as_mut() {
                                a.laps.push(new);
                            }
                        } else {
                            lap = Some(new);
                        }
                    }
                    Tag::Track => {
                        if let Some(a) = act.as_mut() {
                            a.points.climb.break_segment();
                        }
                    }
                    Tag::Trackpoint if act.is_some() && point.is_none() => {
                        if empty {
                            finish(act.as_mut(), &mut samples, Sample::default(), options);
                        } else {
                            point = Some(Sample::default());
                            position_seen = false;
                        }
                    }
                    Tag::Position if point.is_some() => position_seen = true,
                    Tag::Course if !stack.contains(&Tag::Activity) => courses += 1,
                    _ => {}
                }
                if !empty {
                    stack.push(t);
                }
            }
            Node::Close => match stack.pop() {
                Some(Tag::Trackpoint) => {
                    if let Some(mut p) = point.take() {
                        if !(p.lat_deg.is_some_and(|lat| {
                            p.lon_deg.is_some_and(|lon| valid_position(lat, lon))
                        })) {
                            p.lat_deg = None;
                            p.lon_deg = None;
                            if position_seen {
                                bad_positions.add(reader.offset());
                            }
                        }
                        finish(act.as_mut(), &mut samples, p, options);
                    }
                }
                Some(Tag::Lap) => {
                    if let (Some(l), Some(a)) = (lap.take(), act.as_mut()) {
                        a.laps.push(l);
                    }
                }
                Some(Tag::Activity) => acts.extend(act.take()),
                _ => {}
            },
            Node::Text(value) => {
                let n = stack.len();
                let Some(&top) = stack.last() else { continue };
                let parent = if n >= 2 { stack[n - 2] } else { Tag::Other };
                let grand = if n >= 3 { stack[n - 3] } else { Tag::Other };
                if let Some(p) = point.as_mut() {
                    match (top, parent) {
                        (Tag::Time, Tag::Trackpoint) => p.time_s = xml::time(value),
                        (Tag::Lat, Tag::Position) => p.lat_deg = xml::number(value),
                        (Tag::Lon, Tag::Position) => p.lon_deg = xml::number(value),
                        (Tag::Altitude, Tag::Trackpoint) => p.altitude_m = xml::number(value),
                        (Tag::Distance, Tag::Trackpoint) => p.distance_m = xml::number(value),
                        (Tag::Value, Tag::HeartRate) => {
                            p.heart_rate_bpm = xml::number(value).filter(|v| *v > 0.0)
                        }
                        (Tag::Cadence, Tag::Trackpoint) | (Tag::RunCadence, _) => {
                            p.cadence_rpm =
                                p.cadence_rpm.or(xml::number(value).filter(|v| *v >= 0.0))
                        }
                        (Tag::Speed, _) => p.speed_mps = xml::number(value).filter(|v| *v >= 0.0),
                        (Tag::Watts, _) => p.power_w = xml::number(value).filter(|v| *v >= 0.0),
                        _ => {}
                    }
                } else if let Some(l) = lap.as_mut() {
                    match (top, parent, grand) {
                        (Tag::TotalTime, Tag::Lap, _) => l.total_time_s = xml::number(value),
                        (Tag::Distance, Tag::Lap, _) => l.distance_m = xml::number(value),
                        (Tag::Value, Tag::AvgHeartRate, Tag::Lap) => {
                            l.avg_hr = xml::number(value).filter(|v| *v > 0.0)
                        }
                        (Tag::Value, Tag::MaxHeartRate, Tag::Lap) => {
                            l.max_hr = xml::number(value).filter(|v| *v > 0.0)
                        }
                        _ => {}
                    }
                } else if let Some(a) = act.as_mut()
                    && top == Tag::Id
                    && parent == Tag::Activity
                {
                    a.id_time = xml::time(value);
                }
            }
        }
    }
    // A file cut short keeps what it had.
    if let Some(p) = point.take() {
        finish(act.as_mut(), &mut samples, p, options);
    }
    if let (Some(l), Some(a)) = (lap.take(), act.as_mut()) {
        a.laps.push(l);
    }
    acts.extend(act.take());

    let records: u64 = acts.iter().map(|a| a.points.records).sum();
    let laps: usize = acts.iter().map(|a| a.laps.len()).sum();
    if acts.is_empty() || (records == 0 && laps == 0) {
        root.missing(&reader.warnings)?;
        if courses > 0 && acts.is_empty() {
            return Err(DecodeError::new(
                ProblemKind::NotActivityFile,
                "a tcx course, not an activity",
            ));
        }
        return Err(xml::nothing_usable(&reader.warnings, "activity"));
    }

    let sessions: Vec<Totals> = acts.iter().map(Act::session).collect();
    let mut summary = Summary::empty(Format::Tcx);
    summary.records = records;
    summary.records_with_hr = acts.iter().map(|a| a.points.with_hr).sum();
    summary.records_with_position = acts.iter().map(|a| a.points.with_position).sum();
    summary.totals.start_time = sessions.iter().find_map(|s| s.start_time);
    let last_time = acts.iter().rev().find_map(|a| a.points.last_time);
    summary.end_time = last_time.map(xml::whole_seconds).or_else(|| {
        let s = sessions.last()?;
        // Lap times are the file's word: a huge or negative one gives no end, not an overflow.
        let elapsed = s.elapsed_s.filter(|e| (0.0..1e10).contains(e))?;
        s.start_time?.checked_add(elapsed as i64)
    });
    summary.totals.elapsed_s = sum(sessions.iter().map(|s| s.elapsed_s));
    summary.totals.timer_s = sum(sessions.iter().map(|s| s.timer_s));
    summary.totals.distance_m = sum(sessions.iter().map(|s| s.distance_m));
    summary.totals.ascent_m = sum(sessions.iter().map(|s| s.ascent_m));
    summary.totals.descent_m = sum(sessions.iter().map(|s| s.descent_m));
    summary.totals.max_hr =
        sessions.iter().filter_map(|s| s.max_hr).fold(None, |m, v| Some(v.max(m.unwrap_or(v))));
    summary.totals.laps = u32::try_from(laps).ok();
    let (weighted, weight) = sessions
        .iter()
        .filter_map(|s| Some((s.avg_hr?, s.elapsed_s.filter(|t| *t > 0.0)?)))
        .fold((0.0, 0.0), |(a, w), (hr, t)| (a + hr * t, w + t));
    summary.totals.avg_hr =
        if weight > 0.0 { Some(weighted / weight) } else { sessions.iter().find_map(|s| s.avg_hr) };
    let first_sport = sessions[0].sport.clone();
    summary.totals.sport = if sessions.iter().all(|s| s.sport == first_sport) {
        first_sport
    } else {
        "multisport".to_owned()
    };
    if sessions.len() > 1 {
        summary.sessions = sessions;
    }
    summary.warnings = reader.warnings;
    summary.warnings.extend(
        bad_positions.warning(|n| {
            format!("{n} trackpoint(s) with an unreadable position, kept without one")
        }),
    );
    Ok(Activity { summary, samples })
}

/// The sum of the values that are present, `None` when none is.
fn sum(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values.flatten().fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
}

fn finish(act: Option<&mut Act>, samples: &mut Vec<Sample>, p: Sample, options: &DecodeOptions) {
    if let Some(a) = act {
        a.add(&p);
        options.keep(samples, p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Activity, DecodeError> {
        decode(text.as_bytes(), &DecodeOptions { samples: true })
    }

    const TWO_LAPS: &str = r#"<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Biking"><Id>2020-12-27T15:43:49Z</Id>
<Lap StartTime="2020-12-27T15:43:49.500+01:00"><TotalTimeSeconds>100.5</TotalTimeSeconds><DistanceMeters>500</DistanceMeters>
<AverageHeartRateBpm><Value>120</Value></AverageHeartRateBpm><MaximumHeartRateBpm><Value>150</Value></MaximumHeartRateBpm>
<Track><Trackpoint><Time>2020-12-27T14:43:50Z</Time><Position><LatitudeDegrees>1</LatitudeDegrees><LongitudeDegrees>no</LongitudeDegrees></Position>
<AltitudeMeters>10</AltitudeMeters><DistanceMeters>1</DistanceMeters><HeartRateBpm><Value>130</Value></HeartRateBpm><Cadence>80</Cadence></Trackpoint>
<Trackpoint><Time>2020-12-27T14:45:00Z</Time><Position><LatitudeDegrees>1</LatitudeDegrees><LongitudeDegrees>2</LongitudeDegrees></Position>
<AltitudeMeters>20</AltitudeMeters><DistanceMeters>450</DistanceMeters></Trackpoint></Track></Lap>
<Lap StartTime="2020-12-27T14:46:00Z"><TotalTimeSeconds>50</TotalTimeSeconds><DistanceMeters>300</DistanceMeters>
<Track><Trackpoint><Time>2020-12-27T14:46:10Z</Time></Trackpoint></Track></Lap>
</Activity></Activities></TrainingCenterDatabase>"#;

    #[test]
    fn laps_and_trackpoints() {
        let a = run(TWO_LAPS).unwrap();
        let s = &a.summary;
        assert_eq!(s.records, 3);
        assert_eq!(s.records_with_hr, 1);
        assert_eq!(s.records_with_position, 1);
        assert_eq!(s.totals.sport, "cycling");
        assert_eq!(s.totals.start_time, Some(1_609_080_229));
        assert_eq!(s.totals.elapsed_s, Some(150.5));
        assert_eq!(s.totals.distance_m, Some(450.0));
        assert_eq!(s.totals.max_hr, Some(130.0));
        assert_eq!(s.totals.laps, Some(2));
        assert_eq!(s.totals.ascent_m, Some(10.0));
        assert_eq!(a.samples[0].cadence_rpm, Some(80.0));
        assert!(s.sessions.is_empty());
        assert_eq!(s.warnings.len(), 1, "the position `no` is reported");
        assert_eq!(s.warnings[0].kind, ProblemKind::BadStructure);
    }

    #[test]
    fn lap_distance_and_max_hr_when_trackpoints_have_none() {
        let text = TWO_LAPS
            .replace("<DistanceMeters>1</DistanceMeters>", "")
            .replace("<DistanceMeters>450</DistanceMeters>", "")
            .replace("<HeartRateBpm><Value>130</Value></HeartRateBpm>", "");
        let s = run(&text).unwrap().summary;
        assert_eq!(s.totals.distance_m, Some(800.0));
        assert_eq!(s.totals.max_hr, Some(150.0));
    }

    /// Found by the `tcx` fuzz target: a lap time of 1e300 without trackpoint times overflowed
    /// the end time.
    #[test]
    fn absurd_lap_time_gives_no_end_time() {
        let text = r#"<TrainingCenterDatabase><Activities><Activity Sport="Running">
<Lap StartTime="2020-12-27T15:43:49Z"><TotalTimeSeconds>1e300</TotalTimeSeconds>
<Track><Trackpoint><HeartRateBpm><Value>142</Value></HeartRateBpm></Trackpoint></Track>
</Lap></Activity></Activities></TrainingCenterDatabase>"#;
        let s = run(text).unwrap().summary;
        assert_eq!(s.records, 1);
        assert_eq!(s.end_time, None);
        assert_eq!(s.totals.start_time, Some(1_609_083_829));
        let s = run(&text.replace("1e300", "-5")).unwrap().summary;
        assert_eq!(s.end_time, None);
        let s = run(&text.replace("1e300", "60")).unwrap().summary;
        assert_eq!(s.end_time, Some(1_609_083_889));
    }

    #[test]
    fn course_is_not_an_activity() {
        let text = r#"<TrainingCenterDatabase><Courses><Course><Name>x</Name><Lap><TotalTimeSeconds>5</TotalTimeSeconds></Lap><Track><Trackpoint><Time>2020-01-01T00:00:00Z</Time></Trackpoint></Track></Course></Courses></TrainingCenterDatabase>"#;
        assert_eq!(run(text).unwrap_err().kind, ProblemKind::NotActivityFile);
    }

    #[test]
    fn whitespace_before_declaration_is_a_warning() {
        let text = format!("    {TWO_LAPS}");
        let a = run(&text).unwrap();
        assert_eq!(a.summary.records, 3);
        assert_eq!(a.summary.warnings.len(), 2);
        assert_eq!(a.summary.warnings[0].kind, ProblemKind::BadXml);
        assert_eq!(a.summary.warnings[0].offset, Some(0));
    }
}
