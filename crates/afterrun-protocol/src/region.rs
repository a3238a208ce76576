//! Body regions and their coverage (interfaces.md, "Regions").
//!
//! Coverage and overlap decide whether a block applies to a step target, so they must be exact
//! and cheap. Every region is mapped to a set of *atoms* (the smallest pieces the contract can
//! name: each muscle group on each side, the knee, ankle and achilles on each side, the lower
//! back and the chest), held in a bit mask. "A covers B" is then "B's atoms are a subset of A's",
//! and "A overlaps B" is "they share an atom". `whole_body` and `all` hold every atom.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

/// A side of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The left leg.
    Left,
    /// The right leg.
    Right,
}

impl Side {
    /// Both sides, left first.
    pub const BOTH: [Side; 2] = [Side::Left, Side::Right];

    fn suffix(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
}

/// A muscle group (interfaces.md, "Muscle groups"): the load model's own enum, so the
/// planner and the load model cannot disagree on the groups or their order.
pub use afterrun_load::MuscleGroup as Group;

/// A named part of one leg that is not a muscle group (`thigh_X`, `knee_X`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// Covers quads, hamstrings and adductors of that side.
    Thigh,
    /// Same as the calves of that side.
    Calf,
    /// Same as the shins of that side.
    Shin,
    /// Same as the feet of that side.
    Foot,
    /// The knee joint.
    Knee,
    /// The ankle joint.
    Ankle,
    /// The achilles tendon.
    Achilles,
    /// Covers the hip flexors and glutes of that side.
    Hip,
    /// The whole leg: every region of that side.
    Leg,
}

impl Part {
    const ALL: [Part; 9] = [
        Part::Thigh,
        Part::Calf,
        Part::Shin,
        Part::Foot,
        Part::Knee,
        Part::Ankle,
        Part::Achilles,
        Part::Hip,
        Part::Leg,
    ];

    fn code(self) -> &'static str {
        match self {
            Part::Thigh => "thigh",
            Part::Calf => "calf",
            Part::Shin => "shin",
            Part::Foot => "foot",
            Part::Knee => "knee",
            Part::Ankle => "ankle",
            Part::Achilles => "achilles",
            Part::Hip => "hip",
            Part::Leg => "leg",
        }
    }
}

/// A region of the body (interfaces.md, "Regions").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    /// A muscle group, on one side or (`None`) both.
    Group(Group, Option<Side>),
    /// A part of one leg.
    Part(Part, Side),
    /// The lower back.
    LowerBack,
    /// The chest.
    Chest,
    /// The whole body.
    WholeBody,
    /// Everything: only used in `blocked`.
    All,
}

const ATOMS_PER_SIDE: u32 = 11;
const KNEE: u32 = 8;
const ANKLE: u32 = 9;
const ACHILLES: u32 = 10;
const LOWER_BACK_BIT: u32 = 2 * ATOMS_PER_SIDE;
const CHEST_BIT: u32 = LOWER_BACK_BIT + 1;
const EVERYTHING: u32 = (1 << (CHEST_BIT + 1)) - 1;

/// The set of atoms a region covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mask(u32);

impl Mask {
    /// No atom.
    pub const NONE: Mask = Mask(0);

    /// The atoms of both.
    pub fn with(self, other: Mask) -> Mask {
        Mask(self.0 | other.0)
    }

    /// True when the two sets share an atom.
    pub fn overlaps(self, other: Mask) -> bool {
        self.0 & other.0 != 0
    }

    /// True when every atom of `other` is in `self`.
    pub fn covers(self, other: Mask) -> bool {
        other.0 & !self.0 == 0
    }
}

fn side_offset(side: Side) -> u32 {
    match side {
        Side::Left => 0,
        Side::Right => ATOMS_PER_SIDE,
    }
}

fn atom(side: Side, index: u32) -> u32 {
    1 << (side_offset(side) + index)
}

fn group_bits(group: Group, side: Side) -> u32 {
    atom(side, group as u32)
}

impl Region {
    /// A bare group (both sides).
    pub fn group(group: Group) -> Region {
        Region::Group(group, None)
    }

    /// The atoms this region covers.
    #[inline]
    pub fn mask(self) -> Mask {
        let bits = match self {
            Region::Group(g, Some(side)) => group_bits(g, side),
            Region::Group(g, None) => group_bits(g, Side::Left) | group_bits(g, Side::Right),
            Region::Part(part, side) => match part {
                Part::Thigh => {
                    group_bits(Group::Quads, side)
                        | group_bits(Group::Hamstrings, side)
                        | group_bits(Group::Adductors, side)
                }
                Part::Calf => group_bits(Group::Calves, side),
                Part::Shin => group_bits(Group::Shins, side),
                Part::Foot => group_bits(Group::Feet, side),
                Part::Knee => atom(side, KNEE),
                Part::Ankle => atom(side, ANKLE),
                Part::Achilles => atom(side, ACHILLES),
                Part::Hip => group_bits(Group::HipFlexors, side) | group_bits(Group::Glutes, side),
                Part::Leg => ((1 << ATOMS_PER_SIDE) - 1) << side_offset(side),
            },
            Region::LowerBack => 1 << LOWER_BACK_BIT,
            Region::Chest => 1 << CHEST_BIT,
            Region::WholeBody | Region::All => EVERYTHING,
        };
        Mask(bits)
    }

    /// True when this region covers `other` (a block on `self` applies to all of `other`).
    pub fn covers(self, other: Region) -> bool {
        self.mask().covers(other.mask())
    }

    /// True when the two regions share any part of the body.
    pub fn overlaps(self, other: Region) -> bool {
        self.mask().overlaps(other.mask())
    }

    /// The sides a region is reported on, for the "X with Y" rule of protocol.md §2: a bare
    /// group and the `whole_body`, `chest` and `lower_back` regions count for either side.
    pub fn sides(self) -> [bool; 2] {
        match self {
            Region::Group(_, Some(Side::Left)) | Region::Part(_, Side::Left) => [true, false],
            Region::Group(_, Some(Side::Right)) | Region::Part(_, Side::Right) => [false, true],
            _ => [true, true],
        }
    }

    /// True when both regions are reported on a common side.
    pub fn same_side(self, other: Region) -> bool {
        let a = self.sides();
        let b = other.sides();
        (a[0] && b[0]) || (a[1] && b[1])
    }

    /// The side, when the region names one.
    pub fn side(self) -> Option<Side> {
        match self {
            Region::Group(_, side) => side,
            Region::Part(_, side) => Some(side),
            _ => None,
        }
    }

    /// A *leg region*: any region with a side, or a bare muscle group.
    pub fn is_leg(self) -> bool {
        matches!(self, Region::Group(..) | Region::Part(..))
    }

    /// True for a calf or thigh region (or a region containing one, such as `leg_X`).
    pub fn touches_calf_or_thigh(self) -> bool {
        if !self.is_leg() {
            return false;
        }
        let calf_thigh = [Group::Calves, Group::Quads, Group::Hamstrings, Group::Adductors]
            .into_iter()
            .fold(0, |acc, g| acc | Region::group(g).mask().0);
        self.mask().overlaps(Mask(calf_thigh))
    }

    /// True for a region touching the calf, shin, ankle, achilles or foot (where cycling
    /// replaces walking when a finding sits there).
    pub fn touches_lower_leg(self) -> bool {
        if !self.is_leg() {
            return false;
        }
        let mut bits = 0;
        for side in Side::BOTH {
            bits |= group_bits(Group::Calves, side)
                | group_bits(Group::Shins, side)
                | group_bits(Group::Feet, side)
                | atom(side, ANKLE)
                | atom(side, ACHILLES);
        }
        self.mask().overlaps(Mask(bits)) && !matches!(self, Region::Part(Part::Leg, _))
    }

    /// Parses a region code; `all` only when `allow_all`.
    pub fn from_code(code: &str, allow_all: bool) -> Option<Region> {
        match code {
            "lower_back" => return Some(Region::LowerBack),
            "chest" => return Some(Region::Chest),
            "whole_body" => return Some(Region::WholeBody),
            "all" if allow_all => return Some(Region::All),
            _ => {}
        }
        if let Some(g) = Group::from_code(code) {
            return Some(Region::Group(g, None));
        }
        let (stem, side) = if let Some(stem) = code.strip_suffix("_left") {
            (stem, Side::Left)
        } else if let Some(stem) = code.strip_suffix("_right") {
            (stem, Side::Right)
        } else {
            return None;
        };
        if let Some(g) = Group::from_code(stem) {
            return Some(Region::Group(g, Some(side)));
        }
        Part::ALL.into_iter().find(|p| p.code() == stem).map(|p| Region::Part(p, side))
    }

    /// Splits a bare group into its two sided halves; other regions are returned as they are.
    pub fn split(self) -> std::iter::Take<std::array::IntoIter<Region, 2>> {
        let (halves, count) = match self {
            Region::Group(g, None) => {
                ([Region::Group(g, Some(Side::Left)), Region::Group(g, Some(Side::Right))], 2)
            }
            other => ([other, other], 1),
        };
        halves.into_iter().take(count)
    }

    /// How many legs' worth of work the region asks for (a bare group is done on both legs).
    pub fn leg_count(self) -> u32 {
        match self {
            Region::Group(_, None) | Region::WholeBody | Region::All => 2,
            _ => 1,
        }
    }
}

/// The class of a region: the first input of every triage rule (protocol.md §2, v2).
///
/// Triage reads the class before the code: findings on the `Chest` are never muscle soreness,
/// `LowerBack` and `WholeBody` findings are not leg findings but still block what loads them,
/// and a symptom reported with no region is `Unknown`: it could be anywhere, the chest included
/// (a missing value is resolved toward safety). Symptoms that have no place of their own
/// (`SymptomCode::is_systemic`: a fever, dark urine, dizziness…) are read on the whole body
/// when no region is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionClass {
    /// A region with a side, or a bare muscle group.
    Leg,
    /// The lower back.
    LowerBack,
    /// The chest.
    Chest,
    /// The whole body (or, in blocks, everything).
    WholeBody,
    /// Not given.
    Unknown,
}

impl RegionClass {
    /// Every class, in the order `docs/triage.md` lists them.
    pub const ALL: [RegionClass; 5] = [
        RegionClass::Leg,
        RegionClass::LowerBack,
        RegionClass::Chest,
        RegionClass::WholeBody,
        RegionClass::Unknown,
    ];

    /// The class of a region (`None`: not given).
    pub fn of(region: Option<Region>) -> RegionClass {
        match region {
            None => RegionClass::Unknown,
            Some(Region::Group(..) | Region::Part(..)) => RegionClass::Leg,
            Some(Region::LowerBack) => RegionClass::LowerBack,
            Some(Region::Chest) => RegionClass::Chest,
            Some(Region::WholeBody | Region::All) => RegionClass::WholeBody,
        }
    }

    /// Could a finding of this class be on the chest? (An unknown region could.)
    pub fn may_be_chest(self) -> bool {
        matches!(self, RegionClass::Chest | RegionClass::Unknown)
    }

    /// Could a finding of this class be on a leg? (The whole body and an unknown region could.)
    pub fn may_be_leg(self) -> bool {
        !matches!(self, RegionClass::LowerBack | RegionClass::Chest)
    }

    /// Could a finding of this class be on the lower back?
    pub fn may_be_lower_back(self) -> bool {
        matches!(self, RegionClass::LowerBack | RegionClass::WholeBody | RegionClass::Unknown)
    }

    /// The class in words, for the rules table.
    pub fn words(self) -> &'static str {
        match self {
            RegionClass::Leg => "leg",
            RegionClass::LowerBack => "lower back",
            RegionClass::Chest => "chest",
            RegionClass::WholeBody => "whole body",
            RegionClass::Unknown => "no region given",
        }
    }
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// The side in words.
    pub fn words(self) -> &'static str {
        self.suffix()
    }
}

impl Part {
    fn words(self) -> &'static str {
        match self {
            Part::Achilles => "Achilles",
            other => other.code(),
        }
    }
}

impl Region {
    /// The same region on the other side (a bare group and the regions without a side are
    /// their own mirror).
    pub fn mirrored(self) -> Region {
        match self {
            Region::Group(g, Some(side)) => Region::Group(g, Some(side.other())),
            Region::Part(p, side) => Region::Part(p, side.other()),
            other => other,
        }
    }

    /// The region in plain words: `calves_right` → "right calf", `quads` → "quads",
    /// `lower_back` → "lower back", `all` → "everywhere".
    pub fn words(self) -> String {
        let mut out = String::new();
        self.words_into(&mut out);
        out
    }

    /// Appends [`Self::words`] to `out`.
    pub fn words_into(self, out: &mut String) {
        let (side, words) = match self {
            Region::Group(g, None) => (None, g.words(false)),
            Region::Group(g, Some(side)) => (Some(side), g.words(true)),
            Region::Part(p, side) => (Some(side), p.words()),
            Region::LowerBack => (None, "lower back"),
            Region::Chest => (None, "chest"),
            Region::WholeBody => (None, "whole body"),
            Region::All => (None, "everywhere"),
        };
        if let Some(side) = side {
            out.push_str(side.words());
            out.push(' ');
        }
        out.push_str(words);
    }
}

impl Region {
    /// The wire code's stem and, for a one-sided region, its side: `("quads", Some("left"))`.
    pub(crate) fn code_parts(self) -> (&'static str, Option<&'static str>) {
        match self {
            Region::Group(g, side) => (g.as_str(), side.map(Side::suffix)),
            Region::Part(p, side) => (p.code(), Some(side.suffix())),
            Region::LowerBack => ("lower_back", None),
            Region::Chest => ("chest", None),
            Region::WholeBody => ("whole_body", None),
            Region::All => ("all", None),
        }
    }

    /// The wire code (`quads_left`): a `&'static str` of the planner's tables, the one-sided
    /// codes joined once per process ([`SIDED`]).
    pub fn code(self) -> Cow<'static, str> {
        let (stem, side) = self.code_parts();
        let Some(side) = side else {
            return Cow::Borrowed(stem);
        };
        let joined = match self {
            Region::Group(g, Some(s)) => SIDED.get(g as usize).map(|pair| pair.get(s)),
            Region::Part(p, s) => SIDED.get(Group::ALL.len() + p as usize).map(|pair| pair.get(s)),
            _ => None,
        };
        // Every one-sided region has its row; were one missing, the code is joined here.
        match joined {
            Some(code) => Cow::Borrowed(code),
            None => Cow::Owned(format!("{stem}_{side}")),
        }
    }
}

/// The two codes of a one-sided region's stem (`quads_left`, `quads_right`).
#[derive(Debug)]
struct Sided([String; 2]);

impl Sided {
    fn new(stem: &str) -> Sided {
        Sided(Side::BOTH.map(|side| format!("{stem}_{}", side.suffix())))
    }

    fn get(&self, side: Side) -> &str {
        let [left, right] = &self.0;
        match side {
            Side::Left => left,
            Side::Right => right,
        }
    }
}

/// The one-sided codes, each muscle group's at its discriminant, then each part's after them.
static SIDED: LazyLock<Vec<Sided>> = LazyLock::new(|| {
    let mut stems = vec![""; Group::ALL.len() + Part::ALL.len()];
    for g in Group::ALL {
        if let Some(slot) = stems.get_mut(g as usize) {
            *slot = g.as_str();
        }
    }
    for p in Part::ALL {
        if let Some(slot) = stems.get_mut(Group::ALL.len() + p as usize) {
            *slot = p.code();
        }
    }
    stems.into_iter().map(Sided::new).collect()
});

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// Every region code the contract accepts in input (no `all`), in a fixed order.
pub fn all_regions() -> Vec<Region> {
    let mut out = Vec::new();
    for g in Group::ALL {
        out.push(Region::Group(g, None));
        for side in Side::BOTH {
            out.push(Region::Group(g, Some(side)));
        }
    }
    for p in Part::ALL {
        for side in Side::BOTH {
            out.push(Region::Part(p, side));
        }
    }
    out.extend([Region::LowerBack, Region::Chest, Region::WholeBody]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: &str) -> Region {
        Region::from_code(code, true).unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for region in all_regions() {
            assert_eq!(Region::from_code(&region.to_string(), false), Some(region));
        }
        assert_eq!(Region::from_code("all", false), None);
        assert_eq!(Region::from_code("calf_middle", false), None);
        assert_eq!(Region::from_code("leg", false), None);
    }

    #[test]
    fn coverage_follows_the_contract() {
        assert!(r("leg_left").covers(r("quads_left")));
        assert!(r("leg_left").covers(r("knee_left")));
        assert!(!r("leg_left").covers(r("quads")));
        assert!(r("thigh_right").covers(r("adductors_right")));
        assert!(!r("thigh_right").covers(r("calves_right")));
        assert!(r("calf_left").covers(r("calves_left")) && r("calves_left").covers(r("calf_left")));
        assert!(r("hip_left").covers(r("glutes_left")));
        assert!(r("quads").covers(r("quads_right")));
        assert!(r("all").covers(r("chest")));
        assert!(r("quads").overlaps(r("thigh_left")));
        assert!(!r("quads_left").overlaps(r("quads_right")));
        assert!(!r("knee_left").overlaps(r("quads_left")));
    }

    #[test]
    fn words_are_plain_and_singular_on_one_leg() {
        assert_eq!(r("calves_right").words(), "right calf");
        assert_eq!(r("calves").words(), "calves");
        assert_eq!(r("achilles_left").words(), "left Achilles");
        assert_eq!(r("lower_back").words(), "lower back");
        assert_eq!(r("all").words(), "everywhere");
        for region in all_regions() {
            assert!(!region.words().contains('_'), "{region}");
            assert_eq!(region.mirrored().mirrored(), region);
        }
    }

    #[test]
    fn sides_for_with_rule() {
        assert!(r("calf_left").same_side(r("quads")));
        assert!(r("calf_left").same_side(r("whole_body")));
        assert!(!r("calf_left").same_side(r("foot_right")));
    }
}
