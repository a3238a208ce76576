//! Controller cores for the two recovery devices: sans-IO state machines, `no_std`, no heap.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "std")]
extern crate std;
