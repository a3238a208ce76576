//! The plan's JSON written by hand: the bytes `serde_json::to_string` writes for a
//! [`PlanDoc`], field by field into one pre-sized `String`, with no serializer in between.
//!
//! Keys are written with their quotes, colon and comma as one literal; codes of the contract's
//! enums (modalities, levels, regions) are plain identifiers and are copied without an escape
//! check (a test holds them to that); sentences go through [`compact`]'s escaping, the
//! planner's `&'static str`s through its cache of clean strings. Floats are left to serde_json.

use jiff::Timestamp;

use crate::compact;
use crate::doc::{
    BlockDoc, Code, CompressionDoc, DoseDoc, PlanDoc, ProgramBodyDoc, ProgramDoc, ReasonDoc,
    ReferenceDoc, SegmentDoc, StepDoc, TriageDoc, VibrationDoc, utc,
};
use crate::region::Region;

/// Writes `doc` as compact JSON, reserving `capacity` bytes first.
pub fn plan(doc: &PlanDoc, capacity: usize) -> String {
    let mut w = Writer { out: String::with_capacity(capacity), clock: utc::Clock::default() };
    w.raw("{\"generated_at\":");
    w.time(doc.generated_at);
    w.raw(",\"triage\":");
    w.triage(&doc.triage);
    w.raw(",\"assumptions\":");
    w.texts(&doc.assumptions);
    w.raw(",\"notes\":");
    w.texts(&doc.notes);
    w.raw(",\"steps\":");
    w.list(&doc.steps, Writer::step);
    w.raw(",\"device_programs\":");
    w.list(&doc.device_programs, Writer::program);
    w.raw(",\"references\":");
    w.list(&doc.references, Writer::reference);
    w.raw("}");
    w.out
}

struct Writer {
    out: String,
    clock: utc::Clock,
}

impl Writer {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// A code of the contract (identifier characters only): no escape can be needed.
    fn code(&mut self, code: &str) {
        self.out.push('"');
        self.out.push_str(code);
        self.out.push('"');
    }

    /// A region's code, its stem and side joined here (`quads_left`).
    fn region(&mut self, region: &Region) {
        let (stem, side) = region.code_parts();
        self.out.push('"');
        self.out.push_str(stem);
        if let Some(side) = side {
            self.out.push('_');
            self.out.push_str(side);
        }
        self.out.push('"');
    }

    /// A sentence or code of the plan, escaped as serde_json escapes it.
    fn text(&mut self, text: &Code) {
        self.out.push('"');
        compact::text_into(&mut self.out, text);
        self.out.push('"');
    }

    fn texts(&mut self, texts: &[Code]) {
        self.list(texts, Writer::text);
    }

    fn list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Writer, &T)) {
        self.out.push('[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            item(self, x);
        }
        self.out.push(']');
    }

    fn uint(&mut self, v: impl Into<u64>) {
        compact::integer_into(&mut self.out, v.into());
    }

    fn float(&mut self, v: f64) {
        compact::float_into(&mut self.out, v);
    }

    fn boolean(&mut self, v: bool) {
        self.raw(if v { "true" } else { "false" });
    }

    fn time(&mut self, t: Timestamp) {
        utc::write_into(&mut self.out, t, &mut self.clock);
    }

    fn triage(&mut self, t: &TriageDoc) {
        self.raw("{\"level\":");
        self.code(t.level.code());
        self.raw(",\"reasons\":");
        self.list(&t.reasons, Writer::reason);
        self.raw(",\"blocked\":");
        self.list(&t.blocked, Writer::block);
        self.raw(",\"advice\":");
        self.text(&t.advice);
        self.raw("}");
    }

    fn reason(&mut self, r: &ReasonDoc) {
        self.raw("{\"code\":");
        self.text(&r.code);
        self.raw(",\"level\":");
        self.code(r.level.code());
        self.raw(",\"text\":");
        self.text(&r.text);
        self.raw(",\"evidence\":");
        self.texts(&r.evidence);
        self.raw("}");
    }

    fn block(&mut self, b: &BlockDoc) {
        self.raw("{\"modality\":");
        self.code(b.modality.code());
        self.raw(",\"region\":");
        self.region(&b.region);
        self.raw(",\"reason\":");
        self.text(&b.reason);
        self.raw("}");
    }

    fn step(&mut self, s: &StepDoc) {
        self.raw("{\"start\":");
        self.time(s.start);
        self.raw(",\"offset_min\":");
        self.uint(s.offset_min);
        self.raw(",\"modality\":");
        self.code(s.modality.code());
        self.raw(",\"duration_s\":");
        self.uint(s.duration_s);
        self.raw(",\"targets\":");
        self.list(&s.targets, Writer::region);
        self.raw(",\"dose\":");
        self.dose(&s.dose);
        self.raw(",\"instructions\":");
        self.texts(&s.instructions);
        self.raw(",\"why\":");
        self.text(&s.why);
        self.raw(",\"evidence\":");
        self.texts(&s.evidence);
        self.raw("}");
    }

    /// A dose: untagged, so only its fields.
    fn dose(&mut self, d: &DoseDoc) {
        match d {
            DoseDoc::Easy { intensity } => {
                self.raw("{\"intensity\":");
                self.text(intensity);
            }
            DoseDoc::Dynamic { reps_per_side, leg_swings_each_way, torso_twists } => {
                self.raw("{\"reps_per_side\":");
                self.uint(*reps_per_side);
                self.raw(",\"leg_swings_each_way\":");
                self.uint(*leg_swings_each_way);
                self.raw(",\"torso_twists\":");
                self.uint(*torso_twists);
            }
            DoseDoc::Static { seconds, reps } => {
                self.raw("{\"seconds\":");
                self.uint(*seconds);
                self.raw(",\"reps\":");
                self.uint(*reps);
            }
            DoseDoc::FoamRolling { seconds_per_group, sets, pace, pressure } => {
                self.raw("{\"seconds_per_group\":");
                self.uint(*seconds_per_group);
                self.raw(",\"sets\":");
                self.uint(*sets);
                self.raw(",\"pace\":");
                self.text(pace);
                self.raw(",\"pressure\":");
                self.code(pressure.code());
            }
            DoseDoc::MassageGun { seconds_per_spot, pressure } => {
                self.raw("{\"seconds_per_spot\":");
                self.uint(*seconds_per_spot);
                self.raw(",\"pressure\":");
                self.code(pressure.code());
            }
            DoseDoc::Compression { .. } => self.compression_dose(d),
            DoseDoc::Vibration { frequency_hz, amplitude_mm, bout_s, bouts, stance } => {
                self.raw("{\"frequency_hz\":");
                self.float(*frequency_hz);
                self.raw(",\"amplitude_mm\":");
                self.float(*amplitude_mm);
                self.raw(",\"bout_s\":");
                self.uint(*bout_s);
                self.raw(",\"bouts\":");
                self.uint(*bouts);
                self.raw(",\"stance\":");
                self.texts(stance);
            }
            DoseDoc::Hydration { water_ml, electrolytes } => {
                self.raw("{\"water_ml\":");
                self.uint(*water_ml);
                self.raw(",\"electrolytes\":");
                self.boolean(*electrolytes);
            }
            DoseDoc::None {} => self.raw("{"),
        }
        self.raw("}");
    }

    /// The fields of a compression dose (the closing brace is the caller's).
    fn compression_dose(&mut self, d: &DoseDoc) {
        let DoseDoc::Compression { level, minutes, pattern, hold_s, rest_s, max_mmhg } = d else {
            return;
        };
        self.raw("{\"level\":");
        self.uint(*level);
        self.raw(",\"minutes\":");
        self.uint(*minutes);
        self.raw(",\"pattern\":");
        self.text(pattern);
        self.raw(",\"hold_s\":");
        self.uint(*hold_s);
        self.raw(",\"rest_s\":");
        self.uint(*rest_s);
        if let Some(cap) = max_mmhg {
            self.raw(",\"max_mmhg\":");
            self.uint(*cap);
        }
    }

    fn program(&mut self, p: &ProgramDoc) {
        self.raw("{\"device\":");
        self.code(p.device.code());
        self.raw(",\"step\":");
        self.uint(u64::try_from(p.step).unwrap_or(u64::MAX));
        self.raw(",\"program\":");
        match &p.program {
            ProgramBodyDoc::Compression(c) => self.compression(c),
            ProgramBodyDoc::Vibration(v) => self.vibration(v),
        }
        self.raw("}");
    }

    fn compression(&mut self, c: &CompressionDoc) {
        self.raw("{\"pattern\":");
        self.text(&c.pattern);
        self.raw(",\"level\":");
        self.uint(c.level);
        self.raw(",\"targets_mmhg\":");
        match &c.targets_mmhg {
            Some(targets) => self.list(targets, |w, v| w.uint(*v)),
            None => self.raw("null"),
        }
        self.raw(",\"chambers\":");
        self.uint(c.chambers);
        self.raw(",\"legs\":");
        self.text(&c.legs);
        self.raw(",\"hold_s\":");
        self.uint(c.hold_s);
        self.raw(",\"rest_s\":");
        self.uint(c.rest_s);
        self.raw(",\"duration_min\":");
        self.uint(c.duration_min);
        self.raw(",\"boost\":");
        self.list(&c.boost, |w, v| w.uint(*v));
        self.raw(",\"gradient\":");
        self.boolean(c.gradient);
        self.raw("}");
    }

    fn vibration(&mut self, v: &VibrationDoc) {
        self.raw("{\"ramp_s\":");
        self.uint(v.ramp_s);
        self.raw(",\"segments\":");
        self.list(&v.segments, Writer::segment);
        self.raw("}");
    }

    fn segment(&mut self, s: &SegmentDoc) {
        self.raw("{\"stance\":");
        self.text(&s.stance);
        self.raw(",\"frequency_hz\":");
        self.float(s.frequency_hz);
        self.raw(",\"amplitude\":");
        self.text(&s.amplitude);
        self.raw(",\"duration_s\":");
        self.uint(s.duration_s);
        self.raw(",\"rest_s\":");
        self.uint(s.rest_s);
        self.raw("}");
    }

    fn reference(&mut self, r: &ReferenceDoc) {
        self.raw("{\"id\":");
        self.text(&r.id);
        self.raw(",\"citation\":");
        self.text(&r.citation);
        self.raw("}");
    }
}
