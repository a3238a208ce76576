//! Controller cores for the two recovery devices of the guide: pneumatic sequential-compression
//! boots and a vibrating plate.
//!
//! Why it looks like this: the same code has to run in a device's firmware and in this
//! repository's tests, and it is where software can hurt a person. So each controller is a
//! sans-IO state machine, `tick(now_ms, &readings) -> commands`, with no clock, no IO, no heap
//! and no `unsafe`: the firmware (or the simulator) reads the sensors, calls `tick`, and applies
//! the commands. Every safety rule of `devices.md` is enforced inside `tick`, whatever the
//! program says, and every fault latches until a deliberate [`compression::CompressionController::reset`].
//!
//! - [`compression`]: the sequential pneumatic compression controller and its program.
//! - [`vibration`]: the vibrating plate controller and its program.
//! - [`hal`]: adapters from the commands to `embedded-hal` 1.0 pins and PWM, for a firmware.
//! - [`rng`]: the workspace's one seeded generator (SplitMix64), plain integer arithmetic.
//! - `sim` (feature `sim`, needs `std`): physical simulators, fault injection, and normal draws
//!   over [`rng`].
//!
//! The crate is `#![no_std]`; with `--no-default-features` nothing in its dependency tree enables
//! `std` or `alloc` (`cargo xtask nostd` checks it), and `tests/alloc.rs` counts zero allocations
//! over a million controller ticks.
#![no_std]
#![forbid(unsafe_code)]
// Per-chamber state lives in parallel fixed arrays indexed by chamber: an index loop is clearer.
#![allow(clippy::needless_range_loop)]

#[cfg(feature = "std")]
extern crate std;

pub mod compression;
pub mod hal;
pub mod rng;
pub mod vibration;

#[cfg(feature = "sim")]
pub mod sim;

/// Time in milliseconds since an arbitrary origin chosen by the caller (monotonic).
pub type Millis = u64;

/// Milliseconds from the last tick to `now`, which becomes the last tick: 0 at the first tick,
/// `Millis::MAX` when time went back. Both controllers start each tick with it.
#[inline(always)]
pub(crate) fn tick_gap(last_tick: &mut Option<Millis>, now: Millis) -> Millis {
    match last_tick.replace(now) {
        Some(last) if now >= last => now - last,
        Some(_) => Millis::MAX,
        None => 0,
    }
}
