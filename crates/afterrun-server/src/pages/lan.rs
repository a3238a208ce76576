//! `serve --lan`'s pages: the one-time pairing link (`GET /pair/{token}`) and the owner's forms
//! on the profile page (a new link, revoking a device); the gate and the links are
//! [`crate::lan`].

use afterrun_store::{Id, StoreError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{new_token, over_tls};
use crate::lan::{
    DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S, LINK_REFUSED, Visitor, device_name, new_link, unpaired,
};
use crate::problem::Problem;
use crate::respond::{not_found_page, redirect};
use crate::security::is_token;

/// The answer of a server without `--lan` to its pages.
fn not_lan() -> Response {
    not_found_page(
        "This server does not serve the home network: start it with afterrun serve --lan."
            .to_owned(),
    )
}

/// `GET /pair/{token}`: pairs this device (a cookie) and goes to the home page; refused (401)
/// when the link is unknown, used or expired. The owner and a paired device need no pairing:
/// they go home and the link stays unused.
pub(crate) async fn pair(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(store) = state.store().filter(|_| state.config().lan.is_some()) else {
        return not_lan();
    };
    if visitor != Visitor::Stranger {
        return redirect("/");
    }
    if !is_token(&token) {
        return unpaired(false, Some(LINK_REFUSED));
    }
    let device_token = new_token();
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let name = device_name(agent);
    let now = state.now().as_second();
    match store.pair_device(&token, &device_token, &name, now).await {
        Ok(device) => {
            tracing::info!(device = device.id, name = %device.name, "paired a device");
            let mut response = redirect("/");
            response
                .headers_mut()
                .append(header::SET_COOKIE, device_cookie(&device_token, &headers));
            response
        }
        Err(StoreError::NoPairing) => {
            tracing::warn!("refused a pairing link: unknown, used or expired");
            unpaired(false, Some(LINK_REFUSED))
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// The `Set-Cookie` value carrying a paired device's token, `Secure` over TLS.
fn device_cookie(token: &str, request: &HeaderMap) -> HeaderValue {
    let secure = if over_tls(request) { "; Secure" } else { "" };
    let text = format!(
        "{DEVICE_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; \
         Max-Age={DEVICE_COOKIE_MAX_AGE_S}{secure}"
    );
    // A token is hex: always a valid header value.
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("afterrun_device=; Max-Age=0"))
}

/// 403: managing devices is the owner's, at the machine.
fn owner_only() -> Response {
    Problem::new(
        StatusCode::FORBIDDEN,
        "owner-only",
        "Only on the computer that runs afterrun",
        "pairing and revoking devices is done on the computer afterrun runs on, at localhost",
        None,
    )
    .into_response()
}

/// `POST /profile/devices/link`: the owner makes a new pairing link (shown on the profile page).
pub(crate) async fn make_link(State(state): State<AppState>, visitor: Visitor) -> Response {
    if state.config().lan.is_none() {
        return not_lan();
    }
    if visitor != Visitor::Owner {
        return owner_only();
    }
    match new_link(&state).await {
        Ok(_) => redirect("/profile#phone"),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// `POST /profile/devices/{id}/revoke`: the owner revokes a paired device (its cookie then gets
/// 401). Revoking one already gone changes nothing.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let Some(store) = state.store().filter(|_| state.config().lan.is_some()) else {
        return not_lan();
    };
    if visitor != Visitor::Owner {
        return owner_only();
    }
    let Ok(id) = id.parse::<Id>() else {
        return Problem::not_found(Some("id"), "there is no paired device with this id")
            .into_response();
    };
    match store.revoke_device(id).await {
        Ok(revoked) => {
            if revoked {
                tracing::info!(device = id, "revoked a paired device");
            }
            redirect("/profile#phone")
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}
