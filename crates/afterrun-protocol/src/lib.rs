//! The recovery engine: a check-in in, a safe, timed, dosed plan out.
//!
//! Pure and deterministic: no clock, no files; `now` comes from the check-in.
