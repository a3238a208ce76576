//! What the planner knows about the athlete beyond this check-in.
//!
//! The store and the load model fill a [`History`]; the planner only reads it. With
//! `History::default()` nothing is known, and every rule that would use history falls back to
//! its safe default and says so in the plan's `assumptions`.

use jiff::Timestamp;

use crate::codes::Modality;
pub use crate::effect::LearnedEffect;
use crate::region::{Group, Region};

/// What earlier sessions and the load model tell the planner.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// True when the athlete's chronic load is in the top band of their own history.
    pub high_volume: bool,
    /// How many compression sessions the athlete has done before; `None` when unknown (then
    /// this session counts as a first one).
    pub compression_sessions: Option<u32>,
    /// Earlier soreness ratings, any order.
    pub soreness_ratings: Vec<SorenessRating>,
    /// When the last hard run (≥ 90 min or RPE ≥ 8) ended, when known.
    pub last_hard_run: Option<Timestamp>,
    /// The load model's soreness forecast per muscle group.
    pub forecast: Vec<SorenessForecast>,
    /// The acute:chronic workload ratio, when known.
    pub acwr: Option<f64>,
    /// Training monotony over the last week, when known.
    pub monotony: Option<f64>,
    /// Modalities ranked by what has helped this athlete (best first, from the outcome learner);
    /// empty when there is no preference. It only chooses among options triage and the
    /// contraindications left open: the plate loosen-up is used instead of the boots when the
    /// learner ranks it above them.
    pub ranking: Vec<Modality>,
    /// Effects learned for this athlete with enough evidence (from the outcome learner, `outcome::effects`); the
    /// plan names, in a note, those of the modalities it uses. Empty without outcomes.
    pub learned: Vec<LearnedEffect>,
}

impl History {
    /// True when nothing at all is stored (the default).
    pub fn is_empty(&self) -> bool {
        *self == History::default()
    }
}

/// One earlier soreness rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SorenessRating {
    /// When it was given.
    pub at: Timestamp,
    /// Where.
    pub region: Region,
    /// The rating, 0–10.
    pub rating: f64,
}

/// The forecast soreness of one muscle group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SorenessForecast {
    /// The group.
    pub group: Group,
    /// The expected peak rating, 0–10.
    pub peak: f64,
    /// When the peak is expected.
    pub peak_at: Timestamp,
}
