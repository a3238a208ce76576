//! The main navigation for who is looking.
//!
//! Every page is drawn with the runner's navigation (`templates/base.html`): check in, status,
//! profile, import, guide, device. In personal mode that is the whole story. In multi-user mode a
//! coach has no check-in or profile of their own and an anonymous visitor has neither, so links
//! there would only bounce; and a logged-in person wants to log out from anywhere. This layer,
//! inside the auth gate (which has put the [`Principal`] in the request's extensions), redraws
//! the `<nav aria-label="Main">` of an HTML answer for the visitor's role, keeping the link
//! marked current: one place, rather than a role field in every page's view.

use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Principal;
use crate::problem::Problem;
use crate::respond::media_starts_with;
use crate::security::CsrfToken;
use crate::{AppState, Mode};

/// Pages are small; a larger answer is passed on unchanged.
const MAX_PAGE: usize = 4 * 1024 * 1024;

const NAV_OPEN: &str = "<nav aria-label=\"Main\">";

/// Who is looking, as far as the navigation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Athlete,
    Coach,
    Anonymous,
}

/// The links of a role's navigation: `(href, label)`.
fn links(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Athlete => &[
            ("/", "Check in"),
            ("/status", "Status"),
            ("/profile", "Profile"),
            ("/import", "Import"),
            ("/guide", "Guide"),
            ("/device", "Device"),
        ],
        Role::Coach => &[("/coach", "Your runners"), ("/guide", "Guide"), ("/device", "Device")],
        Role::Anonymous => &[("/login", "Log in"), ("/signup", "Sign up"), ("/guide", "Guide")],
    }
}

/// The navigation of `role`, the link `current` marked, with a log-out button for a session.
fn draw(role: Role, current: Option<&str>, csrf: Option<&str>) -> String {
    let mut out = String::from(NAV_OPEN);
    for (href, label) in links(role) {
        let here = if current == Some(*href) { " aria-current=\"page\"" } else { "" };
        out.push_str(&format!("\n      <a href=\"{href}\"{here}>{label}</a>"));
    }
    if let Some(token) = csrf {
        out.push_str(&format!(
            "\n      <form method=\"post\" action=\"/logout\" class=\"nav-logout\"><input type=\"hidden\" \
             name=\"csrf_token\" value=\"{token}\"><button type=\"submit\">Log out</button></form>"
        ));
    }
    out.push_str("\n    </nav>");
    out
}

/// The href of the link marked current in a drawn navigation.
fn current(nav: &str) -> Option<&str> {
    let at = nav.find(" aria-current=\"page\"")?;
    let before = &nav[..at];
    let start = before.rfind("href=\"")? + "href=\"".len();
    let end = start + before[start..].find('"')?;
    Some(&nav[start..end])
}

/// Replaces the page's main navigation with `role`'s.
fn redraw(html: &str, role: Role, csrf: Option<&str>) -> Option<String> {
    let start = html.find(NAV_OPEN)?;
    let end = start + html[start..].find("</nav>")? + "</nav>".len();
    let nav = draw(role, current(&html[start..end]), csrf);
    Some(format!("{}{nav}{}", &html[..start], &html[end..]))
}

/// The middleware (multi-user mode only).
pub(crate) async fn role_nav(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if state.config().mode != Mode::MultiUser {
        return next.run(request).await;
    }
    let role = match request.extensions().get::<Principal>() {
        Some(Principal::Athlete { .. }) => Role::Athlete,
        Some(Principal::Coach { .. }) => Role::Coach,
        _ => Role::Anonymous,
    };
    // A session's token is derived from it, so it is the one the handler's forms carry.
    let csrf = (role != Role::Anonymous).then(|| CsrfToken::of(request.headers()));
    let response = next.run(request).await;
    if !media_starts_with(response.headers(), "text/html") {
        return response;
    }
    // Only a page of known size under the bound is read; anything else passes on untouched.
    let small = response.body().size_hint().exact().is_some_and(|n| n <= MAX_PAGE as u64);
    if !small {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        // Unreachable for a body of known size under the bound; never answer an empty page.
        return Problem::internal(&"a page could not be read back").into_response();
    };
    let html = String::from_utf8_lossy(&bytes);
    match redraw(&html, role, csrf.as_ref().map(CsrfToken::as_str)) {
        Some(page) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            (parts, page).into_response()
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<header><nav aria-label=\"Main\">\n      <a href=\"/\">Check in</a>\n      \
                        <a href=\"/guide\" aria-current=\"page\">Guide</a>\n    </nav></header><main></main>";

    #[test]
    fn each_role_gets_its_links_and_the_current_one_stays_marked() {
        let coach = redraw(PAGE, Role::Coach, Some("t0k")).unwrap();
        assert!(coach.contains("<a href=\"/coach\">Your runners</a>"), "{coach}");
        assert!(coach.contains("<a href=\"/guide\" aria-current=\"page\">Guide</a>"), "{coach}");
        assert!(!coach.contains("Check in") && !coach.contains("/profile"), "{coach}");
        assert!(
            coach.contains("value=\"t0k\"><button type=\"submit\">Log out</button>"),
            "{coach}"
        );
        assert!(coach.ends_with("</nav></header><main></main>"));
        let anonymous = redraw(PAGE, Role::Anonymous, None).unwrap();
        assert!(anonymous.contains("Log in") && !anonymous.contains("Log out"), "{anonymous}");
        let athlete = redraw(PAGE, Role::Athlete, Some("t")).unwrap();
        assert!(athlete.contains("/status") && athlete.contains("Log out"), "{athlete}");
        assert_eq!(redraw("<p>no nav</p>", Role::Coach, None), None);
    }
}
