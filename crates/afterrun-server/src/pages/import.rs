//! The import page (`GET /import`: drop zone, file input, per-file progress and results) and
//! its form without JavaScript (`POST /import`, `multipart/form-data`, any number of files),
//! answered with the same page showing the results (see [`crate::upload`]).

use afterrun_service::import::Counts;
use afterrun_service::locale::Locale;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::auth::Principal;
use crate::respond::page;
use crate::security::CsrfToken;
use crate::upload::{
    ACCEPT, BODY_LIMIT, SummaryView, UploadView, athlete_for, bad_request, clean_name, import_one,
    new_spool, too_large, upload_view,
};

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    title: &'static str,
    nav: &'static str,
    csrf: String,
    accept: &'static str,
    limit_mib: usize,
    has_store: bool,
    /// A coach's account: athletes import their own runs, a coach has none to import.
    coach: bool,
    error: Option<String>,
    uploads: Vec<UploadView>,
    summary: Option<SummaryView>,
    /// The runner's IANA zone when their profile names one (the script shows times in it).
    tz: String,
    /// The runner's units, `km` or `mi` (the script words distances in them).
    units: &'static str,
}

fn import_page_for(state: &AppState, csrf: &CsrfToken, locale: &Locale) -> ImportPage {
    ImportPage {
        title: "Import",
        nav: "import",
        csrf: csrf.as_str().to_owned(),
        accept: ACCEPT,
        limit_mib: BODY_LIMIT / (1024 * 1024),
        has_store: state.store().is_some(),
        coach: false,
        error: None,
        uploads: Vec::new(),
        summary: None,
        tz: if locale.tz_defaulted { String::new() } else { locale.tz_name.clone() },
        units: locale.units.as_str(),
    }
}

/// The importing athlete's zone and units (the server's zone and km when unknown).
async fn import_locale(state: &AppState, principal: &Principal) -> Locale {
    let profile = match state.store() {
        Some(store) => match athlete_for(state, principal, "me").await {
            Ok(athlete) => store.profile(athlete).await.unwrap_or_default(),
            Err(_) => afterrun_store::Profile::default(),
        },
        None => afterrun_store::Profile::default(),
    };
    Locale::of(&profile)
}

/// `GET /import`: the import page.
pub(crate) async fn import_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> Response {
    let mut view = import_page_for(&state, &csrf, &import_locale(&state, &principal).await);
    view.coach = matches!(principal, Principal::Coach { .. });
    page(StatusCode::OK, &view)
}

/// `POST /import`: the page's form without JavaScript; every file of the form is imported.
pub(crate) async fn import_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let locale = import_locale(&state, &principal).await;
    let mut view = import_page_for(&state, &csrf, &locale);
    let refuse = |mut view: ImportPage, status: StatusCode, message: String| {
        view.error = Some(message);
        page(status, &view)
    };
    let Some(store) = state.store() else {
        return refuse(
            view,
            StatusCode::NOT_FOUND,
            "This server keeps no data: nothing can be imported.".into(),
        );
    };
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return bad_request("body", format!("send the form as multipart/form-data: {e}"))
                .into_response();
        }
    };
    // The page's own athlete: the personal one, or the logged-in athlete's.
    let athlete = match athlete_for(&state, &principal, "me").await {
        Ok(a) => a,
        Err(p) => return p.into_response(),
    };
    let _turn = match state.uploads().turn(athlete) {
        Ok(turn) => turn,
        Err(problem) => {
            let message = format!("Too many uploads at once: {}.", problem.detail);
            let mut response = refuse(view, problem.status_code(), message);
            if let Some(seconds) = problem.retry_after {
                response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            }
            return response;
        }
    };
    let mut summary = SummaryView::default();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let message = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    format!("The upload is too large: at most {} MiB at once.", view.limit_mib)
                } else {
                    format!("The upload could not be read: {}.", e.body_text())
                };
                return refuse(view, e.status(), message);
            }
        };
        if field.name() != Some("files") {
            continue;
        }
        let Some(name) = field.file_name().and_then(clean_name) else { continue };
        let mut spool = match new_spool(&state).await {
            Ok(spool) => spool,
            Err(p) => return p.into_response(),
        };
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    let message = format!("{name} could not be read: {}.", e.body_text());
                    return refuse(view, e.status(), message);
                }
            };
            if let Err(p) = spool.push(&chunk, too_large).await {
                let message = format!("{name}: {}.", p.detail);
                return refuse(view, p.status_code(), message);
            }
        }
        if spool.len() == 0 {
            // An empty file input sends one nameless empty part; a named empty file is shown.
            let line = json!({"file": name, "format": null, "ok": false,
                              "error": {"kind": "not_activity_file", "message": "the file is empty"}});
            summary.add(&Counts { files: 1, skipped: 1, ..Counts::default() });
            view.uploads.push(upload_view(name, &[line], &locale));
            continue;
        }
        match import_one(&state, store, athlete, name.clone(), spool).await {
            Ok((lines, counts)) => {
                summary.add(&counts);
                view.uploads.push(upload_view(name, &lines, &locale));
            }
            Err(p) => return p.into_response(),
        }
    }
    if view.uploads.is_empty() {
        return refuse(view, StatusCode::BAD_REQUEST, "Choose at least one file to import.".into());
    }
    view.summary = Some(summary);
    page(StatusCode::OK, &view)
}
