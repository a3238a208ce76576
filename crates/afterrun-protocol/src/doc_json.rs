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
    BlockDoc, Code, CompressionDoc, DoseDoc, PLAN_BYTES, PlanDoc, ProgramBodyDoc, ProgramDoc,
    ReasonDoc, ReferenceDoc, SegmentDoc, StepDoc, Texts, TriageDoc, VibrationDoc, utc,
};
use crate::region::Region;

impl PlanDoc {
    /// The contract's JSON: compact and deterministic, the bytes `serde_json::to_string` would
    /// write, written by hand into one buffer sized for a plan.
    pub fn to_json(&self) -> String {
        plan(self, PLAN_BYTES)
    }
}

/// Writes `doc` as compact JSON, reserving `capacity` bytes first.
pub fn plan(doc: &PlanDoc, capacity: usize) -> String {
    let mut w = Writer { out: String::with_capacity(capacity), clock: utc::Clock::default() };
    w.plan(doc);
    w.out
}

/// Writes a JSON object from `"key" => writing` pairs: the key (with its comma, quotes and
/// colon, one literal), then what writes the value. `fields!` leaves the object open.
macro_rules! fields {
    ($w:ident; $first:literal => $value:expr $(, $key:literal => $more:expr)* $(,)?) => {{
        $w.raw(concat!("{\"", $first, "\":"));
        $value;
        $($w.raw(concat!(",\"", $key, "\":")); $more;)*
    }};
}

macro_rules! object {
    ($w:ident; $($fields:tt)*) => {{
        fields!($w; $($fields)*);
        $w.raw("}");
    }};
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
        compact::list_into(&mut self.out, texts);
    }

    /// A list of the planner's tables is copied as one piece of JSON, written once.
    fn fixed_texts(&mut self, texts: &Texts) {
        match texts {
            Texts::Borrowed(items) => compact::fixed_list_into(&mut self.out, items),
            Texts::Owned(items) => self.texts(items),
        }
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

    fn plan(&mut self, d: &PlanDoc) {
        object!(self; "generated_at" => self.time(d.generated_at),
            "triage" => self.triage(&d.triage), "assumptions" => self.texts(&d.assumptions),
            "notes" => self.texts(&d.notes), "steps" => self.list(&d.steps, Writer::step),
            "device_programs" => self.list(&d.device_programs, Writer::program),
            "references" => self.list(&d.references, Writer::reference));
    }

    fn triage(&mut self, t: &TriageDoc) {
        object!(self; "level" => self.code(t.level.code()),
            "reasons" => self.list(&t.reasons, Writer::reason),
            "blocked" => self.list(&t.blocked, Writer::block), "advice" => self.text(&t.advice));
    }

    fn reason(&mut self, r: &ReasonDoc) {
        object!(self; "code" => self.text(&r.code), "level" => self.code(r.level.code()),
            "text" => self.text(&r.text), "evidence" => self.texts(&r.evidence));
    }

    fn block(&mut self, b: &BlockDoc) {
        object!(self; "modality" => self.code(b.modality.code()),
            "region" => self.region(&b.region), "reason" => self.text(&b.reason));
    }

    fn step(&mut self, s: &StepDoc) {
        object!(self; "start" => self.time(s.start), "offset_min" => self.uint(s.offset_min),
            "modality" => self.code(s.modality.code()), "duration_s" => self.uint(s.duration_s),
            "targets" => self.list(&s.targets, Writer::region), "dose" => self.dose(&s.dose),
            "instructions" => self.fixed_texts(&s.instructions), "why" => self.text(&s.why),
            "evidence" => self.fixed_texts(&s.evidence));
    }

    /// A dose: untagged, so only its fields.
    fn dose(&mut self, d: &DoseDoc) {
        match d {
            DoseDoc::Easy { intensity } => object!(self; "intensity" => self.text(intensity)),
            DoseDoc::Dynamic { reps_per_side, leg_swings_each_way, torso_twists } => {
                object!(self; "reps_per_side" => self.uint(*reps_per_side),
                    "leg_swings_each_way" => self.uint(*leg_swings_each_way),
                    "torso_twists" => self.uint(*torso_twists));
            }
            DoseDoc::Static { seconds, reps } => {
                object!(self; "seconds" => self.uint(*seconds), "reps" => self.uint(*reps));
            }
            DoseDoc::FoamRolling { seconds_per_group, sets, pace, pressure } => {
                object!(self; "seconds_per_group" => self.uint(*seconds_per_group),
                    "sets" => self.uint(*sets), "pace" => self.text(pace),
                    "pressure" => self.code(pressure.code()));
            }
            DoseDoc::MassageGun { seconds_per_spot, pressure } => {
                object!(self; "seconds_per_spot" => self.uint(*seconds_per_spot),
                    "pressure" => self.code(pressure.code()));
            }
            DoseDoc::Compression { level, minutes, pattern, hold_s, rest_s, max_mmhg } => {
                fields!(self; "level" => self.uint(*level), "minutes" => self.uint(*minutes),
                    "pattern" => self.text(pattern), "hold_s" => self.uint(*hold_s),
                    "rest_s" => self.uint(*rest_s));
                if let Some(cap) = max_mmhg {
                    self.raw(",\"max_mmhg\":");
                    self.uint(*cap);
                }
                self.raw("}");
            }
            DoseDoc::Vibration { frequency_hz, amplitude_mm, bout_s, bouts, stance } => {
                object!(self; "frequency_hz" => self.float(*frequency_hz),
                    "amplitude_mm" => self.float(*amplitude_mm), "bout_s" => self.uint(*bout_s),
                    "bouts" => self.uint(*bouts), "stance" => self.fixed_texts(stance));
            }
            DoseDoc::Hydration { water_ml, electrolytes } => {
                object!(self; "water_ml" => self.uint(*water_ml),
                    "electrolytes" => self.boolean(*electrolytes));
            }
            DoseDoc::None {} => self.raw("{}"),
        }
    }

    fn program(&mut self, p: &ProgramDoc) {
        let step = u64::try_from(p.step).unwrap_or(u64::MAX);
        object!(self; "device" => self.code(p.device.code()), "step" => self.uint(step),
        "program" => match &p.program {
            ProgramBodyDoc::Compression(c) => self.compression(c),
            ProgramBodyDoc::Vibration(v) => self.vibration(v),
        });
    }

    fn compression(&mut self, c: &CompressionDoc) {
        object!(self; "pattern" => self.text(&c.pattern), "level" => self.uint(c.level),
            "targets_mmhg" => match &c.targets_mmhg {
                Some(targets) => self.list(targets, |w, v| w.uint(*v)),
                None => self.raw("null"),
            },
            "chambers" => self.uint(c.chambers), "legs" => self.text(&c.legs),
            "hold_s" => self.uint(c.hold_s), "rest_s" => self.uint(c.rest_s),
            "duration_min" => self.uint(c.duration_min),
            "boost" => self.list(&c.boost, |w, v| w.uint(*v)),
            "gradient" => self.boolean(c.gradient));
    }

    fn vibration(&mut self, v: &VibrationDoc) {
        object!(self; "ramp_s" => self.uint(v.ramp_s),
            "segments" => self.list(&v.segments, Writer::segment));
    }

    fn segment(&mut self, s: &SegmentDoc) {
        object!(self; "stance" => self.text(&s.stance),
            "frequency_hz" => self.float(s.frequency_hz), "amplitude" => self.text(&s.amplitude),
            "duration_s" => self.uint(s.duration_s), "rest_s" => self.uint(s.rest_s));
    }

    fn reference(&mut self, r: &ReferenceDoc) {
        compact::reference_into(&mut self.out, &r.id, &r.citation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{Level, Modality};
    use crate::doc::Pressure;

    #[test]
    fn codes_written_without_a_check_need_no_escape() {
        let fixed = Modality::CODES.iter().chain(Level::CODES).copied();
        let pressures = [Pressure::Light, Pressure::Moderate].map(Pressure::code);
        for code in fixed.chain(pressures) {
            assert_eq!(serde_json::to_string(code).unwrap(), format!("\"{code}\""));
        }
        for region in crate::region::all_regions().into_iter().chain([Region::All]) {
            let mut w = Writer { out: String::new(), clock: utc::Clock::default() };
            w.region(&region);
            assert_eq!(w.out, serde_json::to_string(&region.code()).unwrap());
        }
    }
}
