//! `serve --lan` at the edge: finding this computer's address on the home network, and binding
//! it beside loopback.
//!
//! The owner keeps using afterrun at `127.0.0.1` on the same port (a request whose `Host` and
//! peer are both loopback is the owner's); the phone reaches the LAN address. Binding the one LAN
//! address, not `0.0.0.0`, keeps the server off every other network the computer is on (a VPN,
//! a public interface), and makes the one `Host` name the server answers to there unambiguous.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::exit::bad_input;

/// Where connecting a UDP socket probes for the outgoing interface: documentation and private
/// addresses no one answers. Connecting a UDP socket sends no packet; it only asks the system
/// which local address would be used to reach the destination.
const PROBES: &[&str] =
    &["192.0.2.1:9", "10.255.255.254:9", "172.31.255.254:9", "192.168.255.254:9"];

/// This computer's IPv4 address on the home network: the local address of the route to the
/// first probe that has one, unless that is loopback.
pub fn lan_ipv4() -> anyhow::Result<Ipv4Addr> {
    for probe in PROBES {
        let Ok(socket) = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)) else { continue };
        if socket.connect(probe).is_err() {
            continue;
        }
        if let Ok(SocketAddr::V4(local)) = socket.local_addr()
            && !local.ip().is_loopback()
            && !local.ip().is_unspecified()
        {
            return Ok(*local.ip());
        }
    }
    Err(bad_input(
        "--lan: cannot find this computer's address on the home network (is it connected to \
         the Wi-Fi or a cable?); give it with --addr, such as --addr 192.168.1.20:8080",
    ))
}

/// The listeners of one `serve`.
#[derive(Debug)]
pub struct Listeners {
    /// Where the owner reaches the server on this computer.
    pub owner: SocketAddr,
    /// `--lan`: the address and port on the home network.
    pub lan: Option<SocketAddr>,
    /// Every listener, to serve the same app on.
    pub all: Vec<TcpListener>,
}

/// Binds `addr`; with `lan`, also loopback (127.0.0.1) on the same port for the owner, unless
/// `addr` is that already.
pub async fn bind(addr: SocketAddr, lan: bool) -> anyhow::Result<Listeners> {
    let listen = |addr: SocketAddr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|e| bad_input(format!("--addr {addr}: cannot listen: {e}")))
    };
    let first = listen(addr).await?;
    let bound = first.local_addr().context("reading the bound address")?;
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    if !lan {
        return Ok(Listeners { owner: bound, lan: None, all: vec![first] });
    }
    if bound.ip() == loopback {
        return Ok(Listeners { owner: bound, lan: Some(bound), all: vec![first] });
    }
    let owner = SocketAddr::new(loopback, bound.port());
    let second = listen(owner).await?;
    Ok(Listeners { owner, lan: Some(bound), all: vec![first, second] })
}
