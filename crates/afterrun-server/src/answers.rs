//! The JSON answers of the API that are not a stored row or a plan, as types: each is what a
//! handler serializes and what `schemars` describes in the OpenAPI document
//! ([`crate::openapi::generated_schemas`]), so the two cannot drift apart. Fields are in
//! alphabetical order, the order these answers have always been written in.

use afterrun_store::{ActivityRow, Id};
use schemars::JsonSchema;
use serde::Serialize;

/// An account as the API shows it (`POST /api/accounts`, `GET /api/me`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AccountAnswer {
    /// The account's own athlete (none for a coach; in personal mode, the owner's once made).
    pub athlete_id: Option<Id>,
    /// `owner` (personal mode), `athlete` or `coach`.
    #[schemars(extend("enum" = ["owner", "athlete", "coach"]))]
    pub role: String,
    /// The username (none for the personal-mode owner).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// A new sign-up invitation (`POST /api/invites`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct InviteAnswer {
    /// When it stops working (UTC).
    #[schemars(extend("format" = "date-time"))]
    pub expires_at: Option<String>,
    /// The one-time token.
    pub invite: String,
    /// The sign-up address that carries it.
    pub path: String,
}

/// A coach link asked for (`POST /api/athletes/{id}/coaches`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CoachAnswer {
    /// The coach's username.
    pub coach: String,
}

/// One stored activity as `GET /api/athletes/{id}/activities` lists it (`activities --json`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ActivityAnswer {
    /// Average heart rate.
    pub avg_hr: Option<f64>,
    /// Distance in metres.
    pub distance_m: Option<f64>,
    /// Elapsed seconds.
    pub elapsed_s: Option<f64>,
    /// `fit`, `gpx` or `tcx`.
    pub format: String,
    /// Row id.
    pub id: Id,
    /// SHA-256 of the original file.
    pub sha256: String,
    /// Where it came from.
    pub source: String,
    /// Lower-case sport name.
    pub sport: String,
    /// Start, UTC.
    #[schemars(extend("format" = "date-time"))]
    pub start_time: Option<String>,
    /// Training stress.
    pub stress: Option<f64>,
    /// How the stress was computed (`trimp`, `rtss`, `hrtss`, `srpe`, `duration`).
    pub stress_kind: Option<String>,
    /// Lower-case sub-sport name.
    pub sub_sport: Option<String>,
    /// Timer seconds.
    pub timer_s: Option<f64>,
}

impl From<&ActivityRow> for ActivityAnswer {
    fn from(a: &ActivityRow) -> ActivityAnswer {
        ActivityAnswer {
            avg_hr: a.avg_hr,
            distance_m: a.distance_m,
            elapsed_s: a.elapsed_s,
            format: a.format.clone(),
            id: a.id,
            sha256: a.sha256.clone(),
            source: a.source.clone(),
            sport: a.sport.clone(),
            start_time: a.start_time.and_then(afterrun_store::format_rfc3339),
            stress: a.stress,
            stress_kind: a.stress_kind.clone(),
            sub_sport: a.sub_sport.clone(),
            timer_s: a.timer_s,
        }
    }
}
