//! Who is on the other end: the client address the per-client limits count by.
//!
//! The client is the peer of the TCP connection (axum's `ConnectInfo`, which the binary
//! provides), except when that peer is the configured trusted proxy (`serve --trusted-proxy`):
//! then it is the last address of `X-Forwarded-For`, the one the proxy itself appended (the
//! ones before it are whatever the client claimed). Anyone else's `X-Forwarded-For` is ignored,
//! so a client cannot pose as many. A request without a known peer (in-process tests) has no
//! client address and no per-client limit.

use std::convert::Infallible;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::{AppState, Config};

/// The client of a request, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(Option<IpAddr>);

impl Client {
    /// The client of a request with these headers and this peer, under `config`.
    pub fn of(config: &Config, headers: &HeaderMap, peer: Option<SocketAddr>) -> Client {
        let Some(peer) = peer.map(|p| p.ip()) else { return Client(None) };
        if config.trusted_proxy != Some(peer) {
            return Client(Some(peer));
        }
        Client(Some(forwarded_for(headers).unwrap_or(peer)))
    }

    /// The address, when known.
    pub fn ip(self) -> Option<IpAddr> {
        self.0
    }
}

/// The last address of the last `X-Forwarded-For` header (what the nearest proxy appended).
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    last.to_str().ok()?.rsplit(',').next()?.trim().parse().ok()
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(ip) => write!(f, "{ip}"),
            None => f.write_str("unknown"),
        }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Ok(Client::of(state.config(), &parts.headers, peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_trusted_proxy_names_the_client() {
        let proxy: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let other: SocketAddr = "192.0.2.7:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", "1.1.1.1, 203.0.113.9".parse().unwrap());
        let trusting = Config { trusted_proxy: Some(proxy.ip()), ..Config::default() };
        assert_eq!(Client::of(&trusting, &headers, Some(proxy)).to_string(), "203.0.113.9");
        assert_eq!(Client::of(&trusting, &headers, Some(other)).to_string(), "192.0.2.7");
        assert_eq!(Client::of(&Config::default(), &headers, Some(proxy)).to_string(), "10.0.0.1");
        assert_eq!(Client::of(&trusting, &HeaderMap::new(), Some(proxy)).to_string(), "10.0.0.1");
        assert_eq!(Client::of(&trusting, &headers, None).ip(), None);
    }
}
