//! The profile page (`GET /profile`) and its form (`POST /profile`): equipment, conditions,
//! weekly volume, units and zone, heart rates, threshold pace; in multi-user mode the linked
//! coaches, under `serve --lan` the paired devices.

use afterrun_service::locale::Units;
use afterrun_store::{Profile, StoreError};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{PageOwner, stored_profile};
use crate::lan::Visitor;
use crate::problem::Problem;
use crate::respond::{NotFoundPage, page, redirect};
use crate::security::CsrfToken;
use crate::views::{self, Check, FormError, FormValues, Opt, SEX, form_page, opts, profile_form};

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
        equipment: views::equipment_checks(form, None),
        conditions: views::condition_checks(form),
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
    let owned = |ticked: Vec<&str>| Some(ticked.into_iter().map(str::to_owned).collect());
    profile.equipment = owned(views::ticked_equipment(form));
    profile.conditions = owned(views::ticked_conditions(form));
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

/// The athlete's coaches for the profile page, each with whether they have accepted; `None`
/// in personal mode (no coaches there).
pub(crate) async fn coach_names(
    state: &AppState,
    owner: PageOwner,
) -> Result<Option<Vec<(String, bool)>>, StoreError> {
    match (owner, state.store()) {
        (PageOwner::Athlete(id), Some(store)) => Ok(Some(
            store.coaches_of(id).await?.into_iter().map(|c| (c.username, c.accepted)).collect(),
        )),
        _ => Ok(None),
    }
}
