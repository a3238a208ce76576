//! The check-in: the form (`GET /`), with its SVG body map, and its answer (`POST /checkin`):
//! the plan, kept at its own address when the server has a store.
//!
//! Every essential works without JavaScript: the check-in is a plain form (the body map's
//! regions each have a labelled select), the plan is a page, the calendar a link. The script
//! (`assets/app.js`) only adds comfort: clicking the body map, local times, step timers, done
//! marks, and htmx swapping the plan in without a full reload.

use afterrun_service::checkin::CheckinError;
use afterrun_service::locale::Locale;
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{PageOwner, owner_locale, stored_profile};
use crate::lan::Visitor;
use crate::problem::Problem;
use crate::respond::{page, redirect};
use crate::security::CsrfToken;
use crate::views::{
    self, BACK, Check, FRONT, FormError, FormValues, Opt, PlanPage, SEX, SILHOUETTE, form_page,
    opts, profile_form,
};

/// One body-map region as drawn.
#[derive(Debug, Clone)]
pub(crate) struct Region {
    /// `quads_left`.
    id: String,
    /// "Left quads".
    label: String,
    /// The SVG path, drawn for the viewer's left leg.
    d: &'static str,
    /// Whether to mirror it onto the viewer's right leg.
    mirror: bool,
    /// The rating 0-10.
    level: u8,
}

/// One muscle group's row of ratings.
#[derive(Debug, Clone)]
pub(crate) struct GroupRow {
    code: &'static str,
    label: &'static str,
    left: Vec<Opt>,
    right: Vec<Opt>,
}

/// One symptom's row.
#[derive(Debug, Clone)]
pub(crate) struct SymptomRow {
    code: &'static str,
    label: &'static str,
    checked: bool,
    /// Where, since when, which way: rendered only for a ticked symptom. The page carries one
    /// empty copy in a `<template>` that the script clones when a box is ticked; without the
    /// script, the answer to a form with ticked symptoms asks for them ([`details_missing`]).
    details: Option<SymptomDetails>,
}

/// The three questions about a ticked symptom, as select options.
#[derive(Debug, Clone)]
pub(crate) struct SymptomDetails {
    places: Vec<Opt>,
    since: Vec<Opt>,
    trends: Vec<Opt>,
}

impl SymptomDetails {
    /// The options of symptom `code`'s questions, its answers in `form` selected.
    fn of(form: &FormValues, code: &str) -> SymptomDetails {
        let answer = |question: &str| form.get(&format!("{question}_{code}"));
        SymptomDetails {
            places: opts(views::PLACES, answer("where"), Some("Where?")),
            since: opts(views::SINCE, answer("since"), Some("Since when?")),
            trends: opts(views::TRENDS, answer("trend"), Some("Getting…?")),
        }
    }
}

/// Whether the form ticks a symptom whose questions it never showed (no `where_…` field at
/// all, which a browser sends, even empty, for every select it shows): a page sent without the
/// script asks for them before planning.
fn details_missing(form: &FormValues) -> bool {
    form.all("sym").any(|code| !form.sent(&format!("where_{code}")))
}

/// A heading and its symptoms.
#[derive(Debug, Clone)]
pub(crate) struct SymptomGroup {
    heading: &'static str,
    rows: Vec<SymptomRow>,
}

fn rating(form: &FormValues, name: &str) -> u8 {
    form.get(name).and_then(|v| v.parse::<u8>().ok()).filter(|v| *v <= 10).unwrap_or(0)
}

fn side_words(side: &str) -> &'static str {
    if side == "left" { "Left" } else { "Right" }
}

fn group_label(code: &str) -> &'static str {
    views::GROUPS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

/// The regions of one view; `viewer_left` is the side drawn on the viewer's left.
fn regions(form: &FormValues, shapes: &[(&str, &'static str)], viewer_left: &str) -> Vec<Region> {
    let viewer_right = if viewer_left == "left" { "right" } else { "left" };
    let mut out = Vec::new();
    for (side, mirror) in [(viewer_left, false), (viewer_right, true)] {
        for (group, d) in shapes {
            let id = format!("{group}_{side}");
            out.push(Region {
                label: format!("{} {}", side_words(side), group_label(group).to_lowercase()),
                level: rating(form, &format!("sore_{id}")),
                id,
                d,
                mirror,
            });
        }
    }
    out
}

const SCALE: &[(&str, &str)] = &[
    ("0", "0"),
    ("1", "1"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5"),
    ("6", "6"),
    ("7", "7"),
    ("8", "8"),
    ("9", "9"),
    ("10", "10"),
];

const RPE: &[(&str, &str)] = &[
    ("2", "Very easy"),
    ("4", "Easy, could talk"),
    ("6", "Steady, some effort"),
    ("7", "Hard"),
    ("8", "Very hard"),
    ("9", "Near my limit"),
    ("10", "All out"),
];

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    title: &'static str,
    nav: &'static str,
    csrf: String,
    error: Option<FormError>,
    silhouette: &'static str,
    front: Vec<Region>,
    back: Vec<Region>,
    groups: Vec<GroupRow>,
    symptom_groups: Vec<SymptomGroup>,
    /// The empty questions of a symptom, for the script to clone when a box is ticked.
    details_template: SymptomDetails,
    /// The form came back without the questions of a ticked symptom: ask them.
    details_step: bool,
    afters: Vec<Opt>,
    cramp: Vec<Opt>,
    equipment: Vec<Check>,
    conditions: Vec<Check>,
    rpe: Vec<Opt>,
    sex: Vec<Opt>,
    tz: String,
    next_run: String,
    run_ended: String,
    run_distance: String,
    /// The runner's unit of distance, `km` or `mi`.
    distance_unit: &'static str,
    run_min: String,
    run_descent: String,
    age: String,
    weekly: String,
    weekly_name: &'static str,
    weekly_label: &'static str,
    has_store: bool,
    /// `serve --lan`: the owner's "Open on your phone" card while a pairing link can be used
    /// (HTML, [`crate::lan`]); empty otherwise.
    phone: String,
}

fn checkin_page_for(
    state: &AppState,
    csrf: &CsrfToken,
    form: &FormValues,
    error: Option<FormError>,
    locale: &Locale,
) -> CheckinPage {
    let value = |name: &str| form.get(name).unwrap_or("").to_owned();
    // Equipment defaults to the common foam roller when the form is new and no profile says.
    let fresh = form.get("csrf_token").is_none() && form.get("from_profile").is_none();
    CheckinPage {
        title: "Check in",
        nav: "checkin",
        csrf: csrf.as_str().to_owned(),
        error,
        silhouette: SILHOUETTE,
        front: regions(form, FRONT, "right"),
        back: regions(form, BACK, "left"),
        groups: views::GROUPS
            .iter()
            .map(|(code, label)| GroupRow {
                code,
                label,
                left: opts(
                    SCALE,
                    Some(form.get(&format!("sore_{code}_left")).unwrap_or("0")),
                    None,
                ),
                right: opts(
                    SCALE,
                    Some(form.get(&format!("sore_{code}_right")).unwrap_or("0")),
                    None,
                ),
            })
            .collect(),
        symptom_groups: views::SYMPTOMS
            .iter()
            .map(|(heading, list)| SymptomGroup {
                heading,
                rows: list
                    .iter()
                    .map(|(code, label)| SymptomRow {
                        code,
                        label,
                        checked: form.has("sym", code),
                        details: form.has("sym", code).then(|| SymptomDetails::of(form, code)),
                    })
                    .collect(),
            })
            .collect(),
        details_template: SymptomDetails::of(&FormValues::default(), ""),
        details_step: false,
        afters: opts(views::AFTERS, Some(form.get("after").unwrap_or("none")), None),
        cramp: opts(views::CRAMP_PLACES, form.get("cramp"), Some("No cramp right now")),
        equipment: views::equipment_checks(form, fresh.then_some("foam_roller")),
        conditions: views::condition_checks(form),
        rpe: opts(RPE, form.get("run_rpe"), Some("How hard was it?")),
        sex: opts(SEX, form.get("sex"), Some("—")),
        tz: value("tz"),
        next_run: value("next_run"),
        run_ended: value("run_ended"),
        run_distance: value("run_distance"),
        distance_unit: locale.units.as_str(),
        run_min: value("run_min"),
        run_descent: value("run_descent"),
        age: value("age"),
        weekly: value(views::weekly_field(locale.units).0),
        weekly_name: views::weekly_field(locale.units).0,
        weekly_label: views::weekly_field(locale.units).1,
        has_store: state.store().is_some(),
        phone: String::new(),
    }
}

pub(crate) async fn checkin_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    owner: PageOwner,
    visitor: Visitor,
) -> Response {
    let profile = match stored_profile(&state, owner).await {
        Ok(p) => p,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let form = profile.as_ref().map(profile_form).unwrap_or_default();
    let locale = Locale::of(&profile.unwrap_or_default());
    let mut view = checkin_page_for(&state, &csrf, &form, None, &locale);
    view.phone = match crate::lan::phone_card(&state, visitor, &csrf, false).await {
        Ok(card) => card,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    page(StatusCode::OK, &view)
}

/// A reload of the plan page's address goes back to the form.
pub(crate) async fn checkin_redirect() -> Response {
    redirect("/")
}

/// Percent-encodes a query value.
fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) async fn checkin_submit(
    State(state): State<AppState>,
    csrf: CsrfToken,
    owner: PageOwner,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = FormValues::new(pairs);
    let locale = owner_locale(&state, owner).await;
    let mut checkin = match views::checkin_from_form(&form, state.now(), &locale) {
        Ok(c) => c,
        Err(e) => {
            let page_view = checkin_page_for(&state, &csrf, &form, Some(e.clone()), &locale);
            return form_page(&page_view, &e);
        }
    };
    if details_missing(&form) && !emergency_wherever(&checkin) {
        // Sent without the script: the questions of the ticked symptoms were never shown. What
        // is an emergency even in the leg is answered at once; anything else first asks where,
        // since when, which way (an unknown place is triaged as the worst one).
        let mut page_view = checkin_page_for(&state, &csrf, &form, None, &locale);
        page_view.details_step = true;
        return page(StatusCode::OK, &page_view);
    }
    let invalid = |problem: Problem| {
        let error = FormError {
            field: problem.field.clone().unwrap_or_default(),
            message: problem.detail.clone(),
        };
        let page_view = checkin_page_for(&state, &csrf, &form, Some(error.clone()), &locale);
        form_page(&page_view, &error)
    };
    if let Some(store) = state.store() {
        // Plan with the athlete's own history, keep the check-in and its plan, then show the
        // plan at its own address, so a reload shows it again instead of posting twice.
        let now = state.now().as_second();
        let planned = async {
            let athlete = owner.ensure(store, now).await?;
            let profile = store.profile(athlete).await?;
            afterrun_service::checkin::merge_profile(&mut checkin, &profile);
            afterrun_service::checkin::checkin_and_plan(store, athlete, &checkin, now).await
        }
        .await;
        return match planned {
            Ok(p) => redirect(&format!("/plans/{}", p.plan_id)),
            Err(CheckinError::Invalid(e)) => invalid(Problem::invalid_checkin(&e.field, e.message)),
            Err(CheckinError::Service(e)) => Problem::internal(&e).into_response(),
        };
    }
    let checkin_text = checkin.to_string();
    match crate::views::plan_for(&checkin_text) {
        Ok(plan) => {
            let view = PlanPage {
                title: "Your plan",
                nav: "checkin",
                plan: std::sync::Arc::new(views::plan_view(&plan, &[], &locale)),
                ics_href: format!("/plan.ics?checkin={}", encode_query(&checkin_text)),
                plan_id: None,
                csrf: csrf.as_str().to_owned(),
                read_only: None,
            };
            page(StatusCode::OK, &view)
        }
        Err(problem) => invalid(problem),
    }
}

/// Whether the check-in calls for emergency services even with every symptom of no stated
/// place put in a calf, the place a runner's symptoms most often are: then where it is cannot
/// make it less urgent, and asking first would only delay the call.
fn emergency_wherever(checkin: &serde_json::Value) -> bool {
    let mut in_a_leg = checkin.clone();
    let symptoms = in_a_leg.get_mut("symptoms").and_then(|s| s.as_array_mut());
    for symptom in symptoms.into_iter().flatten().filter_map(|s| s.as_object_mut()) {
        symptom.entry("region").or_insert_with(|| "calf_left".into());
    }
    crate::views::plan_for(&in_a_leg.to_string())
        .is_ok_and(|plan| plan.triage.level == afterrun_protocol::codes::Level::Emergency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::Query;

    #[test]
    fn query_encoding_round_trips_through_the_form_decoder() {
        let text = r#"{"now":"2026-11-23T08:30:00Z","a":"é &=+"}"#;
        let decoded: Vec<(String, String)> =
            serde_urlencoded_like(&format!("checkin={}", encode_query(text)));
        assert_eq!(decoded, vec![("checkin".to_owned(), text.to_owned())]);
    }

    /// Decodes like axum's `Query` does.
    fn serde_urlencoded_like(q: &str) -> Vec<(String, String)> {
        let uri: axum::http::Uri = format!("/x?{q}").parse().unwrap();
        let Query(v): Query<Vec<(String, String)>> = Query::try_from_uri(&uri).unwrap();
        v
    }
}
