//! The page assets, compiled into the binary: the app works offline and never loads a CDN.
//!
//! `htmx.min.js` is htmx 2.0.11 as published on npm (`htmx.org`), unmodified below its added
//! licence line (0BSD, `assets/htmx.LICENSE`).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::problem::Problem;

const CSS: &[u8] = include_bytes!("../assets/app.css");
const JS: &[u8] = include_bytes!("../assets/app.js");
const DEVICE_JS: &[u8] = include_bytes!("../assets/device.js");
const IMPORT_JS: &[u8] = include_bytes!("../assets/import.js");
const IMPORT_CSS: &[u8] = include_bytes!("../assets/import.css");
const HTMX: &[u8] = include_bytes!("../assets/htmx.min.js");
const HTMX_LICENSE: &[u8] = include_bytes!("../assets/htmx.LICENSE");
const ICON: &[u8] = include_bytes!("../assets/icon.svg");

/// The asset routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(asset))
}

/// The bytes and media type of an asset, by file name.
fn find(name: &str) -> Option<(&'static [u8], &'static str)> {
    Some(match name {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        "device.js" => (DEVICE_JS, "text/javascript; charset=utf-8"),
        "import.js" => (IMPORT_JS, "text/javascript; charset=utf-8"),
        "import.css" => (IMPORT_CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "htmx.LICENSE" => (HTMX_LICENSE, "text/plain; charset=utf-8"),
        "icon.svg" => (ICON, "image/svg+xml"),
        _ => return None,
    })
}

async fn asset(Path(name): Path<String>) -> Response {
    match find(&name) {
        Some((bytes, media_type)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            response
        }
        None => {
            Problem::not_found(Some("file"), format!("there is no asset `{name}`")).into_response()
        }
    }
}
