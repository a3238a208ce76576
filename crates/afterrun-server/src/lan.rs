//! `serve --lan`: the runner's own phone on the home network, in personal mode.
//!
//! The server then answers on the machine's address on the home network as well as on loopback
//! (the binary binds both). Who may ask:
//! - a request whose `Host` is a loopback name and whose peer is a loopback address is the
//!   owner's, as without `--lan` ([`Visitor::Owner`]);
//! - any other request needs the cookie of a paired device ([`DEVICE_COOKIE`]: 256 random bits
//!   from the operating system, `HttpOnly; SameSite=Strict`, [`DEVICE_COOKIE_MAX_AGE_S`] long,
//!   only its SHA-256 stored), else 401: a page that explains pairing in plain words, or a
//!   problem document under `/api/`. Only the pairing link itself and the static assets (the
//!   page's styles, scripts, icons, manifest and service worker: no data) are open to all.
//!
//! A device pairs by opening a one-time pairing link, `/pair/{token}`: printed with a QR code
//! by `afterrun serve --lan`, shown as SVG to the owner on the home and profile pages, made anew
//! on the profile page. A link expires [`PAIRING_LIFETIME_S`] after it is made and is used up in
//! the transaction that pairs the device (`Store::pair_device`), so it pairs one device once.
//! The owner lists and revokes the paired devices on the profile page; managing devices is the
//! owner's alone (a paired phone cannot pair another device or revoke one).
//!
//! The `Host` rule and the same-origin rule of [`crate::security`] hold unchanged: with `--lan`
//! the allowed `Host` names are the loopback names and the one LAN address and port.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use afterrun_service::locale::Locale;
use afterrun_store::{Id, PairedDevice, StoreError};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{PageOwner, new_token, owner_locale};
use crate::problem::Problem;
use crate::respond::page;
use crate::security::{CsrfToken, cookie_value, is_loopback_host, is_token, request_host};

/// The cookie that carries a paired device's token.
pub const DEVICE_COOKIE: &str = "afterrun_device";

/// How long a pairing link can be used, in seconds (10 minutes).
pub const PAIRING_LIFETIME_S: i64 = 10 * 60;

/// How long the device cookie lives, in seconds: 400 days, the most browsers keep a cookie.
/// The device stays paired until it is revoked; after that long its browser pairs again.
pub const DEVICE_COOKIE_MAX_AGE_S: i64 = 400 * 24 * 3600;

/// Who is asking, under `--lan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitor {
    /// The person at the machine: loopback `Host` and peer (and everyone without `--lan`, where
    /// only loopback names are served).
    Owner,
    /// A device the owner paired (its id).
    Device(Id),
    /// Anyone else: only the pairing link and the assets answer them.
    Stranger,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Infallible;

    /// What [`gate`] found; without `--lan` the owner, with it a stranger unless found.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(parts.extensions.get::<Visitor>().copied().unwrap_or(if state.config().lan.is_none() {
            Visitor::Owner
        } else {
            Visitor::Stranger
        }))
    }
}

/// Addresses anyone may ask for under `--lan`: the pairing link, and what a page is drawn with.
pub(crate) fn is_open(path: &str) -> bool {
    path.starts_with("/pair/")
        || path.starts_with("/assets/")
        || matches!(path, "/healthz" | "/manifest.webmanifest" | "/sw.js")
}

/// The middleware (inside the `Host` and same-origin guard): under `--lan`, finds the
/// [`Visitor`], hands it on in the request's extensions, and answers a stranger 401.
pub(crate) async fn gate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if state.config().lan.is_none() {
        return next.run(request).await;
    }
    let host = request_host(&request);
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let token = cookie_value(request.headers(), DEVICE_COOKIE).map(str::to_owned);
    let visitor = match visitor_of(&state, host.as_deref(), peer, token.as_deref()).await {
        Ok(v) => v,
        Err(problem) => return problem.into_response(),
    };
    request.extensions_mut().insert(visitor);
    if visitor == Visitor::Stranger && !is_open(request.uri().path()) {
        return unpaired(request.uri().path().starts_with("/api/"), None);
    }
    next.run(request).await
}

/// The visitor of a request: the owner (loopback `Host` and peer), a paired device (its cookie),
/// or a stranger.
async fn visitor_of(
    state: &AppState,
    host: Option<&str>,
    peer: Option<IpAddr>,
    cookie: Option<&str>,
) -> Result<Visitor, Problem> {
    if host.is_some_and(is_loopback_host) && peer.is_some_and(|p| p.is_loopback()) {
        return Ok(Visitor::Owner);
    }
    let token = cookie.filter(|t| is_token(t));
    let (Some(store), Some(token)) = (state.store(), token) else { return Ok(Visitor::Stranger) };
    match store.paired_device(token).await {
        Ok(Some(device)) => Ok(Visitor::Device(device.id)),
        Ok(None) => Ok(Visitor::Stranger),
        Err(e) => Err(Problem::internal(&e)),
    }
}

#[derive(Template)]
#[template(path = "unpaired.html")]
struct UnpairedPage {
    title: &'static str,
    nav: &'static str,
    /// Why the pairing link just opened did not work, when one was.
    refused: Option<&'static str>,
}

/// 401 for a stranger: a page explaining pairing, or a problem document for the API.
pub(crate) fn unpaired(api: bool, refused: Option<&'static str>) -> Response {
    if api {
        return Problem::new(
            StatusCode::UNAUTHORIZED,
            "not-paired",
            "This device is not paired",
            "on the home network, afterrun answers only the devices its owner paired: open a \
             pairing link from `afterrun serve --lan` or the owner's profile page on this device",
            Some("Cookie"),
        )
        .into_response();
    }
    page(StatusCode::UNAUTHORIZED, &UnpairedPage { title: "Pair this device", nav: "", refused })
}

/// Why a pairing link was refused, for the page.
pub(crate) const LINK_REFUSED: &str = "This pairing link cannot be used: each link works once, for 10 \
                            minutes, and this one was used already or is older than that.";

// ----- pairing links -----

/// A pairing link just made: the only copy of its token is here and in the owner's view.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingLink {
    /// The link, with the server's LAN address: `http://192.168.1.20:8080/pair/TOKEN`.
    pub url: String,
    /// The token it carries.
    pub(crate) token: String,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
}

impl std::fmt::Debug for PairingLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A secret: never in logs.
        f.debug_struct("PairingLink").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// Why a pairing link could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The server was not started with `--lan`, or has no store.
    #[error("this server does not serve the home network (start it with afterrun serve --lan)")]
    NotLan,
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Makes a new pairing link, usable once for [`PAIRING_LIFETIME_S`] from the state's clock, and
/// keeps it as the one the owner's pages show.
pub async fn new_link(state: &AppState) -> Result<PairingLink, LinkError> {
    let (Some(lan), Some(store)) = (state.config().lan, state.store()) else {
        return Err(LinkError::NotLan);
    };
    let token = new_token();
    let now = state.now().as_second();
    let expires_at = now + PAIRING_LIFETIME_S;
    store.create_pairing_link(&token, now, expires_at).await?;
    let link = PairingLink { url: format!("http://{lan}/pair/{token}"), token, expires_at };
    state.set_pairing_link(link.clone());
    Ok(link)
}

/// The owner's current pairing link, while it can still be used.
async fn usable_link(state: &AppState) -> Result<Option<PairingLink>, StoreError> {
    let (Some(link), Some(store)) = (state.pairing_link(), state.store()) else { return Ok(None) };
    let usable = store.pairing_link_usable(&link.token, state.now().as_second()).await?;
    Ok(usable.then_some(link))
}

/// What `afterrun serve --lan` prints: the link, until when it works (in the owner's time), and
/// its QR code.
pub async fn terminal_text(state: &AppState, link: &PairingLink) -> String {
    let locale = owner_locale(state, PageOwner::Personal).await;
    format!(
        "On your phone (on the same Wi-Fi), scan this code or open this link; it works once, \
         until {}:\n{}\n\n{}\n",
        locale.clock(link.expires_at),
        link.url,
        qr_text(&link.url)
    )
}

// ----- QR codes -----

/// The link as a QR code in text: two rows of modules per line in Unicode half blocks, light
/// modules drawn, for a terminal's light text on a dark background. Empty if it cannot be coded.
pub fn qr_text(link: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(link.as_bytes()) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The link as a QR code in SVG, one path of the dark modules inside a 4-module light border.
/// Empty if it cannot be coded.
pub fn qr_svg(link: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(link.as_bytes()) else { return String::new() };
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    // One rectangle per run of dark modules in a row.
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            let run = row[x..].iter().take_while(|c| **c == qrcode::Color::Dark).count();
            if run > 0 {
                path.push_str(&format!("M{} {}h{run}v1h-{run}z", x + 4, y + 4));
            }
            x += run.max(1);
        }
    }
    let size = width + 8;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         class=\"qr\" role=\"img\" aria-label=\"QR code of the pairing link\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" \
         fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

/// A pairing link as the owner's pages show it.
#[derive(Debug)]
struct LinkView {
    url: String,
    svg: String,
    until: String,
}

/// A paired device as the profile page lists it.
#[derive(Debug)]
struct DeviceView {
    id: Id,
    name: String,
    paired: String,
}

#[derive(Template)]
#[template(path = "phone.html")]
struct PhoneCard {
    /// The profile page's card (the link's form and the devices), not the home page's.
    on_profile: bool,
    /// The card of a paired device: managing happens on the computer.
    on_device: bool,
    link: Option<LinkView>,
    devices: Vec<DeviceView>,
    csrf: String,
}

/// The "Open on your phone" card of the owner's home page (only while a link can be used) or
/// profile page (with a form for a new link and the paired devices); a paired device's profile
/// page says it is paired. Empty without `--lan`, and for the home page without a usable link.
pub(crate) async fn phone_card(
    state: &AppState,
    visitor: Visitor,
    csrf: &CsrfToken,
    on_profile: bool,
) -> Result<String, StoreError> {
    let Some(store) = state.store().filter(|_| state.config().lan.is_some()) else {
        return Ok(String::new());
    };
    let on_device = matches!(visitor, Visitor::Device(_));
    if visitor == Visitor::Stranger || (on_device && !on_profile) {
        return Ok(String::new());
    }
    let locale = owner_locale(state, PageOwner::Personal).await;
    let link = if on_device { None } else { usable_link(state).await? };
    if link.is_none() && !on_profile {
        return Ok(String::new());
    }
    let devices = if on_device { Vec::new() } else { store.paired_devices().await? };
    let card = PhoneCard {
        on_profile,
        on_device,
        link: link.map(|l| link_view(&l, &locale)),
        devices: devices.iter().map(|d| device_view(d, &locale)).collect(),
        csrf: csrf.as_str().to_owned(),
    };
    Ok(card.render().unwrap_or_default())
}

fn link_view(link: &PairingLink, locale: &Locale) -> LinkView {
    LinkView { url: link.url.clone(), svg: qr_svg(&link.url), until: locale.clock(link.expires_at) }
}

fn device_view(device: &PairedDevice, locale: &Locale) -> DeviceView {
    DeviceView { id: device.id, name: device.name.clone(), paired: locale.when(device.paired_at) }
}

/// A short name for a device from its browser's `User-Agent`: `Safari on iPhone`.
pub fn device_name(user_agent: &str) -> String {
    // Order matters: Edge's text names Chrome and Safari too, Chrome's names Safari, Android's
    // names Linux.
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg", "Edge"),
        ("SamsungBrowser", "Samsung Internet"),
        ("FxiOS", "Firefox"),
        ("Firefox/", "Firefox"),
        ("CriOS", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: &[(&str, &str)] = &[
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Macintosh", "Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let find = |list: &[(&str, &'static str)]| {
        list.iter().find(|(needle, _)| user_agent.contains(needle)).map(|(_, name)| *name)
    };
    match (find(BROWSERS), find(SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => "An unknown device".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::is_lan_host;

    #[test]
    fn device_names_from_user_agents() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
        let pixel = "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like \
                     Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like \
                    Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(device_name(iphone), "Safari on iPhone");
        assert_eq!(device_name(pixel), "Chrome on Android");
        assert_eq!(device_name(edge), "Edge on Windows");
        assert_eq!(device_name(firefox), "Firefox on Linux");
        assert_eq!(device_name("curl/8.5.0"), "An unknown device");
        assert_eq!(device_name(""), "An unknown device");
    }

    #[test]
    fn lan_hosts_are_the_address_and_port_only() {
        let lan: SocketAddr = "192.168.1.20:8080".parse().unwrap();
        assert!(is_lan_host("192.168.1.20:8080", lan));
        for bad in ["192.168.1.20", "192.168.1.20:8081", "192.168.1.2:8080", "evil.example:8080"] {
            assert!(!is_lan_host(bad, lan), "{bad}");
        }
    }

    #[test]
    fn qr_codes_hold_the_link() {
        let link = format!("http://192.168.1.20:8080/pair/{}", "a".repeat(64));
        let text = qr_text(&link);
        let lines: Vec<&str> = text.lines().collect();
        // Version 6 (41 modules) and a 4-module border: 49 columns, 25 lines of two rows.
        assert_eq!(lines.len(), 25);
        assert!(lines.iter().all(|l| l.chars().count() == 49));
        let svg = qr_svg(&link);
        assert!(svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 49 49\""), "{svg}");
        assert!(svg.contains("role=\"img\""));
        // The path draws exactly the dark modules.
        let code = qrcode::QrCode::new(link.as_bytes()).unwrap();
        let dark = code.to_colors().iter().filter(|c| **c == qrcode::Color::Dark).count();
        let drawn: usize = svg
            .split('M')
            .skip(1)
            .map(|rect| rect.split(['h', 'v']).nth(1).unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(drawn, dark);
        assert!(svg.contains("M4 4h7v1h-7z"), "the finder pattern's top row is one run: {svg}");
    }
}
