//! Runs N controller ticks over readings recorded from the simulator, for instruction counts:
//!
//! ```text
//! cargo build --release -p afterrun-device --features sim --example tick_bench
//! valgrind --tool=callgrind target/release/examples/tick_bench compression 50000
//! valgrind --tool=callgrind target/release/examples/tick_bench compression 100000
//! ```
//!
//! The recording (a full 20-minute session, or a 10-minute plate program) is the same whatever
//! N, so the difference of the two totals divided by the difference of N is the cost of one
//! tick. The program prints a checksum of the commands so the ticks cannot be optimised away.

use std::hint::black_box;

use afterrun_device::compression::{CompressionConfig, CompressionController, CompressionProgram};
use afterrun_device::sim::{
    CompressionSim, CompressionSimParams, VibrationSim, VibrationSimParams,
};
use afterrun_device::vibration::{
    Amplitude, Segment, Stance, VibrationConfig, VibrationController, VibrationProgram,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let device = args.next().unwrap_or_else(|| "compression".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let checksum = match device.as_str() {
        "vibration" => vibration(n),
        _ => compression(n),
    };
    println!("{device}: {n} ticks, checksum {checksum}");
}

fn compression(n: usize) -> u64 {
    let program = CompressionProgram::with_level(4, 20);
    let mut sim = ok(CompressionSim::new(CompressionSimParams::default(), &program, 1, &[]));
    let mut recorded = Vec::with_capacity(120_000);
    sim.run(|s| recorded.push(*s.readings()));
    let mut controller = ok(CompressionController::new(CompressionConfig::default(), &program));
    let _ = controller.start(0);
    replay(&recorded, n, |k, now, r| {
        let cmd = controller.tick(now, r);
        u64::from(cmd.pump) + cmd.valves[k % 16] as u64
    })
}

fn vibration(n: usize) -> u64 {
    let seg = |stance, frequency_hz, duration_s| Segment {
        stance,
        frequency_hz,
        amplitude: Amplitude::Low,
        duration_s,
        rest_s: 20,
    };
    let segments = heapless::Vec::from_iter([
        seg(Stance::Standing, 25.0, 120),
        seg(Stance::Squat, 30.0, 120),
        seg(Stance::CalfRaise, 28.0, 120),
        seg(Stance::LungeLeft, 26.0, 90),
        seg(Stance::LungeRight, 26.0, 90),
    ]);
    let program = VibrationProgram::new(segments);
    let mut sim = ok(VibrationSim::new(VibrationSimParams::default(), &program, 1, &[]));
    let mut recorded = Vec::with_capacity(70_000);
    sim.run(|s| recorded.push(*s.readings()));
    let mut controller = ok(VibrationController::new(VibrationConfig::default(), &program));
    let _ = controller.start(0);
    replay(&recorded, n, |_, now, r| controller.tick(now, r).target_hz.to_bits() as u64)
}

/// The value of a setup step; the bench stops when its program is refused.
fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("bench program: {e}"),
    }
}

/// Ticks `n` times over the recorded readings (again from the first when they run out), one
/// tick every 10 ms: `tick(k, now, readings)` for the `k`-th tick, folding what it returns into
/// a checksum so that nothing is optimized away.
fn replay<R>(recorded: &[R], n: usize, mut tick: impl FnMut(usize, u64, &R) -> u64) -> u64 {
    let mut checksum = 0u64;
    for (k, r) in recorded.iter().cycle().take(n).enumerate() {
        checksum = checksum.wrapping_add(tick(k, black_box(k as u64 * 10), black_box(r)));
    }
    checksum
}
