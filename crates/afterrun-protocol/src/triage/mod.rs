//! Triage: red flags first (protocol.md §2).
//!
//! The table is [`table::ROWS`]: each row is one function over the check-in, with the region
//! classes it reads as an explicit input ([`RegionClass`]), its condition in words and its
//! reason. `docs/triage.md` is generated from that table. The last rows are the fallback, by
//! design rather than by list: every symptom that no row explains is at least `see_physio`
//! (`unexplained_symptom`), and anything on the chest is an emergency (`possible_cardiac`), so
//! a code on a region no row foresaw can never fall through to `doms_expected`.
//!
//! Missing `after` and `since_hours` are resolved toward safety by *existential* evaluation: a
//! literal on a missing field holds when *some* value of that field would make it hold. Because
//! the level is the maximum over rows, this equals "evaluate every filling and keep the highest
//! level" without enumerating fillings. A missing `trend` is `worsening`. A symptom without a
//! region is of class `Unknown`: it could be anywhere, so it counts as the whole body, any leg
//! region, the lower back and the chest; a systemic symptom without a region (a fever, dark
//! urine, dizziness, breathlessness, coughing blood) is the whole body's.
//!
//! Triage only ever removes options: it returns the level, the reasons and the blocks.

mod blocks;
pub mod rules;
pub mod table;

use jiff::Timestamp;

pub use rules::*;

use crate::checkin::{CheckIn, Symptom};
use crate::codes::{After, Level, SymptomCode, Trend};
use crate::doc::{BlockDoc, ReasonDoc, Text};
use crate::history::History;
use crate::region::{Region, RegionClass};

/// The reason code of the block that local symptoms put on hands-on work.
pub const LOCAL_SYMPTOM: &str = "local_symptom";
/// The reason code of the massage gun's bone and joint block.
pub const OVER_BONE: &str = "over_bone";
/// The reason code of the massage gun's Achilles block (v2).
pub const OVER_TENDON: &str = "over_tendon";
/// The reason code of the dizziness blocks (the plate, and the walk replaced by rest).
pub const DIZZINESS: &str = "dizziness";
/// The reason code of the blocks a fever puts on recovery work.
pub const FEVER: &str = "fever";
/// The reason code of the stretch block on a cramp that may be a strain (v2).
pub const POSSIBLE_STRAIN: &str = "possible_strain";

/// A finding: a rule fired by some symptoms, on some regions.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// The regions of the symptoms (or sore groups) involved.
    pub regions: Vec<Region>,
    /// The symptom codes involved, in input order (empty for soreness-only rows).
    pub codes: Vec<SymptomCode>,
}

/// The triage result.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageResult {
    /// The highest level reached.
    pub level: Level,
    /// Every finding, in the table's order.
    pub findings: Vec<Finding>,
    /// Blocks triage puts on modalities.
    pub blocked: Vec<BlockDoc>,
    /// What the steps need to know besides the level and the findings.
    pub flags: Flags,
}

impl TriageResult {
    /// True when a row with this reason code fired.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.rule.code == code)
    }

    /// The reasons to print, most severe first; rows that share a code are merged (their words
    /// and references joined).
    pub fn reasons(&self) -> Vec<ReasonDoc> {
        let mut out: Vec<ReasonDoc> = Vec::new();
        for f in &self.findings {
            let text = reason_text(f);
            match out.iter_mut().find(|r| r.code == f.rule.code) {
                Some(r) => {
                    if !r.text.contains(text.as_ref()) {
                        r.text = format!("{} {text}", r.text).into();
                    }
                    for e in f.rule.evidence {
                        if !r.evidence.iter().any(|have| have == e) {
                            r.evidence.push(Text::Borrowed(e));
                        }
                    }
                }
                None => out.push(ReasonDoc {
                    code: Text::Borrowed(f.rule.code),
                    level: f.rule.level,
                    text,
                    evidence: f.rule.evidence.iter().map(|e| Text::Borrowed(e)).collect(),
                }),
            }
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.level));
        out
    }

    /// The symptoms of the findings at `level` or above, in plain words, without repeats.
    pub fn found_words(&self, level: Level) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for f in self.findings.iter().filter(|f| f.rule.level >= level) {
            for c in &f.codes {
                if !out.contains(&c.words()) {
                    out.push(c.words());
                }
            }
        }
        out
    }
}

/// The words of one finding: the rule's, naming what was found where the rule is the fallback.
fn reason_text(f: &Finding) -> Text {
    if f.rule == UNEXPLAINED_SYMPTOM && !f.codes.is_empty() {
        let mut what: Vec<&str> = Vec::new();
        for c in &f.codes {
            if !what.contains(&c.words()) {
                what.push(c.words());
            }
        }
        let mut words = join_words(&what);
        if let Some(first) = words.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        return format!(
            "{words} is not part of ordinary post-run soreness: see a sports physiotherapist."
        )
        .into();
    }
    f.rule.text.into()
}

/// "a", "a and b", "a, b and c".
pub fn join_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A symptom as triage sees it: its region resolved and its class.
pub(crate) struct Sym<'a> {
    pub(crate) s: &'a Symptom,
    pub(crate) region: Region,
    pub(crate) class: RegionClass,
}

impl Sym<'_> {
    pub(crate) fn is(&self, code: SymptomCode) -> bool {
        self.s.code == code
    }
    pub(crate) fn is_any(&self, codes: &[SymptomCode]) -> bool {
        codes.contains(&self.s.code)
    }
    /// Could `after` be one of these? (A missing `after` could be anything.)
    pub(crate) fn after_may_be(&self, values: &[After]) -> bool {
        self.s.after.is_none_or(|a| values.contains(&a))
    }
    /// Could `after` be something other than these?
    pub(crate) fn after_may_not_be(&self, values: &[After]) -> bool {
        self.s.after.is_none_or(|a| !values.contains(&a))
    }
    pub(crate) fn trend(&self) -> Trend {
        self.s.trend.unwrap_or(Trend::Worsening)
    }
    /// Could `since_hours` exceed this many hours?
    pub(crate) fn since_may_exceed(&self, hours: f64) -> bool {
        self.s.since_hours.is_none_or(|h| h > hours)
    }
}

/// The class of a symptom's region: a symptom without one could be anywhere, unless it is
/// systemic (then it is the whole body's).
fn class_of(s: &Symptom) -> RegionClass {
    match s.region {
        None if s.code.is_systemic() => RegionClass::WholeBody,
        region => RegionClass::of(region),
    }
}

const SYMPTOM_CODES: usize = SymptomCode::ALL.len();

/// The sides a region is reported on as a bit mask (1 = left, 2 = right).
pub(crate) fn side_mask(region: Region) -> u8 {
    let [l, r] = region.sides();
    u8::from(l) | (u8::from(r) << 1)
}

/// The symptoms taking part in one rule: the ones that fired it, and the companions found
/// "on the same side" (as code sets with the sides they were looked for on).
#[derive(Default)]
pub(crate) struct Batch {
    primaries: Vec<usize>,
    with: Vec<(&'static [SymptomCode], u8)>,
    pub(crate) regions: Vec<Region>,
}

impl Batch {
    pub(crate) fn primary(&mut self, i: usize) {
        self.primaries.push(i);
    }
    pub(crate) fn primaries_empty(&self) -> bool {
        self.primaries.is_empty()
    }
    pub(crate) fn retain_primaries(&mut self, keep: impl Fn(usize) -> bool) {
        self.primaries.retain(|&i| keep(i));
    }
    pub(crate) fn with(&mut self, codes: &'static [SymptomCode], mask: u8) {
        match self.with.iter_mut().find(|(c, _)| std::ptr::eq(*c, codes)) {
            Some(entry) => entry.1 |= mask,
            None => self.with.push((codes, mask)),
        }
    }
}

/// What the rows read: the check-in, the history and the symptoms with their classes.
pub(crate) struct Ctx<'a> {
    pub(crate) checkin: &'a CheckIn,
    pub(crate) history: &'a History,
    pub(crate) syms: Vec<Sym<'a>>,
    /// Per symptom code, the sides it was reported on.
    code_sides: [u8; SYMPTOM_CODES],
    /// The sides with a leg region (or the whole body) rated ≥ 7 (a pain code).
    very_sore_sides: u8,
    /// The region classes the row being evaluated reads.
    classes: &'static [RegionClass],
    pub(crate) used: Vec<bool>,
    pub(crate) findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    fn new(checkin: &'a CheckIn, history: &'a History) -> Ctx<'a> {
        let symptoms = checkin.symptoms.as_deref().unwrap_or(&[]);
        let syms: Vec<Sym<'a>> = symptoms
            .iter()
            .map(|s| Sym { s, region: s.region_or_whole(), class: class_of(s) })
            .collect();
        let mut code_sides = [0u8; SYMPTOM_CODES];
        for y in &syms {
            if let Some(m) = code_sides.get_mut(y.s.code as usize) {
                *m |= side_mask(y.region);
            }
        }
        let very_sore_sides = checkin
            .soreness
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .filter(|(r, v)| *v >= 7.0 && RegionClass::of(Some(*r)).may_be_leg())
            .fold(0, |m, (r, _)| m | side_mask(*r));
        Ctx {
            checkin,
            history,
            used: vec![false; syms.len()],
            syms,
            code_sides,
            very_sore_sides,
            classes: &RegionClass::ALL,
            findings: Vec::new(),
        }
    }

    pub(crate) fn mask(&self, i: usize) -> u8 {
        self.syms.get(i).map_or(0, |y| side_mask(y.region))
    }

    pub(crate) fn code_on(&self, code: SymptomCode, mask: u8) -> bool {
        self.code_sides.get(code as usize).is_some_and(|m| m & mask != 0)
    }

    pub(crate) fn has_on(&self, codes: &[SymptomCode], mask: u8) -> bool {
        codes.iter().any(|c| self.code_on(*c, mask))
    }

    /// Is there a pain code on these sides (a pain symptom, or soreness ≥ 7)?
    pub(crate) fn pain_on(&self, mask: u8) -> bool {
        self.has_on(SymptomCode::PAIN, mask) || self.very_sore_sides & mask != 0
    }

    pub(crate) fn is_used(&self, i: usize) -> bool {
        self.used.get(i).copied().unwrap_or(true)
    }

    /// The symptoms in the current row's region classes that satisfy `pred`.
    pub(crate) fn indices(&self, pred: impl Fn(&Sym<'_>) -> bool) -> Vec<usize> {
        self.syms
            .iter()
            .enumerate()
            .filter(|(_, y)| self.classes.contains(&y.class) && pred(y))
            .map(|(i, _)| i)
            .collect()
    }

    /// A batch whose primaries are the symptoms (in scope) that satisfy `pred`.
    pub(crate) fn primaries(&self, pred: impl Fn(&Sym<'_>) -> bool) -> Batch {
        Batch { primaries: self.indices(pred), ..Batch::default() }
    }

    /// Records a rule that fired (when the batch holds anything), marking its symptoms used.
    pub(crate) fn fire(&mut self, rule: Rule, batch: Batch) {
        if batch.primaries.is_empty() && batch.regions.is_empty() {
            return;
        }
        let mut regions = batch.regions;
        let mut codes = Vec::new();
        for (i, y) in self.syms.iter().enumerate() {
            let m = side_mask(y.region);
            let joins = batch.primaries.contains(&i)
                || batch.with.iter().any(|(c, mask)| y.is_any(c) && m & mask != 0);
            if !joins {
                continue;
            }
            if let Some(u) = self.used.get_mut(i) {
                *u = true;
            }
            if !regions.contains(&y.region) {
                regions.push(y.region);
            }
            if !codes.contains(&y.s.code) {
                codes.push(y.s.code);
            }
        }
        match self.findings.iter_mut().find(|f| f.rule == rule) {
            Some(f) => {
                merge_into(&mut f.regions, regions);
                merge_into(&mut f.codes, codes);
            }
            None => self.findings.push(Finding { rule, regions, codes }),
        }
    }

    pub(crate) fn level(&self) -> Level {
        self.findings.iter().map(|f| f.rule.level).max().unwrap_or(Level::SelfCare)
    }
}

fn merge_into<T: PartialEq>(into: &mut Vec<T>, items: Vec<T>) {
    for item in items {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// The end of the most recent hard run known from the check-in and the history. The
/// check-in's run without `ended_at` ended at `now` (protocol.md §1: a hard run in the check-in
/// is never older than stored history); a run whose duration or effort is unknown may be hard.
pub fn last_hard_run(checkin: &CheckIn, history: &History) -> Option<Timestamp> {
    let from_run =
        checkin.run.as_ref().filter(|r| r.may_be_hard()).map(|r| r.ended_at.unwrap_or(checkin.now));
    match (from_run, history.last_hard_run) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

pub(crate) fn hours_between(earlier: Timestamp, later: Timestamp) -> f64 {
    (later.as_second() - earlier.as_second()) as f64 / 3600.0
}

/// Runs triage on a validated check-in: every row of [`table::ROWS`] in order, then the
/// blocks.
pub fn triage(checkin: &CheckIn, history: &History) -> TriageResult {
    let mut cx = Ctx::new(checkin, history);
    for row in table::ROWS {
        cx.classes = row.classes;
        (row.eval)(&mut cx, row.rule);
    }
    let level = cx.level();
    let flags = flags(&cx);
    let blocked = blocks::triage_blocks(level, &cx, &flags);
    TriageResult { level, findings: cx.findings, blocked, flags }
}

/// What the steps need to know besides the level and the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags {
    /// Movement hurts (protocol.md §2): walking is replaced by rest.
    pub movement_hurts: bool,
    /// A fever with no leg signs: rest and hydration only.
    pub fever_only: bool,
    /// Dizziness reported: no plate, and rest with the legs raised instead of the walk.
    pub dizzy: bool,
    /// A pain code was reported (a pain symptom, or soreness ≥ 7).
    pub pain_reported: bool,
    /// The cramp happening now may be a strain: not stretched (v2).
    pub cramp_is_strain: bool,
    /// A see_physio (or higher) finding sits on a calf, shin, ankle, achilles or foot.
    pub lower_leg_finding: bool,
}

fn flags(cx: &Ctx<'_>) -> Flags {
    use SymptomCode as S;
    let movement_hurts = cx.syms.iter().any(|y| {
        y.is_any(&[
            S::SharpPain,
            S::UnableToBearWeight,
            S::PainWithStretch,
            S::LockingOrGivingWay,
            S::FocalBoneTenderness,
        ]) && y.class.may_be_leg()
    });
    let lower_leg_finding = cx
        .findings
        .iter()
        .filter(|f| f.rule.level >= Level::SeePhysio)
        .any(|f| f.regions.iter().any(|r| r.touches_lower_leg()));
    let soreness = cx.checkin.soreness.as_deref().unwrap_or(&[]);
    Flags {
        movement_hurts,
        fever_only: cx.syms.iter().any(|y| y.is(S::Fever))
            && !cx.findings.iter().any(|f| f.rule == POSSIBLE_INFECTION),
        dizzy: cx.syms.iter().any(|y| y.is(S::Dizziness)),
        pain_reported: cx.syms.iter().any(|y| y.s.code.is_pain())
            || soreness.iter().any(|(_, v)| *v >= 7.0),
        cramp_is_strain: cramp_is_strain(cx),
        lower_leg_finding,
    }
}

/// A cramp in a region with sharp pain, pain on stretching or a sudden onset during the run
/// may be a strain: it is not stretched (protocol.md, more rules v2).
fn cramp_is_strain(cx: &Ctx<'_>) -> bool {
    use SymptomCode as S;
    let Some(cramp) = cx.checkin.cramp_now else {
        return false;
    };
    cx.syms.iter().any(|y| {
        y.region.overlaps(cramp)
            && (y.is_any(&[S::SharpPain, S::PainWithStretch])
                || y.after_may_be(&[After::SuddenOnsetDuringRun]))
    })
}
