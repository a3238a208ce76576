//! What learning hands the planner: a leaf both `history` (which carries it) and `outcome`
//! (which computes it) use, so neither imports the other.

use crate::codes::Modality;

/// What a modality has been followed by for this athlete, once the evidence is enough.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LearnedEffect {
    /// The modality.
    pub modality: Modality,
    /// Posterior mean effect on the residual, soreness points (negative: helped).
    pub mean: f64,
    /// Sessions in which it was done.
    pub sessions: u32,
}
