//! GPX 1.0 and 1.1: track points in, [`Activity`] out.
//!
//! The rules are the contract's (interfaces.md, "GPX"): records are track points (route points
//! and waypoints are not records, and a file without a track point is `not_activity_file`);
//! distance is the 2-D haversine sum inside each track segment, nothing between segments;
//! start time is the first track point that has a time, truncated to the second. Heart rate and
//! cadence come from Garmin's `TrackPointExtension` or any extension element named `hr`,
//! `heartrate`, `cad` or `cadence`, whatever its prefix.
//!
//! Computed totals, because GPX carries none: elapsed = the sum over track segments of (last −
//! first timed point of the segment), as gpxpy computes durations: recorders start a new segment
//! at a pause, and tracks merged from several days must not count the nights between them; timer
//! = the same (GPX carries no pause information); end time = the last timed point;
//! ascent/descent with the hysteresis of [`crate::geo::Climb`], per segment; average heart rate =
//! the mean over points that have one.

use crate::geo::{PathLength, valid_position};
use crate::model::{Activity, DecodeError, DecodeOptions, Format, Sample, Summary};
use crate::xml::{self, Node, Points, XmlReader};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Gpx,
    Trk,
    Trkseg,
    Trkpt,
    Extensions,
    Ele,
    Time,
    Speed,
    Hr,
    Cad,
    Temp,
    Power,
    Type,
    Other,
}

fn tag_of(local: &str) -> Tag {
    match local {
        "gpx" => Tag::Gpx,
        "trk" => Tag::Trk,
        "trkseg" => Tag::Trkseg,
        "trkpt" => Tag::Trkpt,
        "extensions" => Tag::Extensions,
        "ele" => Tag::Ele,
        "time" => Tag::Time,
        "speed" => Tag::Speed,
        "hr" | "heartrate" => Tag::Hr,
        "cad" | "cadence" => Tag::Cad,
        "atemp" | "temp" | "Temperature" => Tag::Temp,
        "power" | "PowerInWatts" => Tag::Power,
        "type" => Tag::Type,
        _ => Tag::Other,
    }
}

/// Everything summed while reading.
#[derive(Debug, Default)]
struct Totals {
    points: Points,
    seg_first: Option<f64>,
    seg_last: Option<f64>,
    timer_s: f64,
    path: PathLength,
    sport: Option<&'static str>,
}

impl Totals {
    fn break_segment(&mut self) {
        self.path.break_segment();
        self.points.climb.break_segment();
        if let (Some(a), Some(b)) = (self.seg_first, self.seg_last) {
            self.timer_s += (b - a).max(0.0);
        }
        self.seg_first = None;
        self.seg_last = None;
    }

    fn add(&mut self, p: &Sample) {
        self.points.add(p);
        if let (Some(lat), Some(lon)) = (p.lat_deg, p.lon_deg) {
            self.path.push(lat, lon);
        }
        if let Some(t) = p.time_s {
            self.seg_first.get_or_insert(t);
            self.seg_last = Some(t);
        }
    }
}

/// Decodes a GPX file.
pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<Activity, DecodeError> {
    let text = xml::as_text(bytes);
    let mut reader = XmlReader::new(&text);
    let mut stack: Vec<Tag> = Vec::with_capacity(16);
    let mut totals = Totals::default();
    let mut samples = Vec::new();
    let mut point: Option<Sample> = None;
    let mut trkpt_level = 0usize;
    let mut root = xml::Root::default();
    // Track points whose coordinates are missing or unreadable.
    let mut bad_coordinates = xml::Unreadable::default();

    while let Some(node) = reader.next_node() {
        match node {
            Node::Open { tag, empty } => {
                let t = tag_of(xml::local_name(&tag));
                root.check(t == Tag::Gpx, "gpx")?;
                match t {
                    Tag::Trk | Tag::Trkseg => totals.break_segment(),
                    Tag::Trkpt if point.is_none() && stack.contains(&Tag::Trk) => {
                        let lat = xml::attr(&tag, "lat").and_then(|v| xml::number(&v));
                        let lon = xml::attr(&tag, "lon").and_then(|v| xml::number(&v));
                        let mut p = Sample::default();
                        if let (Some(lat), Some(lon)) = (lat, lon)
                            && valid_position(lat, lon)
                        {
                            p.lat_deg = Some(lat);
                            p.lon_deg = Some(lon);
                        } else {
                            bad_coordinates.add(reader.offset());
                        }
                        if empty {
                            finish(&mut totals, &mut samples, p, options);
                        } else {
                            point = Some(p);
                            trkpt_level = stack.len() + 1;
                        }
                    }
                    _ => {}
                }
                if !empty {
                    stack.push(t);
                }
            }
            Node::Close => {
                let closed = stack.pop();
                if closed == Some(Tag::Trkpt) && stack.len() + 1 == trkpt_level {
                    if let Some(p) = point.take() {
                        finish(&mut totals, &mut samples, p, options);
                    }
                } else if matches!(closed, Some(Tag::Trk | Tag::Trkseg)) {
                    totals.break_segment();
                }
            }
            Node::Text(value) => {
                let Some(&top) = stack.last() else { continue };
                if let Some(p) = point.as_mut() {
                    let direct = stack.len() == trkpt_level + 1;
                    let in_ext = stack.len() > trkpt_level + 1
                        && stack.get(trkpt_level).is_some_and(|t| *t == Tag::Extensions);
                    match top {
                        Tag::Ele if direct => p.altitude_m = xml::number(value),
                        Tag::Time if direct => p.time_s = xml::time(value),
                        Tag::Speed if direct || in_ext => {
                            p.speed_mps = p.speed_mps.or(xml::number(value).filter(|v| *v >= 0.0))
                        }
                        Tag::Hr if in_ext => {
                            p.heart_rate_bpm =
                                p.heart_rate_bpm.or(xml::number(value).filter(|v| *v > 0.0))
                        }
                        Tag::Cad if in_ext => {
                            p.cadence_rpm =
                                p.cadence_rpm.or(xml::number(value).filter(|v| *v >= 0.0))
                        }
                        Tag::Temp if in_ext => {
                            p.temperature_c = p.temperature_c.or(xml::number(value))
                        }
                        Tag::Power if in_ext => {
                            p.power_w = p.power_w.or(xml::number(value).filter(|v| *v >= 0.0))
                        }
                        _ => {}
                    }
                } else if top == Tag::Type
                    && stack.len() >= 2
                    && stack[stack.len() - 2] == Tag::Trk
                    && totals.sport.is_none()
                {
                    totals.sport = crate::sport::sport_from_name(value);
                }
            }
        }
    }
    // A file cut inside a track point still has that point's data.
    if let Some(p) = point.take() {
        finish(&mut totals, &mut samples, p, options);
    }
    totals.break_segment();

    if totals.points.records == 0 {
        root.missing(&reader.warnings)?;
        return Err(xml::nothing_usable(&reader.warnings, "track point"));
    }

    let mut summary = Summary::empty(Format::Gpx);
    if let Some(sport) = totals.sport {
        sport.clone_into(&mut summary.totals.sport);
    }
    summary.records = totals.points.records;
    summary.records_with_hr = totals.points.with_hr;
    summary.records_with_position = totals.points.with_position;
    summary.totals.start_time = totals.points.first_time.map(xml::whole_seconds);
    summary.end_time = totals.points.last_time.map(xml::whole_seconds);
    if totals.points.first_time.is_some() {
        summary.totals.elapsed_s = Some(totals.timer_s);
        summary.totals.timer_s = Some(totals.timer_s);
    }
    if totals.points.with_position > 0 {
        summary.totals.distance_m = Some(totals.path.total_m);
    }
    summary.totals.avg_hr = totals.points.avg_hr();
    summary.totals.max_hr = totals.points.max_hr;
    (summary.totals.ascent_m, summary.totals.descent_m) = totals.points.climb.totals();
    summary.warnings = reader.warnings;
    summary.warnings.extend(bad_coordinates.warning(|n| {
        format!("{n} track point(s) without readable coordinates, kept without a position")
    }));
    Ok(Activity { summary, samples })
}

fn finish(totals: &mut Totals, samples: &mut Vec<Sample>, p: Sample, options: &DecodeOptions) {
    totals.add(&p);
    options.keep(samples, p);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProblemKind;

    fn run(text: &str) -> Result<Activity, DecodeError> {
        decode(text.as_bytes(), &DecodeOptions { samples: true })
    }

    const TWO_SEGMENTS: &str = r#"<?xml version="1.0"?>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:g="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><type>running</type><trkseg>
<trkpt lat="0" lon="0"><ele>10</ele><time>2026-11-22T07:01:12.9Z</time><extensions><g:TrackPointExtension><g:hr>120</g:hr><g:cad>80</g:cad></g:TrackPointExtension></extensions></trkpt>
<trkpt lat="0" lon="0.001"><ele>15</ele><time>2026-11-22T07:01:22Z</time></trkpt>
</trkseg><trkseg>
<trkpt lat="1" lon="1"><ele>12</ele><time>2026-11-22T07:02:22Z</time><extensions><g:TrackPointExtension><g:hr>140</g:hr></g:TrackPointExtension></extensions></trkpt>
<trkpt lat="1" lon="1.001"><time>2026-11-22T07:02:32Z</time></trkpt>
</trkseg></trk>
<rte><rtept lat="5" lon="5"/></rte><wpt lat="3" lon="3"><extensions><hr>99</hr></extensions></wpt>
</gpx>"#;

    #[test]
    fn segments_hr_and_times() {
        let a = run(TWO_SEGMENTS).unwrap();
        let s = &a.summary;
        assert_eq!(s.records, 4);
        assert_eq!(s.records_with_hr, 2);
        assert_eq!(s.records_with_position, 4);
        assert_eq!(s.totals.sport, "running");
        let seg1 = crate::geo::haversine_m(0.0, 0.0, 0.0, 0.001);
        let seg2 = crate::geo::haversine_m(1.0, 1.0, 1.0, 1.001);
        assert!((s.totals.distance_m.unwrap() - (seg1 + seg2)).abs() < 1e-6);
        assert_eq!(s.totals.max_hr, Some(140.0));
        assert_eq!(s.totals.avg_hr, Some(130.0));
        assert_eq!(s.totals.start_time, Some(1_795_330_872));
        assert!((s.totals.elapsed_s.unwrap() - 19.1).abs() < 1e-6);
        assert!((s.totals.timer_s.unwrap() - 19.1).abs() < 1e-6);
        assert_eq!(s.totals.ascent_m, Some(5.0));
        assert_eq!(a.samples.len(), 4);
        assert_eq!(a.samples[0].cadence_rpm, Some(80.0));
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn route_only_is_not_an_activity() {
        let e = run(r#"<gpx><rte><rtept lat="1" lon="1"/></rte><wpt lat="1" lon="2"/></gpx>"#)
            .unwrap_err();
        assert_eq!(e.kind, ProblemKind::NotActivityFile);
    }

    #[test]
    fn truncated_file_keeps_its_points() {
        let cut =
            &TWO_SEGMENTS[..TWO_SEGMENTS.find("<trkpt lat=\"1\" lon=\"1.001\"").unwrap() + 10];
        let a = run(cut).unwrap();
        assert_eq!(a.summary.records, 3);
        assert!(!a.summary.warnings.is_empty());
    }

    #[test]
    fn garbage_is_bad_xml() {
        let e = run("<gpx><trk><trkseg><trkpt lat=\"1\" <<<").unwrap_err();
        assert_eq!(e.kind, ProblemKind::BadXml);
        assert_eq!(run("").unwrap_err().kind, ProblemKind::BadXml);
    }

    #[test]
    fn invalid_coordinates_are_records_without_position() {
        let a = run(r#"<gpx><trk><trkseg><trkpt lat="undefined" lon="1"><time>2007-05-11T15:22:06Z</time></trkpt></trkseg></trk></gpx>"#).unwrap();
        assert_eq!(a.summary.records, 1);
        assert_eq!(a.summary.records_with_position, 0);
        assert_eq!(a.summary.totals.distance_m, None);
        assert_eq!(a.summary.warnings.len(), 1);
        assert_eq!(a.summary.warnings[0].kind, ProblemKind::BadStructure);
    }
}
