//! The page assets, compiled into the binary: the app works offline and never loads a CDN.
//!
//! `htmx.min.js` is htmx 2.0.11 as published on npm (`htmx.org`), unmodified below its added
//! licence line (0BSD, `assets/htmx.LICENSE`).

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;

const CSS: &[u8] = include_bytes!("../assets/app.css");
const JS: &[u8] = include_bytes!("../assets/app.js");
const DEVICE_JS: &[u8] = include_bytes!("../assets/device.js");
const IMPORT_JS: &[u8] = include_bytes!("../assets/import.js");
const IMPORT_CSS: &[u8] = include_bytes!("../assets/import.css");
const HTMX: &[u8] = include_bytes!("../assets/htmx.min.js");
const HTMX_LICENSE: &[u8] = include_bytes!("../assets/htmx.LICENSE");
const ICON: &[u8] = include_bytes!("../assets/icon.svg");
const ICON_192: &[u8] = include_bytes!("../assets/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../assets/icon-512.png");
const SERVICE_WORKER: &[u8] = include_bytes!("../assets/sw.js");

/// The web app manifest: installable as an app on a phone or a desktop (Chromium's checks:
/// a name, a start URL, standalone display, icons of 192 and 512 px, a service worker).
pub const MANIFEST: &str = r##"{
  "name": "afterrun: recovery after your run",
  "short_name": "afterrun",
  "description": "What to do for your legs after a run, timed and dosed, with red flags first.",
  "start_url": "/",
  "scope": "/",
  "display": "standalone",
  "background_color": "#f3f5f1",
  "theme_color": "#0b6b61",
  "icons": [
    {"src": "/assets/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any maskable"},
    {"src": "/assets/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
    {"src": "/assets/icon.svg", "sizes": "any", "type": "image/svg+xml"}
  ]
}
"##;

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
        "icon-192.png" => (ICON_192, "image/png"),
        "icon-512.png" => (ICON_512, "image/png"),
        _ => return None,
    })
}

/// `GET /manifest.webmanifest`.
pub(crate) async fn manifest() -> Response {
    let mut response = MANIFEST.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// `GET /sw.js`: the service worker, served from the root so that its scope is the whole app;
/// never cached by HTTP, so a new version is picked up on the next visit.
pub(crate) async fn service_worker() -> Response {
    let mut response = SERVICE_WORKER.into_response();
    let headers = response.headers_mut();
    headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub(crate) async fn asset(Path(name): Path<String>) -> Response {
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
