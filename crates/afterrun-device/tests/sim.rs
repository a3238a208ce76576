//! The controllers against the simulated physics (issue 7 acceptance): nominal sessions reach
//! their targets in order, and every single fault of devices.md, injected at several moments,
//! is detected and ends safe within the pressure limits, the pump off within one tick.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use afterrun_device::compression::{
    ChamberId, CompressionProgram, CompressionState, Leg, MAX_CHAMBERS, Pattern,
};
use afterrun_device::sim::faults::ChamberSel;
use afterrun_device::sim::{
    CompressionSim, CompressionSimParams, CompressionSummary, Device, FaultKind, InjectedFault,
    VibrationSim, VibrationSimParams, VibrationSummary, parse_faults,
};
use afterrun_device::vibration::{Amplitude, Segment, Stance, VibrationProgram};

/// Per cycle and chamber: the highest physical pressure and when it first came within 5 mmHg
/// of the target.
#[derive(Clone, Copy, Default)]
struct ChamberCycle {
    peak: f64,
    reached_at: Option<u64>,
}

fn run_nominal(
    program: &CompressionProgram,
    seed: u64,
) -> (CompressionSummary, Vec<[ChamberCycle; MAX_CHAMBERS]>) {
    let mut sim = CompressionSim::new(CompressionSimParams::default(), program, seed, &[]).unwrap();
    let targets = *sim.controller().targets();
    let mut cycles: Vec<[ChamberCycle; MAX_CHAMBERS]> = Vec::new();
    let summary = sim.run(|s| {
        if let CompressionState::Running { cycle, .. } = s.controller().state() {
            let cycle = cycle as usize;
            while cycles.len() < cycle {
                cycles.push([ChamberCycle::default(); MAX_CHAMBERS]);
            }
            let slot = &mut cycles[cycle - 1];
            for i in 0..MAX_CHAMBERS {
                let p = s.pressures()[i];
                slot[i].peak = slot[i].peak.max(p);
                if slot[i].reached_at.is_none()
                    && p >= f64::from(targets[i]) - 5.0
                    && targets[i] > 0.0
                {
                    slot[i].reached_at = Some(s.t_ms());
                }
            }
        }
    });
    (summary, cycles)
}

fn check_nominal(program: &CompressionProgram, seed: u64, min_cycles: u32) {
    let (summary, cycles) = run_nominal(program, seed);
    assert!(summary.end.faults.is_empty(), "nominal run faulted: {:?}", summary.end.faults);
    assert!(summary.end.ended_safe);
    assert!(summary.cycles >= min_cycles, "only {} cycles", summary.cycles);
    let sim = CompressionSim::new(CompressionSimParams::default(), program, seed, &[]).unwrap();
    let targets = *sim.controller().targets();
    let active = *sim.controller().active();
    for (c, cycle) in cycles.iter().enumerate().take(summary.cycles as usize) {
        for leg in [Leg::Left, Leg::Right] {
            let mut last_reach = 0;
            for number in 1..=program.chambers {
                let i = ChamberId { leg, number }.index();
                if !active[i] {
                    continue;
                }
                let t = f64::from(targets[i]);
                let cc = cycle[i];
                assert!(
                    (cc.peak - t).abs() <= 5.0,
                    "cycle {} chamber {}: peak {:.1} for target {t}",
                    c + 1,
                    ChamberId { leg, number },
                    cc.peak
                );
                let reached = cc.reached_at.unwrap_or(u64::MAX);
                assert!(reached > last_reach, "cycle {} chamber {} out of order", c + 1, number);
                last_reach = reached;
            }
        }
    }
}

#[test]
fn nominal_twenty_minutes_reach_every_target_in_order_every_cycle() {
    check_nominal(&CompressionProgram::with_level(4, 20), 11, 15);
}

#[test]
fn nominal_wave_with_a_gradient_boost_and_one_leg() {
    let mut p = CompressionProgram::with_level(3, 4);
    p.pattern = Pattern::Wave;
    p.targets_mmhg = Some(heapless::Vec::from_slice(&[80.0, 70.0, 60.0, 50.0, 40.0]).unwrap());
    p.boost = heapless::Vec::from_slice(&[1]).unwrap();
    p.legs = afterrun_device::compression::Legs::Right;
    check_nominal(&p, 5, 3);
}

#[test]
fn nominal_level_seven_stays_within_limits() {
    check_nominal(&CompressionProgram::with_level(7, 4), 3, 2);
}

fn compression_faults() -> Vec<(FaultKind, Option<ChamberSel>, Option<f64>)> {
    let both = |n| Some(ChamberSel::Both(n));
    let one = |leg, number| Some(ChamberSel::One(ChamberId { leg, number }));
    vec![
        (FaultKind::Leak, both(1), None),
        (FaultKind::Leak, one(Leg::Right, 5), None),
        (FaultKind::HoseKink, both(2), None),
        (FaultKind::HoseKink, one(Leg::Left, 5), None),
        (FaultKind::SensorStuck, both(1), None),
        (FaultKind::SensorStuck, one(Leg::Right, 4), None),
        (FaultKind::SensorOffset, both(3), Some(-30.0)),
        (FaultKind::SensorOffset, one(Leg::Left, 1), Some(30.0)),
        (FaultKind::SensorOffset, one(Leg::Right, 2), Some(-15.0)),
        (FaultKind::SensorDropout, one(Leg::Left, 2), None),
        (FaultKind::PumpStuckOn, None, None),
        (FaultKind::ValveStuckClosed, both(2), None),
        (FaultKind::ValveStuckClosed, one(Leg::Right, 1), None),
        (FaultKind::ValveStuckFill, both(5), None),
        (FaultKind::ValveStuckFill, one(Leg::Left, 3), None),
        (FaultKind::TickGap, None, Some(300.0)),
        (FaultKind::TickGap, None, Some(900.0)),
    ]
}

fn assert_safe_compression(
    label: &str,
    program: &CompressionProgram,
    faults: &[InjectedFault],
    seed: u64,
) -> CompressionSummary {
    let mut sim =
        CompressionSim::new(CompressionSimParams::default(), program, seed, faults).unwrap();
    let mut late_pump = None;
    let summary = sim.run(|s| {
        if let Some(at) = s.controller().fault_at() {
            // Within one tick of detection: the pump is commanded off and the dump is open.
            if s.t_ms() >= at + 10 && (s.commands().pump || !s.dump_open()) && late_pump.is_none() {
                late_pump = Some(s.t_ms());
            }
        }
    });
    let targets = *sim.controller().targets();
    let max_target = targets.iter().fold(0.0f32, |a, &b| a.max(b));
    assert!(
        late_pump.is_none(),
        "{label}: pump on or dump closed at {late_pump:?} after the fault"
    );
    assert!(!summary.end.energized_after_fault, "{label}: pump commanded after a fault");
    assert!(summary.max_pressure_mmhg <= 120.0, "{label}: {:.1} mmHg", summary.max_pressure_mmhg);
    assert!(
        summary.max_over_target_mmhg <= 20.0,
        "{label}: {:.1} mmHg over target",
        summary.max_over_target_mmhg
    );
    assert!(summary.max_pressure_mmhg <= f64::from(max_target) + 20.0);
    assert!(summary.end.ended_safe, "{label}: did not end vented: {summary:?}");
    summary
}

#[test]
fn every_single_compression_fault_is_detected_and_ends_safe() {
    let program = CompressionProgram::with_level(5, 4);
    // Moments: mid-fill of the first chambers, during later fills, in the hold, in the rest,
    // and in the second cycle.
    let moments_ms = [4_000, 23_000, 41_500, 52_000, 66_000, 97_000];
    let mut seed = 100;
    for (kind, chamber, value) in compression_faults() {
        for &at_ms in &moments_ms {
            seed += 1;
            let fault = InjectedFault { kind, chamber, value, at_ms };
            let label = format!("{fault}");
            let summary = assert_safe_compression(&label, &program, &[fault], seed);
            assert!(!summary.end.faults.is_empty(), "{label}: not detected: {summary:?}");
        }
    }
}

#[test]
fn the_manifold_cross_check_stops_a_sensor_that_drifts_low() {
    // A chamber sensor whose gain sags reads low more and more as the chamber fills, too slowly
    // for the rate check: without the manifold cross-check the fill would run to 2× target.
    for (gain, level) in [(0.5, 7), (0.7, 4), (0.8, 2)] {
        let program = CompressionProgram::with_level(level, 3);
        for spec in ["sensor_gain@L1:G:0s", "sensor_gain@3:G:20s", "sensor_gain@R5:G:40s"] {
            let spec = spec.replace('G', &gain.to_string());
            let faults = parse_faults(&spec, Device::Compression, 5).unwrap();
            let s = assert_safe_compression(&spec, &program, &faults, 21);
            assert_eq!(s.end.faults.first().map(|f| f.kind), Some("sensor"), "{spec}: {s:?}");
        }
    }
}

#[test]
fn a_sensor_reading_low_cannot_over_inflate_and_a_stuck_pump_is_caught() {
    // The cross-check in the module docs: a chamber sensor that reads 15 mmHg low mid-fill.
    let program = CompressionProgram::with_level(6, 3);
    let faults =
        parse_faults("sensor_offset@L1:-15:2s,sensor_stuck@R3:1s", Device::Compression, 5).unwrap();
    let s = assert_safe_compression("offset", &program, &faults, 9);
    assert_eq!(s.end.faults[0].kind, "sensor");
    let faults = parse_faults("pump_stuck_on:30s", Device::Compression, 5).unwrap();
    let s = assert_safe_compression("pump", &program, &faults, 9);
    assert!(s.end.faults[0].t_ms >= 30_000);
}

fn vibration_program() -> VibrationProgram {
    let seg = |stance, frequency_hz, amplitude, duration_s, rest_s| Segment {
        stance,
        frequency_hz,
        amplitude,
        duration_s,
        rest_s,
    };
    VibrationProgram::new(
        heapless::Vec::from_slice(&[
            seg(Stance::Standing, 25.0, Amplitude::Low, 30, 10),
            seg(Stance::Squat, 35.0, Amplitude::Low, 30, 10),
            seg(Stance::CalfRaise, 25.0, Amplitude::High, 20, 0),
        ])
        .unwrap(),
    )
}

#[test]
fn nominal_vibration_holds_each_segment_within_half_a_hertz() {
    let mut sim =
        VibrationSim::new(VibrationSimParams::default(), &vibration_program(), 3, &[]).unwrap();
    let summary: VibrationSummary = sim.run(|_| {});
    assert!(summary.end.faults.is_empty(), "{:?}", summary.end.faults);
    assert!(summary.end.ended_safe);
    assert_eq!(summary.segments, 3);
    assert!(summary.max_steady_error_hz <= 0.5, "{summary:?}");
    assert!(summary.max_frequency_hz <= 35.0 * 1.1);
    assert!(summary.max_accel_g <= 8.0);
}

#[test]
fn every_single_vibration_fault_is_detected_and_ends_safe() {
    let program = vibration_program();
    // Moments: spin-up, steady, spin-down of segment 1, rest, steady of segment 2.
    let moments_ms = [2_000, 15_000, 33_500, 38_000, 55_000];
    let kinds = [
        (FaultKind::UserStepsOff, None),
        (FaultKind::MotorStall, None),
        (FaultKind::EncoderStuck, None),
        (FaultKind::Overspeed, None),
        (FaultKind::AccelSaturated, None),
        (FaultKind::TickGap, Some(900.0)),
    ];
    let mut seed = 7;
    for (kind, value) in kinds {
        for &at_ms in &moments_ms {
            seed += 1;
            let fault = InjectedFault { kind, chamber: None, value, at_ms };
            let mut sim =
                VibrationSim::new(VibrationSimParams::default(), &program, seed, &[fault]).unwrap();
            let s = sim.run(|_| {});
            // A person stepping off while the plate is at rest is not a fault: the plate waits.
            let expect_fault = !(kind == FaultKind::UserStepsOff && at_ms == 38_000);
            assert_eq!(!s.end.faults.is_empty(), expect_fault, "{fault}: {s:?}");
            assert!(s.end.ended_safe, "{fault}: {s:?}");
            assert!(!s.end.energized_after_fault, "{fault}");
            assert!(s.max_frequency_hz <= 50.0, "{fault}: {s:?}");
            assert!(s.max_accel_g <= 8.0, "{fault}: {s:?}");
        }
    }
}

#[test]
fn fault_specs_are_parsed_for_their_device() {
    // The example of devices.md is parsed field by field in `sim::faults`'s own tests.
    assert!(parse_faults("user_steps_off:10s", Device::Compression, 5).is_err());
    assert!(parse_faults("user_steps_off:10s", Device::Vibration, 5).is_ok());
}
