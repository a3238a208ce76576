//! The web app's pages, rendered on the server with askama.
//!
//! Every essential works without JavaScript: the check-in is a plain form (the body map's
//! regions each have a labelled select), the plan is a page, the calendar a link. The script
//! (`assets/app.js`) only adds comfort: clicking the body map, local times, step timers, done
//! marks, and htmx swapping the plan in without a full reload.

use afterrun_protocol::PlanDoc;
use afterrun_protocol::codes::Level;
use afterrun_protocol::references::readable;
use afterrun_service::checkin::CheckinError;
use afterrun_service::locale::{Locale, Units};
use afterrun_store::{PlanRow, Profile, Store};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::account_pages::{PageOwner, coach_names, owner_locale, stored_profile};
use crate::lan::Visitor;
use crate::problem::Problem;
use crate::respond::{NotFoundPage, html_page, page, redirect};
use crate::security::CsrfToken;
use crate::views::{self, FormError, FormValues, PlanView};

/// An option of a select.
#[derive(Debug, Clone)]
pub(crate) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn opts(list: &[(&str, &str)], selected: Option<&str>, placeholder: Option<&str>) -> Vec<Opt> {
    let mut out = Vec::with_capacity(list.len() + 1);
    if let Some(p) = placeholder {
        out.push(Opt { value: String::new(), label: p.to_owned(), selected: selected.is_none() });
    }
    out.extend(list.iter().map(|(value, label)| Opt {
        value: (*value).to_owned(),
        label: (*label).to_owned(),
        selected: selected == Some(*value),
    }));
    out
}

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

/// A checkbox.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
    checked: bool,
}

// Shapes of the viewer's left leg (viewBox 0 0 200 360); the right leg is the mirror image.
pub(crate) const SILHOUETTE: &str = "M56 26 Q40 90 46 168 Q48 186 54 198 Q50 250 58 300 L50 318 Q42 334 50 342 \
     L90 342 Q94 330 86 314 L84 300 Q94 250 90 198 Q98 184 98 168 L99 60 Q100 40 100 26 Z";
pub(crate) const FRONT: &[(&str, &str)] = &[
    ("hip_flexors", "M58 30 L98 30 L98 56 Q80 64 60 56 Z"),
    ("quads", "M50 66 Q66 72 85 64 L87 166 Q70 178 52 166 Q44 120 50 66 Z"),
    ("adductors", "M89 64 L98 62 L97 140 Q93 150 89 150 Z"),
    ("shins", "M57 202 Q71 195 86 202 Q88 250 81 296 L63 296 Q55 250 57 202 Z"),
    ("feet", "M58 306 L83 306 Q87 322 90 336 Q80 342 50 338 Q47 326 58 306 Z"),
];
pub(crate) const BACK: &[(&str, &str)] = &[
    ("glutes", "M50 30 L98 30 L98 80 Q74 92 50 80 Q45 54 50 30 Z"),
    ("hamstrings", "M50 90 Q74 100 96 90 L95 166 Q72 178 52 166 Q46 130 50 90 Z"),
    ("calves", "M54 198 Q70 190 88 198 Q94 232 84 272 L62 272 Q50 232 54 198 Z"),
];

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

const SEX: &[(&str, &str)] =
    &[("female", "Female"), ("male", "Male"), ("unspecified", "Rather not say")];

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
        equipment: views::EQUIPMENT
            .iter()
            .map(|(value, label)| Check {
                value,
                label,
                hint: "",
                checked: form.has("eq", value) || (fresh && *value == "foam_roller"),
            })
            .collect(),
        conditions: views::CONDITIONS
            .iter()
            .map(|(value, label, hint)| Check {
                value,
                label,
                hint,
                checked: form.has("cond", value),
            })
            .collect(),
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

#[derive(Template)]
#[template(path = "plan.html")]
pub(crate) struct PlanPage {
    pub(crate) title: &'static str,
    pub(crate) nav: &'static str,
    pub(crate) plan: PlanView,
    pub(crate) ics_href: String,
    /// The stored plan's id: "done" is then a form kept in the store, else a mark in the browser.
    pub(crate) plan_id: Option<i64>,
    pub(crate) csrf: String,
    /// A coach's view of a runner's plan: what was done shows, nothing can be changed.
    pub(crate) read_only: Option<String>,
}

#[derive(Template)]
#[template(path = "guide_list.html")]
struct GuideListPage {
    title: &'static str,
    nav: &'static str,
    topics: Vec<(&'static str, &'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "guide_topic.html")]
struct GuideTopicPage {
    title: &'static str,
    nav: &'static str,
    topic: &'static afterrun_protocol::guide::Topic,
    /// The advice and the evidence, their reference ids as short citations.
    seed_advice: Vec<String>,
    evidence: Vec<String>,
    /// The topic's citations, in the order the text meets them.
    references: Vec<&'static str>,
    outcome_note: &'static str,
}

/// A form page refused with `error` (422): the error placed at its field, its section opened
/// ([`views::place_error`]).
fn form_page(template: &dyn askama::DynTemplate, error: &FormError) -> Response {
    match template.dyn_render() {
        Ok(html) => html_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::place_error(&html, &error.field, &error.message),
        ),
        Err(e) => Problem::internal(&e).into_response(),
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

/// A profile as form values (the check-in and profile forms share field names).
fn profile_form(profile: &Profile) -> FormValues {
    let mut pairs = vec![("from_profile".to_owned(), "1".to_owned())];
    for eq in profile.equipment.iter().flatten() {
        pairs.push(("eq".to_owned(), eq.clone()));
    }
    for cond in profile.conditions.iter().flatten() {
        pairs.push(("cond".to_owned(), cond.clone()));
    }
    if let Some(age) = profile.age {
        pairs.push(("age".to_owned(), age.to_string()));
    }
    if let Some(km) = profile.weekly_km {
        let units = Locale::of(profile).units;
        let shown = (km * 1000.0 / units.metres() * 10.0).round() / 10.0;
        pairs.push((views::weekly_field(units).0.to_owned(), shown.to_string()));
    }
    for (key, value) in [
        ("sex", &profile.sex),
        ("goal", &profile.goal),
        ("units", &profile.units),
        ("tz", &profile.tz),
    ] {
        if let Some(v) = value {
            pairs.push((key.to_owned(), v.clone()));
        }
    }
    for (key, value) in [("max_hr", profile.max_hr), ("rest_hr", profile.rest_hr)] {
        if let Some(v) = value {
            pairs.push((key.to_owned(), v.to_string()));
        }
    }
    if let Some(pace) = profile.threshold_pace_s_per_km.filter(|p| p.is_finite() && *p > 0.0) {
        let locale = Locale::of(profile);
        let s = (pace * locale.units.metres() / 1000.0).round() as i64;
        pairs.push(("threshold_pace".to_owned(), format!("{}:{:02}", s / 60, s % 60)));
    }
    FormValues::new(pairs)
}

const UNITS: &[(&str, &str)] = &[("km", "Kilometres"), ("mi", "Miles")];

const GOALS: &[(&str, &str)] = &[
    ("general", "Fitness and health"),
    ("5k", "5 km"),
    ("10k", "10 km"),
    ("half_marathon", "Half marathon"),
    ("marathon", "Marathon"),
    ("ultra", "Ultra"),
    ("trail", "Trail"),
];

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    title: &'static str,
    nav: &'static str,
    csrf: String,
    saved: bool,
    error: Option<FormError>,
    equipment: Vec<Check>,
    conditions: Vec<Check>,
    goals: Vec<Opt>,
    sex: Vec<Opt>,
    weekly: String,
    weekly_name: &'static str,
    weekly_label: &'static str,
    age: String,
    units: Vec<Opt>,
    tz: String,
    max_hr: String,
    rest_hr: String,
    threshold_pace: String,
    /// `per km` or `per mile`, after the threshold pace.
    pace_per: &'static str,
    /// The linked coaches' usernames; `None` in personal mode (no coaches there).
    coaches: Option<Vec<(String, bool)>>,
    no_coach: bool,
    /// `serve --lan`: the pairing link and the paired devices (HTML, [`crate::lan`]); empty
    /// otherwise.
    phone: String,
}

fn profile_page_for(
    csrf: &CsrfToken,
    form: &FormValues,
    saved: bool,
    error: Option<FormError>,
) -> ProfilePage {
    let value = |name: &str| form.get(name).unwrap_or("").to_owned();
    ProfilePage {
        title: "Profile",
        nav: "profile",
        csrf: csrf.as_str().to_owned(),
        saved,
        error,
        equipment: views::EQUIPMENT
            .iter()
            .map(|(value, label)| Check { value, label, hint: "", checked: form.has("eq", value) })
            .collect(),
        conditions: views::CONDITIONS
            .iter()
            .map(|(value, label, hint)| Check {
                value,
                label,
                hint,
                checked: form.has("cond", value),
            })
            .collect(),
        goals: opts(GOALS, form.get("goal"), Some("—")),
        sex: opts(SEX, form.get("sex"), Some("—")),
        weekly: value(views::weekly_field(form_units(form)).0),
        weekly_name: views::weekly_field(form_units(form)).0,
        weekly_label: views::weekly_field(form_units(form)).1,
        age: value("age"),
        units: opts(UNITS, Some(form.get("units").unwrap_or("km")), None),
        tz: value("tz"),
        max_hr: value("max_hr"),
        rest_hr: value("rest_hr"),
        threshold_pace: value("threshold_pace"),
        pace_per: form_units(form).per(),
        coaches: None,
        no_coach: false,
        phone: String::new(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct ProfileQuery {
    saved: Option<String>,
    no_coach: Option<String>,
}

/// `GET /profile`: the personal athlete's profile form.
pub(crate) async fn profile_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    owner: PageOwner,
    visitor: Visitor,
    Query(query): Query<ProfileQuery>,
) -> Response {
    if state.store().is_none() {
        let view = NotFoundPage {
            title: "Not found",
            nav: "profile",
            message: "This server runs without a store, so it keeps no profile.".to_owned(),
        };
        return page(StatusCode::NOT_FOUND, &view);
    }
    let form = match stored_profile(&state, owner).await {
        Ok(Some(profile)) => profile_form(&profile),
        Ok(None) => FormValues::default(),
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let mut view = profile_page_for(&csrf, &form, query.saved.is_some(), None);
    view.coaches = match coach_names(&state, owner).await {
        Ok(names) => names,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    view.no_coach = query.no_coach.is_some();
    view.phone = match crate::lan::phone_card(&state, visitor, &csrf, true).await {
        Ok(card) => card,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    page(StatusCode::OK, &view)
}

/// Reads the profile form over the stored profile (fields the form does not show are kept).
fn profile_from_form(form: &FormValues, mut profile: Profile) -> Result<Profile, FormError> {
    let bad = |field: &str, message: &str| FormError {
        field: field.to_owned(),
        message: message.to_owned(),
    };
    profile.equipment = Some(
        views::EQUIPMENT
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| form.has("eq", c))
            .map(str::to_owned)
            .collect(),
    );
    profile.conditions = Some(
        views::CONDITIONS
            .iter()
            .map(|(c, _, _)| *c)
            .filter(|c| form.has("cond", c))
            .map(str::to_owned)
            .collect(),
    );
    profile.weekly_km = views::weekly_volume_km(form)?;
    profile.age = match form.get("age") {
        None => None,
        Some(t) => match t.parse::<u32>() {
            Ok(n) if (10..=110).contains(&n) => Some(n),
            _ => return Err(bad("age", "give an age from 10 to 110")),
        },
    };
    profile.goal = match form.get("goal") {
        None => None,
        Some(g) if GOALS.iter().any(|(c, _)| *c == g) => Some(g.to_owned()),
        Some(_) => return Err(bad("goal", "choose one of the listed goals")),
    };
    profile.sex = match form.get("sex") {
        None => None,
        Some(x) if SEX.iter().any(|(c, _)| *c == x) => Some(x.to_owned()),
        Some(_) => return Err(bad("sex", "choose one of the listed answers")),
    };
    profile.units = Some(form_units(form).as_str().to_owned());
    profile.tz = form.get("tz").map(str::to_owned);
    let whole = |field: &str| -> Result<Option<u32>, FormError> {
        form.get(field)
            .map(|t| {
                t.parse::<u32>().map_err(|_| bad(field, "give a whole number of beats per minute"))
            })
            .transpose()
    };
    profile.max_hr = whole("max_hr")?;
    profile.rest_hr = whole("rest_hr")?;
    profile.threshold_pace_s_per_km = match form.get("threshold_pace") {
        None => None,
        Some(t) => Some(
            pace_per_km(t, form_units(form))
                .ok_or_else(|| bad("threshold_pace", "give minutes and seconds, e.g. 4:15"))?,
        ),
    };
    afterrun_service::profile::validate(&profile).map_err(|e| {
        let field = match e.field.as_str() {
            "threshold_pace_s_per_km" => "threshold_pace".to_owned(),
            other => other.to_owned(),
        };
        FormError { field, message: e.message }
    })?;
    Ok(profile)
}

/// The units the profile form chose (km unless it says mi).
fn form_units(form: &FormValues) -> Units {
    form.get("units").and_then(|u| u.parse().ok()).unwrap_or_default()
}

/// `MM:SS` per unit of distance as seconds per km.
fn pace_per_km(text: &str, units: Units) -> Option<f64> {
    let (m, s) = text.trim().split_once(':')?;
    let (m, s): (u32, u32) = (m.trim().parse().ok()?, s.trim().parse().ok()?);
    (s < 60).then(|| f64::from(m * 60 + s) * 1000.0 / units.metres())
}

/// `POST /profile`: saves the profile, then shows it again.
pub(crate) async fn profile_submit(
    State(state): State<AppState>,
    csrf: CsrfToken,
    owner: PageOwner,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Some(store) = state.store() else {
        return Problem::not_found(None, "this server keeps no profile").into_response();
    };
    let form = FormValues::new(pairs);
    let result = async {
        let athlete = owner.ensure(store, state.now().as_second()).await?;
        let current = store.profile(athlete).await?;
        Ok::<_, afterrun_store::StoreError>((athlete, current))
    }
    .await;
    let (athlete, current) = match result {
        Ok(v) => v,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let profile = match profile_from_form(&form, current) {
        Ok(p) => p,
        Err(e) => return form_page(&profile_page_for(&csrf, &form, false, Some(e.clone())), &e),
    };
    match store.set_profile(athlete, &profile).await {
        Ok(()) => redirect("/profile?saved=1"),
        Err(e) => Problem::internal(&e).into_response(),
    }
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
    match crate::api::plan_for(&checkin_text) {
        Ok(plan) => {
            let view = PlanPage {
                title: "Your plan",
                nav: "checkin",
                plan: views::plan_view(&plan, &[], &locale),
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
    crate::api::plan_for(&in_a_leg.to_string())
        .is_ok_and(|plan| plan.triage.level == afterrun_protocol::codes::Level::Emergency)
}

/// The page owner's stored plan `id`, if it exists and is theirs.
async fn find_plan(
    store: &Store,
    owner: PageOwner,
    id: &str,
) -> Result<Option<PlanRow>, afterrun_store::StoreError> {
    let Ok(id) = id.parse::<i64>() else { return Ok(None) };
    let Some(athlete) = owner.lookup(store).await? else { return Ok(None) };
    store.plan(athlete, id).await
}

fn no_plan(id: &str) -> Response {
    let view = NotFoundPage {
        title: "Not found",
        nav: "checkin",
        message: format!("There is no stored plan number “{id}”."),
    };
    page(StatusCode::NOT_FOUND, &view)
}

/// One stored plan in the list.
#[derive(Debug, Clone)]
struct PlanItem {
    id: i64,
    generated_at: String,
    /// `generated_at` in the runner's zone, in words.
    generated_label: String,
    /// The runner's zone when the profile names one (the script keeps to it).
    tz: Option<String>,
    level_class: &'static str,
    verdict: &'static str,
    steps: u32,
    done: usize,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    title: &'static str,
    nav: &'static str,
    plans: Vec<PlanItem>,
}

/// `GET /plans`: the personal athlete's plans, newest first.
pub(crate) async fn plan_list(State(state): State<AppState>, owner: PageOwner) -> Response {
    let Some(store) = state.store() else {
        return page(
            StatusCode::OK,
            &PlansPage { title: "Your plans", nav: "checkin", plans: Vec::new() },
        );
    };
    let rows = async {
        match owner.lookup(store).await? {
            Some(athlete) => store.plans(athlete).await,
            None => Ok(Vec::new()),
        }
    }
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let locale = owner_locale(&state, owner).await;
    let plans = rows
        .iter()
        .rev()
        .map(|row| {
            let level = PlanDoc::level_of(&row.plan);
            // A stored plan that no longer reads is shown at the careful level.
            let (level_class, verdict) = views::level_words(level.unwrap_or(Level::SeePhysio));
            let generated_at =
                views::utc(jiff::Timestamp::from_second(row.generated_at).unwrap_or_default());
            PlanItem {
                id: row.id,
                generated_label: locale.when(row.generated_at),
                tz: (!locale.tz_defaulted).then(|| locale.tz_name.clone()),
                generated_at,
                level_class,
                verdict,
                steps: row.steps,
                done: row.completed.len(),
            }
        })
        .collect();
    page(StatusCode::OK, &PlansPage { title: "Your plans", nav: "checkin", plans })
}

/// `GET /plans/{id}`: a stored plan with its done steps.
pub(crate) async fn stored_plan(
    State(state): State<AppState>,
    csrf: CsrfToken,
    owner: PageOwner,
    Path(id): Path<String>,
) -> Response {
    let Some(store) = state.store() else { return no_plan(&id) };
    match find_plan(store, owner, &id).await {
        Ok(Some(row)) => {
            let view = PlanPage {
                title: "Your plan",
                nav: "checkin",
                plan: match views::stored_plan_view(&row, &owner_locale(&state, owner).await) {
                    Ok(view) => view,
                    Err(e) => return Problem::internal(&e).into_response(),
                },
                ics_href: format!("/plans/{}/calendar.ics", row.id),
                plan_id: Some(row.id),
                csrf: csrf.as_str().to_owned(),
                read_only: None,
            };
            let mut response = page(StatusCode::OK, &view);
            // htmx followed the redirect from the form: show this address in the location bar.
            if let Ok(url) = HeaderValue::from_str(&format!("/plans/{}", row.id)) {
                response.headers_mut().insert("hx-push-url", url);
            }
            response
        }
        Ok(None) => no_plan(&id),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// `GET /plans/{id}/calendar.ics`: a stored plan as a calendar.
pub(crate) async fn stored_plan_ics(
    State(state): State<AppState>,
    owner: PageOwner,
    Path(id): Path<String>,
) -> Response {
    let Some(store) = state.store() else { return no_plan_problem(&id) };
    match find_plan(store, owner, &id).await {
        Ok(Some(row)) => {
            ics_response(PlanDoc::from_value(&row.plan), &owner_locale(&state, owner).await)
        }
        Ok(None) => no_plan_problem(&id),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

fn no_plan_problem(id: &str) -> Response {
    Problem::not_found(Some("id"), format!("there is no stored plan `{id}`")).into_response()
}

/// `POST /plans/{id}/steps/{step}/done`: marks a step done, then back to the plan (the page's
/// script swaps in only that step, so a running timer keeps going).
pub(crate) async fn mark_done(
    State(state): State<AppState>,
    owner: PageOwner,
    Path((id, step)): Path<(String, String)>,
) -> Response {
    change_step(&state, owner, &id, &step, true).await
}

/// `POST /plans/{id}/steps/{step}/undo`: takes back a step marked done, then back to the plan.
pub(crate) async fn undo_done(
    State(state): State<AppState>,
    owner: PageOwner,
    Path((id, step)): Path<(String, String)>,
) -> Response {
    change_step(&state, owner, &id, &step, false).await
}

/// Marks a step of the owner's stored plan done (`done`) or takes the mark back.
async fn change_step(
    state: &AppState,
    owner: PageOwner,
    id: &str,
    step: &str,
    done: bool,
) -> Response {
    let Some(store) = state.store() else { return no_plan_problem(id) };
    let row = match find_plan(store, owner, id).await {
        Ok(Some(row)) => row,
        Ok(None) => return no_plan_problem(id),
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let step_index = match step.parse::<u32>() {
        Ok(n) if n < row.steps => n,
        _ => {
            return Problem::new(
                StatusCode::NOT_FOUND,
                "no-such-step",
                "No such step",
                format!("plan {} has steps 0 to {}", row.id, row.steps.saturating_sub(1)),
                Some("step"),
            )
            .into_response();
        }
    };
    let Some(athlete) = owner.lookup(store).await.ok().flatten() else {
        return no_plan_problem(id);
    };
    let changed = if done {
        store.mark_done(athlete, Some(row.id), step_index, state.now().as_second()).await
    } else {
        store.unmark_done(athlete, row.id, step_index).await
    };
    match changed {
        Ok(_) => redirect(&format!("/plans/{}#step-{step_index}", row.id)),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

fn ics_response(plan: Result<PlanDoc, serde_json::Error>, locale: &Locale) -> Response {
    match plan.map(|plan| afterrun_service::ics::plan_to_ics(&plan, locale)) {
        Ok(ics) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"afterrun-plan.ics\""),
            ],
            ics,
        )
            .into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct IcsQuery {
    checkin: Option<String>,
}

pub(crate) async fn plan_ics(
    State(state): State<AppState>,
    owner: PageOwner,
    Query(query): Query<IcsQuery>,
) -> Response {
    let Some(checkin) = query.checkin else {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "missing-parameter",
            "A parameter is missing",
            "give the check-in as the `checkin` query parameter",
            Some("checkin"),
        )
        .into_response();
    };
    let plan = match crate::api::plan_for(&checkin) {
        Ok(p) => p,
        Err(problem) => return problem.into_response(),
    };
    ics_response(Ok(plan), &owner_locale(&state, owner).await)
}

pub(crate) async fn guide_list() -> Response {
    let topics =
        afterrun_protocol::guide::topics().iter().map(|t| (t.id, t.title, t.summary)).collect();
    page(StatusCode::OK, &GuideListPage { title: "Guide", nav: "guide", topics })
}

pub(crate) async fn guide_topic(Path(id): Path<String>) -> Response {
    match afterrun_protocol::guide::topic(&id) {
        Some(topic) => {
            let references = topic
                .references
                .iter()
                .filter_map(|rid| afterrun_protocol::references::find(rid))
                .map(|r| r.citation)
                .collect();
            let view = GuideTopicPage {
                title: topic.title,
                nav: "guide",
                topic,
                seed_advice: topic.seed_advice.iter().map(|p| readable(p)).collect(),
                evidence: topic.evidence.iter().map(|p| readable(p)).collect(),
                references,
                outcome_note: afterrun_protocol::guide::OUTCOME_FIGURES_NOTE,
            };
            page(StatusCode::OK, &view)
        }
        None => {
            let view = NotFoundPage {
                title: "Not found",
                nav: "guide",
                message: format!("There is no guide topic called “{id}”."),
            };
            page(StatusCode::NOT_FOUND, &view)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
