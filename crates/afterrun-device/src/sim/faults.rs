//! Fault specifications: `KIND[@CHAMBER][:VALUE]:TIME`, comma-separated.
//!
//! Examples: `leak@3:40s` (chamber 3 of both legs at 40 s), `sensor_offset@L4:-30:50s`,
//! `pump_stuck_on:120s`, `tick_gap:900:100s` (no tick for 900 ms from 100 s). TIME takes `s` or
//! `ms`; CHAMBER is `L1`…`LN`, `R1`…`RN`, or a bare number for that chamber on both legs.

use std::fmt;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::compression::{ChamberId, Leg};

/// Which device a fault list is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// The compression boots.
    Compression,
    /// The vibrating plate.
    Vibration,
}

/// A kind of injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// A chamber leaks to the air (≥ 2 mmHg/s at 60 mmHg).
    Leak,
    /// A chamber's hose is kinked: its flow falls to a few percent.
    HoseKink,
    /// A chamber sensor freezes at its current reading.
    SensorStuck,
    /// A chamber sensor reads off by a signed number of mmHg.
    SensorOffset,
    /// A chamber sensor stops answering.
    SensorDropout,
    /// A chamber sensor's gain drifts (VALUE, e.g. 0.6): it reads low more and more as the
    /// pressure rises, too slowly for the rate check. Not in devices.md's list: it exercises the
    /// manifold cross-check.
    SensorGain,
    /// The pump runs whatever it is told (the hardware watchdog still cuts it).
    PumpStuckOn,
    /// A chamber's inlet valve stays closed: the chamber cannot fill (it still vents).
    ValveStuckClosed,
    /// A chamber's inlet valve stays open to the manifold.
    ValveStuckFill,
    /// No controller tick for VALUE ms.
    TickGap,
    /// The person steps off the plate.
    UserStepsOff,
    /// The motor locks.
    MotorStall,
    /// The encoder's frequency reading freezes.
    EncoderStuck,
    /// The motor driver runs away at full current (the brake still works).
    Overspeed,
    /// The accelerometer reads its full scale.
    AccelSaturated,
}

const KINDS: [(&str, FaultKind, Device); 15] = [
    ("leak", FaultKind::Leak, Device::Compression),
    ("hose_kink", FaultKind::HoseKink, Device::Compression),
    ("sensor_stuck", FaultKind::SensorStuck, Device::Compression),
    ("sensor_offset", FaultKind::SensorOffset, Device::Compression),
    ("sensor_dropout", FaultKind::SensorDropout, Device::Compression),
    ("sensor_gain", FaultKind::SensorGain, Device::Compression),
    ("pump_stuck_on", FaultKind::PumpStuckOn, Device::Compression),
    ("valve_stuck_closed", FaultKind::ValveStuckClosed, Device::Compression),
    ("valve_stuck_fill", FaultKind::ValveStuckFill, Device::Compression),
    ("tick_gap", FaultKind::TickGap, Device::Compression),
    ("user_steps_off", FaultKind::UserStepsOff, Device::Vibration),
    ("motor_stall", FaultKind::MotorStall, Device::Vibration),
    ("encoder_stuck", FaultKind::EncoderStuck, Device::Vibration),
    ("overspeed", FaultKind::Overspeed, Device::Vibration),
    ("accel_saturated", FaultKind::AccelSaturated, Device::Vibration),
];

impl FaultKind {
    /// The name used in fault specifications and traces.
    pub fn name(self) -> &'static str {
        KINDS.iter().find(|k| k.1 == self).map_or("unknown", |k| k.0)
    }

    /// Every kind that applies to `device` (`tick_gap` applies to both).
    pub fn all(device: Device) -> impl Iterator<Item = FaultKind> {
        KINDS.iter().filter(move |k| k.2 == device || k.1 == FaultKind::TickGap).map(|k| k.1)
    }

    /// Whether the kind needs `@CHAMBER`.
    pub fn needs_chamber(self) -> bool {
        matches!(
            self,
            FaultKind::Leak
                | FaultKind::HoseKink
                | FaultKind::SensorStuck
                | FaultKind::SensorOffset
                | FaultKind::SensorDropout
                | FaultKind::SensorGain
                | FaultKind::ValveStuckClosed
                | FaultKind::ValveStuckFill
        )
    }

    /// Whether the kind needs `:VALUE`.
    pub fn needs_value(self) -> bool {
        matches!(self, FaultKind::SensorOffset | FaultKind::SensorGain | FaultKind::TickGap)
    }
}

/// Which chambers a fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChamberSel {
    /// One chamber.
    One(ChamberId),
    /// Chamber N on both legs.
    Both(u8),
}

impl ChamberSel {
    /// The global indices hit.
    pub fn indices(self) -> Vec<usize> {
        match self {
            ChamberSel::One(id) => std::vec![id.index()],
            ChamberSel::Both(n) => std::vec![
                ChamberId { leg: Leg::Left, number: n }.index(),
                ChamberId { leg: Leg::Right, number: n }.index(),
            ],
        }
    }
}

impl fmt::Display for ChamberSel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChamberSel::One(id) => write!(f, "{id}"),
            ChamberSel::Both(n) => write!(f, "{n}"),
        }
    }
}

/// The faults of a run in time order, handed out as their time comes; remembers those handed
/// out.
#[derive(Clone, Debug)]
pub(crate) struct FaultSchedule {
    pending: Vec<InjectedFault>,
    next: usize,
    injected: Vec<InjectedFault>,
}

impl FaultSchedule {
    /// The faults to inject, in any order (those at the same time keep theirs).
    pub(crate) fn new(faults: &[InjectedFault]) -> Self {
        let mut pending = faults.to_vec();
        pending.sort_by_key(|f| f.at_ms);
        FaultSchedule { pending, next: 0, injected: Vec::new() }
    }

    /// The next fault due at `t_ms` (at or before it), from now on counted as injected.
    pub(crate) fn due(&mut self, t_ms: u64) -> Option<InjectedFault> {
        let fault = self.pending.get(self.next).copied().filter(|f| f.at_ms <= t_ms)?;
        self.next += 1;
        self.injected.push(fault);
        Some(fault)
    }

    /// The faults injected so far.
    pub(crate) fn injected(&self) -> &[InjectedFault] {
        &self.injected
    }
}

/// One fault to inject.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InjectedFault {
    /// What.
    pub kind: FaultKind,
    /// Where, for chamber faults.
    pub chamber: Option<ChamberSel>,
    /// The offset in mmHg (`sensor_offset`), the gain (`sensor_gain`) or the gap in ms
    /// (`tick_gap`).
    pub value: Option<f64>,
    /// When, simulated ms from the start.
    pub at_ms: u64,
}

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        if let Some(c) = self.chamber {
            write!(f, "@{c}")?;
        }
        if let Some(v) = self.value {
            write!(f, ":{v}")?;
        }
        write!(f, ":{}ms", self.at_ms)
    }
}

/// Why a fault specification is refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FaultSpecError {
    /// An empty item between commas.
    #[error("empty fault in the list")]
    Empty,
    /// A kind that does not exist for this device.
    #[error("unknown fault `{kind}` for this device (expected one of: {expected})")]
    UnknownKind {
        /// The kind given.
        kind: String,
        /// The kinds this device has.
        expected: String,
    },
    /// A chamber fault without `@CHAMBER`.
    #[error("fault `{0}` needs a chamber: `{0}@CHAMBER:...`")]
    MissingChamber(String),
    /// `@CHAMBER` on a fault that has none.
    #[error("fault `{0}` takes no chamber")]
    UnexpectedChamber(String),
    /// A chamber that is not `L1`…`LN`, `R1`…`RN` or `1`…`N`.
    #[error("chamber `{text}` is not L1-L{n}, R1-R{n} or 1-{n}")]
    BadChamber {
        /// The chamber given.
        text: String,
        /// Chambers per leg.
        n: u8,
    },
    /// A fault that needs `:VALUE` without it.
    #[error("fault `{0}` needs a value: `{0}:VALUE:TIME`")]
    MissingValue(String),
    /// `:VALUE` on a fault that takes none.
    #[error("fault `{0}` takes no value")]
    UnexpectedValue(String),
    /// A value that is not a number in range.
    #[error("value `{text}` of `{kind}` is not valid: {why}")]
    BadValue {
        /// The fault kind.
        kind: String,
        /// The value given.
        text: String,
        /// Why.
        why: &'static str,
    },
    /// A time that is not a number followed by `s` or `ms`.
    #[error("time `{0}` is not a time like `40s` or `1500ms`")]
    BadTime(String),
    /// An item without `:TIME`.
    #[error("fault `{0}` has no time: expected KIND[@CHAMBER][:VALUE]:TIME")]
    MissingTime(String),
}

/// Parses a time like `40s`, `1.5s` or `1500ms` into ms.
pub fn parse_time_ms(text: &str) -> Option<u64> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    let v: f64 = number.trim().parse().ok()?;
    let ms = v * scale;
    (ms.is_finite() && (0.0..=1.0e10).contains(&ms)).then(|| ms.round() as u64)
}

fn parse_chamber(text: &str, n: u8) -> Option<ChamberSel> {
    let t = text.trim();
    let (leg, digits) = match t.as_bytes().first() {
        Some(b'L' | b'l') => (Some(Leg::Left), &t[1..]),
        Some(b'R' | b'r') => (Some(Leg::Right), &t[1..]),
        _ => (None, t),
    };
    let number: u8 = digits.parse().ok()?;
    if number == 0 || number > n {
        return None;
    }
    Some(match leg {
        Some(leg) => ChamberSel::One(ChamberId { leg, number }),
        None => ChamberSel::Both(number),
    })
}

/// Parses a comma-separated fault list for `device` with `chambers_per_leg` chambers.
/// An empty (or blank) specification is an empty list.
pub fn parse_faults(
    spec: &str,
    device: Device,
    chambers_per_leg: u8,
) -> Result<Vec<InjectedFault>, FaultSpecError> {
    let mut out = Vec::new();
    if spec.trim().is_empty() {
        return Ok(out);
    }
    for item in spec.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(FaultSpecError::Empty);
        }
        let parts: Vec<&str> = item.split(':').collect();
        let (head, value, time) = match parts.as_slice() {
            [head, time] => (*head, None, *time),
            [head, value, time] => (*head, Some(*value), *time),
            [_] => return Err(FaultSpecError::MissingTime(item.to_string())),
            _ => return Err(FaultSpecError::BadTime(parts[2..].join(":"))),
        };
        let (kind_text, chamber_text) = match head.split_once('@') {
            Some((k, c)) => (k.trim(), Some(c)),
            None => (head.trim(), None),
        };
        let kind = FaultKind::all(device).find(|k| k.name() == kind_text).ok_or_else(|| {
            FaultSpecError::UnknownKind {
                kind: kind_text.to_string(),
                expected: FaultKind::all(device)
                    .map(FaultKind::name)
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?;
        let chamber = match (kind.needs_chamber(), chamber_text) {
            (true, Some(c)) => Some(parse_chamber(c, chambers_per_leg).ok_or_else(|| {
                FaultSpecError::BadChamber { text: c.to_string(), n: chambers_per_leg }
            })?),
            (true, None) => return Err(FaultSpecError::MissingChamber(kind_text.to_string())),
            (false, Some(_)) => {
                return Err(FaultSpecError::UnexpectedChamber(kind_text.to_string()));
            }
            (false, None) => None,
        };
        let value = match (kind.needs_value(), value) {
            (true, Some(v)) => Some(parse_value(kind, v)?),
            (true, None) => return Err(FaultSpecError::MissingValue(kind_text.to_string())),
            (false, Some(_)) => return Err(FaultSpecError::UnexpectedValue(kind_text.to_string())),
            (false, None) => None,
        };
        let at_ms = parse_time_ms(time).ok_or_else(|| FaultSpecError::BadTime(time.to_string()))?;
        out.push(InjectedFault { kind, chamber, value, at_ms });
    }
    Ok(out)
}

fn parse_value(kind: FaultKind, text: &str) -> Result<f64, FaultSpecError> {
    let bad = |why| FaultSpecError::BadValue {
        kind: kind.name().to_string(),
        text: text.to_string(),
        why,
    };
    match kind {
        FaultKind::TickGap => {
            let t = text.trim();
            let ms = if t.ends_with('s') {
                parse_time_ms(t).ok_or_else(|| bad("expected milliseconds"))? as f64
            } else {
                t.parse::<u64>().map_err(|_| bad("expected milliseconds"))? as f64
            };
            if !(1.0..=600_000.0).contains(&ms) {
                return Err(bad("the gap must be 1-600000 ms"));
            }
            Ok(ms)
        }
        _ => {
            let v: f64 =
                text.trim().parse().map_err(|_| bad("expected a signed number of mmHg"))?;
            if !v.is_finite() || v.abs() > 300.0 {
                return Err(bad("the offset must be within ±300 mmHg"));
            }
            Ok(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_example_of_devices_md() {
        let f = parse_faults(
            "leak@3:40s,sensor_offset@4:-30:50s,pump_stuck_on:120s,tick_gap:900:100s",
            Device::Compression,
            5,
        )
        .unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].chamber, Some(ChamberSel::Both(3)));
        assert_eq!(f[0].at_ms, 40_000);
        assert_eq!(f[1].value, Some(-30.0));
        assert_eq!(f[3].kind, FaultKind::TickGap);
        assert_eq!((f[3].value, f[3].at_ms), (Some(900.0), 100_000));
        let f = parse_faults("sensor_dropout@R5:1500ms", Device::Compression, 5).unwrap();
        assert_eq!(f[0].chamber, Some(ChamberSel::One(ChamberId { leg: Leg::Right, number: 5 })));
        assert_eq!(f[0].at_ms, 1500);
    }

    #[test]
    fn refuses_bad_specs_with_the_reason() {
        let err = |s: &str| parse_faults(s, Device::Compression, 5).unwrap_err().to_string();
        assert!(err("leak@6:1s").contains("chamber `6`"));
        assert!(err("leak:1s").contains("needs a chamber"));
        assert!(err("pump_stuck_on@2:1s").contains("takes no chamber"));
        assert!(err("sensor_offset@2:10").contains("needs a value"));
        assert!(err("sensor_offset@2:x:1s").contains("signed number"));
        assert!(err("leak@2:40").contains("time `40`"));
        assert!(err("motor_stall:1s").contains("unknown fault"));
        assert!(err("leak@1:1s,,leak@2:1s").contains("empty"));
        assert!(parse_faults("motor_stall:3s", Device::Vibration, 5).is_ok());
    }
}
