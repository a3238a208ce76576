//! Property tests of the safety rules, with the crate's own seeded generator (a dev-dependency
//! such as proptest would enable `std` in the dependency tree that the no_std proof inspects).
//!
//! 1. Against the simulator: random programs of 1–3 simulated minutes with random fault
//!    sequences. The physical pressure never exceeds 120 mmHg or a chamber's target + 20, the
//!    pump only runs with a filling valve, it is off (dump open) within one tick of a detected
//!    fault, nothing fills after the timer, and every run ends vented (or the plate stopped).
//! 2. Against arbitrary readings with no simulator: any numbers, NaN, infinities, sensor errors,
//!    time gaps and time going backwards. The commands always obey the rules.
//!
//! Cases per property: `AFTERRUN_PROPTEST_CASES` (default 100); a failing case prints its seed,
//! and `AFTERRUN_PROPTEST_SEED` replays one. `AFTERRUN_PROPTEST_THREADS` spreads a long run and
//! `AFTERRUN_PROPTEST_FIRST` starts at a later case (to continue an earlier run).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
#![allow(clippy::needless_range_loop)] // parallel per-chamber arrays

use afterrun_device::compression::{
    ABSOLUTE_CEILING_MMHG, ChamberId, CompressionCommands, CompressionConfig,
    CompressionController, CompressionProgram, CompressionReadings, CompressionState, Leg, Legs,
    MAX_CHAMBERS, MAX_CHAMBERS_PER_LEG, OVER_TARGET_MMHG, Pattern, Valve,
};
use afterrun_device::sim::faults::ChamberSel;
use afterrun_device::sim::{
    CompressionSim, CompressionSimParams, FaultKind, InjectedFault, Rng, VibrationSim,
    VibrationSimParams,
};
use afterrun_device::vibration::{
    Amplitude, MAX_FREQUENCY_HZ, MIN_LOAD_KG, Segment, Stance, VibrationConfig,
    VibrationController, VibrationProgram, VibrationReadings, VibrationState,
};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Runs `property(seed)` over the configured cases (in threads if asked); panics with the
/// failing seed.
fn check(name: &str, base: u64, property: fn(u64) -> Result<(), String>) {
    if let Some(seed) = env_u64("AFTERRUN_PROPTEST_SEED") {
        if let Err(e) = property(seed) {
            panic!("{name}: seed {seed}: {e}");
        }
        return;
    }
    let cases = env_u64("AFTERRUN_PROPTEST_CASES").unwrap_or(100);
    // A long run can continue where an earlier one stopped.
    let first = env_u64("AFTERRUN_PROPTEST_FIRST").unwrap_or(0);
    let threads = env_u64("AFTERRUN_PROPTEST_THREADS").unwrap_or(1).max(1);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                scope.spawn(move || {
                    let mut failure = None;
                    let mut case = first + k;
                    while case < first + cases && failure.is_none() {
                        let seed = base.wrapping_mul(1_000_003).wrapping_add(case);
                        if let Err(e) = property(seed) {
                            failure = Some(format!("{name}: seed {seed}: {e}"));
                        }
                        case += threads;
                    }
                    failure
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok().flatten()).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn random_compression_program(rng: &mut Rng, max_minutes: u64) -> CompressionProgram {
    let chambers = rng.int(1, MAX_CHAMBERS_PER_LEG as u64) as u8;
    let mut p = CompressionProgram::with_level(rng.int(1, 7) as u8, rng.int(1, max_minutes) as u32);
    p.chambers = chambers;
    p.pattern = if rng.chance(0.3) { Pattern::Wave } else { Pattern::Sequential };
    p.legs = match rng.int(0, 2) {
        0 => Legs::Both,
        1 => Legs::Left,
        _ => Legs::Right,
    };
    p.hold_s = rng.int(0, 10) as u32;
    p.rest_s = rng.int(0, 30) as u32;
    p.gradient = rng.chance(0.8);
    if rng.chance(0.4) {
        let mut t = rng.range(40.0, 110.0);
        let mut targets = heapless::Vec::new();
        for _ in 0..chambers {
            targets.push(t.round() as f32).unwrap();
            t = if p.gradient {
                (t - rng.range(0.0, 15.0)).max(20.0)
            } else {
                rng.range(20.0, 110.0)
            };
        }
        p.targets_mmhg = Some(targets);
    }
    for n in 1..=chambers {
        if rng.chance(0.15) {
            p.boost.push(n).unwrap();
        }
    }
    p
}

fn random_fault(rng: &mut Rng, chambers: u8, duration_ms: u64) -> InjectedFault {
    let kinds: Vec<FaultKind> = FaultKind::all(afterrun_device::sim::Device::Compression).collect();
    let kind = kinds[rng.int(0, kinds.len() as u64 - 1) as usize];
    let number = rng.int(1, u64::from(chambers)) as u8;
    let chamber = kind.needs_chamber().then(|| match rng.int(0, 2) {
        0 => ChamberSel::Both(number),
        1 => ChamberSel::One(ChamberId { leg: Leg::Left, number }),
        _ => ChamberSel::One(ChamberId { leg: Leg::Right, number }),
    });
    let value = match kind {
        FaultKind::SensorOffset => Some(rng.range(-60.0, 60.0).round()),
        FaultKind::TickGap => Some(rng.int(20, 2000) as f64),
        _ => None,
    };
    InjectedFault { kind, chamber, value, at_ms: rng.int(0, duration_ms) }
}

fn compression_against_the_simulator(seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    let program = random_compression_program(&mut rng, 3);
    let duration_ms = u64::from(program.duration_min) * 60_000;
    let faults: Vec<InjectedFault> =
        (0..rng.int(0, 3)).map(|_| random_fault(&mut rng, program.chambers, duration_ms)).collect();
    let mut sim = CompressionSim::new(CompressionSimParams::default(), &program, seed, &faults)
        .map_err(|e| format!("generated an invalid program: {e}"))?;
    let targets = *sim.controller().targets();
    let mut violation: Option<String> = None;
    let summary = sim.run(|s| {
        if violation.is_some() {
            return;
        }
        let c = s.commands();
        if c.pump && !c.valves.contains(&Valve::Fill) {
            violation = Some(format!("pump without a filling valve at {}", s.t_ms()));
        }
        if let Some(at) = s.controller().fault_at()
            && s.t_ms() >= at + 10
            && (!c.is_safe() || !s.dump_open())
        {
            violation = Some(format!("not safe {} ms after the fault", s.t_ms() - at));
        }
        // Commands change only at ticks (a tick gap leaves the last ones, and the hardware
        // watchdog cuts the pump 200 ms later): check the commands of ticks after the timer.
        if s.last_tick_ms() >= duration_ms && (c.pump || c.valves.contains(&Valve::Fill)) {
            violation = Some(format!("filling after the timer at {}", s.t_ms()));
        }
        for i in 0..MAX_CHAMBERS {
            let p = s.pressures()[i];
            let limit = f64::from(ABSOLUTE_CEILING_MMHG).min(if s.controller().active()[i] {
                f64::from(targets[i]) + 20.0
            } else {
                20.0
            });
            if s.fitted()[i] && p > limit {
                violation = Some(format!(
                    "{} at {:.1} mmHg (limit {limit:.0}) at {} ms",
                    ChamberId::from_index(i),
                    p,
                    s.t_ms()
                ));
            }
        }
    });
    if let Some(v) = violation {
        return Err(format!("{v}; program {program:?}; faults {faults:?}"));
    }
    if summary.end.energized_after_fault || !summary.end.ended_safe {
        return Err(format!(
            "did not end safe: {summary:?}; program {program:?}; faults {faults:?}"
        ));
    }
    Ok(())
}

fn random_vibration_program(rng: &mut Rng) -> VibrationProgram {
    let config = VibrationConfig::default();
    let stances = [
        Stance::Standing,
        Stance::Squat,
        Stance::CalfRaise,
        Stance::SeatedHamstring,
        Stance::LungeLeft,
        Stance::LungeRight,
        Stance::SeatedCalves,
    ];
    loop {
        let mut segments = heapless::Vec::new();
        for _ in 0..rng.int(1, 4) {
            let amplitude = if rng.chance(0.3) { Amplitude::High } else { Amplitude::Low };
            let seg = Segment {
                stance: stances[rng.int(0, 6) as usize],
                frequency_hz: rng.range(5.0, 45.0).round() as f32,
                amplitude,
                duration_s: rng.int(5, 40) as u32,
                rest_s: rng.int(0, 20) as u32,
            };
            segments.push(seg).unwrap();
        }
        let p = VibrationProgram { ramp_s: rng.int(0, 4) as u32, segments };
        if p.validate(&config).is_ok() {
            return p;
        }
    }
}

fn vibration_against_the_simulator(seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    let program = random_vibration_program(&mut rng);
    let total_ms: u64 =
        program.segments.iter().map(|s| u64::from(s.duration_s + s.rest_s + 6) * 1000).sum();
    let kinds: Vec<FaultKind> = FaultKind::all(afterrun_device::sim::Device::Vibration).collect();
    let faults: Vec<InjectedFault> = (0..rng.int(0, 3))
        .map(|_| {
            let kind = kinds[rng.int(0, kinds.len() as u64 - 1) as usize];
            let value = (kind == FaultKind::TickGap).then(|| rng.int(20, 2000) as f64);
            InjectedFault { kind, chamber: None, value, at_ms: rng.int(0, total_ms) }
        })
        .collect();
    let mut sim = VibrationSim::new(VibrationSimParams::default(), &program, seed, &faults)
        .map_err(|e| format!("generated an invalid program: {e}"))?;
    let mut violation = None;
    let summary = sim.run(|s| {
        let c = s.commands();
        if violation.is_none()
            && !(c.target_hz.is_finite() && (0.0..=MAX_FREQUENCY_HZ).contains(&c.target_hz))
        {
            violation = Some(format!("target {} Hz", c.target_hz));
        }
        if let Some(at) = s.controller().fault_at()
            && violation.is_none()
            && s.t_ms() >= at + 10
            && !c.is_safe()
        {
            violation = Some("motion after a fault".to_string());
        }
    });
    if let Some(v) = violation {
        return Err(format!("{v}; program {program:?}; faults {faults:?}"));
    }
    if summary.max_frequency_hz > 50.0
        || summary.end.energized_after_fault
        || !summary.end.ended_safe
    {
        return Err(format!("{summary:?}; program {program:?}; faults {faults:?}"));
    }
    Ok(())
}

/// An arbitrary reading: mostly plausible and smooth, sometimes anything at all.
fn arbitrary_reading(rng: &mut Rng, smooth: f32) -> Option<f32> {
    match rng.int(0, 40) {
        0 => None,
        1 => Some(f32::NAN),
        2 => Some(f32::INFINITY),
        3 => Some(f32::NEG_INFINITY),
        4 => Some(rng.range(-1.0e6, 1.0e6) as f32),
        5 => Some(rng.range(-20.0, 200.0) as f32),
        _ => Some(smooth + rng.range(-0.5, 0.5) as f32),
    }
}

fn compression_against_arbitrary_readings(seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    let mut program = random_compression_program(&mut rng, 2);
    program.chambers = program.chambers.max(1);
    let config =
        CompressionConfig { chambers_per_leg: program.chambers, ..CompressionConfig::default() };
    let mut c = CompressionController::new(config, &program).map_err(|e| e.to_string())?;
    let targets = *c.targets();
    let active = *c.active();
    let duration_ms = u64::from(program.duration_min) * 60_000;
    // Glitches rarer in some cases, so the controller also gets deep into its cycles.
    let chaos = rng.chance(0.5);
    let mut now: u64 = rng.int(0, 1 << 40);
    let start = now;
    c.start(now).map_err(|e| e.to_string())?;
    let mut smooth = [0.0f32; MAX_CHAMBERS];
    let mut manifold = 0.0f32;
    let mut latched = false;
    for _ in 0..rng.int(100, 20_000) {
        now = match rng.int(0, 200) {
            0 => now.saturating_sub(rng.int(1, 1000)),
            1 => now + rng.int(200, 5000),
            2 => now,
            _ => now + 10,
        };
        let mut r = CompressionReadings::default();
        for i in 0..MAX_CHAMBERS {
            // Follow the last commands roughly, as a device would.
            r.chambers[i] = if chaos {
                arbitrary_reading(&mut rng, smooth[i])
            } else {
                if rng.chance(0.002) {
                    arbitrary_reading(&mut rng, smooth[i])
                } else {
                    Some(smooth[i] + rng.range(-0.3, 0.3) as f32)
                }
            };
        }
        r.manifold = if chaos || rng.chance(0.002) {
            arbitrary_reading(&mut rng, manifold)
        } else {
            Some(manifold)
        };
        r.watchdog_tripped = rng.chance(0.0005);
        let cmd: CompressionCommands = c.tick(now, &r);
        // Rules that hold whatever the readings.
        if cmd.pump && !cmd.valves.contains(&Valve::Fill) {
            return Err("pump without a filling valve".into());
        }
        for i in 0..MAX_CHAMBERS {
            if !active[i] && cmd.valves[i] != Valve::Vent {
                return Err(format!("unused chamber {i} not vented"));
            }
            if active[i] {
                let bad = match r.chambers[i] {
                    Some(v) => {
                        !v.is_finite()
                            || v > ABSOLUTE_CEILING_MMHG
                            || v > targets[i] + OVER_TARGET_MMHG
                    }
                    None => true,
                };
                if bad && !cmd.is_safe() {
                    return Err(format!(
                        "reading {:?} of chamber {i} but commands {cmd:?}",
                        r.chambers[i]
                    ));
                }
            }
        }
        if program.pattern == Pattern::Sequential {
            for i in 0..MAX_CHAMBERS {
                if cmd.valves[i] == Valve::Fill {
                    let leg_base = i - i % MAX_CHAMBERS_PER_LEG;
                    if (leg_base..i).any(|j| cmd.valves[j] != Valve::Hold) {
                        return Err(format!(
                            "chamber {i} fills before the ones below it hold: {cmd:?}"
                        ));
                    }
                }
            }
        }
        if now >= start + duration_ms && (cmd.pump || cmd.valves.contains(&Valve::Fill)) {
            return Err("filling after the timer".into());
        }
        if latched && !cmd.is_safe() {
            return Err("commands after a latched fault".into());
        }
        latched |= matches!(c.state(), CompressionState::Fault { .. });
        // Crude plant: filling chambers rise, vented ones fall.
        for i in 0..MAX_CHAMBERS {
            smooth[i] = match cmd.valves[i] {
                Valve::Fill => smooth[i] + 0.2,
                Valve::Hold => smooth[i],
                Valve::Vent => (smooth[i] - 0.8).max(0.0),
            };
        }
        let filling = (0..MAX_CHAMBERS).filter(|&i| cmd.valves[i] == Valve::Fill);
        manifold =
            if cmd.pump { filling.map(|i| smooth[i]).fold(0.0, f32::max) + 4.0 } else { manifold };
    }
    Ok(())
}

fn vibration_against_arbitrary_readings(seed: u64) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    let program = random_vibration_program(&mut rng);
    let mut c = VibrationController::new(VibrationConfig::default(), &program)
        .map_err(|e| e.to_string())?;
    let mut now: u64 = rng.int(0, 1 << 40);
    c.start(now).map_err(|e| e.to_string())?;
    let chaos = rng.chance(0.5);
    let mut f = 0.0f32;
    let mut latched = false;
    let mut was_moving = false;
    for _ in 0..rng.int(100, 20_000) {
        now = match rng.int(0, 300) {
            0 => now.saturating_sub(rng.int(1, 1000)),
            1 => now + rng.int(200, 5000),
            _ => now + 10,
        };
        let load = if rng.chance(0.001) { 5.0 } else { 70.0 };
        let pick = |rng: &mut Rng, v: f32| {
            if chaos || rng.chance(0.001) { arbitrary_reading(rng, v) } else { Some(v) }
        };
        let r = VibrationReadings {
            frequency_hz: pick(&mut rng, f),
            current_a: pick(&mut rng, 1.0),
            load_kg: pick(&mut rng, load),
            accel_g: pick(&mut rng, f * 0.1),
            watchdog_tripped: rng.chance(0.0005),
        };
        let cmd = c.tick(now, &r);
        if !(cmd.target_hz.is_finite() && (0.0..=MAX_FREQUENCY_HZ).contains(&cmd.target_hz)) {
            return Err(format!("target {}", cmd.target_hz));
        }
        let no_person = r.load_kg.is_none_or(|l| !l.is_finite() || l < MIN_LOAD_KG);
        if no_person && was_moving && !cmd.is_safe() {
            return Err(format!("load {:?} but commands {cmd:?}", r.load_kg));
        }
        if latched && !cmd.is_safe() {
            return Err("motion after a latched fault".into());
        }
        latched |= matches!(c.state(), VibrationState::Fault { .. });
        was_moving = cmd.target_hz > 0.0 || f > 0.2;
        f = cmd.target_hz;
    }
    Ok(())
}

#[test]
fn compression_is_safe_against_the_simulator_with_random_faults() {
    check("compression/sim", 1, compression_against_the_simulator);
}

#[test]
fn vibration_is_safe_against_the_simulator_with_random_faults() {
    check("vibration/sim", 2, vibration_against_the_simulator);
}

#[test]
fn compression_obeys_the_rules_whatever_the_readings() {
    check("compression/readings", 3, compression_against_arbitrary_readings);
}

#[test]
fn vibration_obeys_the_rules_whatever_the_readings() {
    check("vibration/readings", 4, vibration_against_arbitrary_readings);
}
