//! How answers are written, for every handler: JSON text, an HTML page with the security
//! headers, the "not found" page. A leaf: it uses no other handler module, so every handler
//! module can use it without an import circle.

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::problem::Problem;

/// The athlete of personal mode: the same default name as the CLI's `--athlete`.
pub const PERSONAL_ATHLETE: &str = "me";

/// Runs the extractor `T` on a request's parts, its refusal as the response (for the extractors
/// made of others).
pub(crate) async fn extract_part<T: FromRequestParts<AppState>>(
    parts: &mut Parts,
    state: &AppState,
) -> Result<T, Response> {
    T::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)
}

/// Runs the extractor `T` on the whole request (it reads the body), its refusal as the response.
pub(crate) async fn extract_whole<T: FromRequest<AppState>>(
    request: Request,
    state: &AppState,
) -> Result<T, Response> {
    T::from_request(request, state).await.map_err(IntoResponse::into_response)
}

/// Whether the `Content-Type` of these headers starts with `prefix`.
pub(crate) fn media_starts_with(headers: &HeaderMap, prefix: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(prefix))
}

/// A 303 to `to` (after a form, or to the log-in page).
pub(crate) fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// A JSON answer from its text.
pub(crate) fn json_text(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[derive(Template)]
#[template(path = "not_found.html")]
pub(crate) struct NotFoundPage {
    pub(crate) title: &'static str,
    pub(crate) nav: &'static str,
    pub(crate) message: String,
}

/// The "not found" page, for a browser.
pub(crate) fn not_found_page(message: String) -> Response {
    let view = NotFoundPage { title: "Not found", nav: "", message };
    page(StatusCode::NOT_FOUND, &view)
}

/// Renders a page with the security headers.
pub(crate) fn page(status: StatusCode, template: &dyn askama::DynTemplate) -> Response {
    match template.dyn_render() {
        Ok(html) => html_page(status, html),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// A rendered page with the headers every page carries (a new visitor's CSRF cookie is added
/// by [`crate::security`]).
pub(crate) fn html_page(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    page_headers(headers);
    response
}

/// Headers every page carries: no framing, no sniffing, no script or style from elsewhere.
fn page_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
