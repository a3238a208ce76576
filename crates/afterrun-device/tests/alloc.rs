//! The controllers never allocate: a counting global allocator sees zero allocations over a
//! million controller ticks (half compression, half vibration), readings varying every tick.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
#![allow(unsafe_code)] // a GlobalAlloc impl is unsafe by definition; the crate itself forbids it

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use afterrun_device::compression::{
    CompressionConfig, CompressionController, CompressionProgram, CompressionReadings,
};
use afterrun_device::vibration::{
    Amplitude, Segment, Stance, VibrationConfig, VibrationController, VibrationProgram,
    VibrationReadings,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Only the measuring thread counts: the test harness allocates on its own threads.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if MEASURING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: forwards to the system allocator unchanged, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_million_ticks_allocate_nothing() {
    let program = CompressionProgram::with_level(4, 60);
    let mut compression =
        CompressionController::new(CompressionConfig::default(), &program).unwrap();
    let mut segments = heapless::Vec::new();
    let seg = Segment {
        stance: Stance::Squat,
        frequency_hz: 30.0,
        amplitude: Amplitude::Low,
        duration_s: 60,
        rest_s: 10,
    };
    segments.push(seg).unwrap();
    let mut vibration =
        VibrationController::new(VibrationConfig::default(), &VibrationProgram::new(segments))
            .unwrap();
    compression.start(0).unwrap();
    vibration.start(0).unwrap();

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    MEASURING.with(|m| m.set(true));
    let mut pumped = 0u32;
    let mut spun = 0u32;
    let mut last_hz = 0.0f32;
    for k in 0..500_000u64 {
        let t = k * 10;
        // A slow ramp so the compression controller walks through fills and holds, and after a
        // while faults (the fault path must not allocate either).
        let level = ((k % 3000) as f32 * 0.05).min(70.0);
        let mut r = CompressionReadings::default();
        for (i, c) in r.chambers.iter_mut().enumerate() {
            *c = Some(level - i as f32 * 0.01);
        }
        r.manifold = Some(level + 3.0);
        let cmd = compression.tick(t, std::hint::black_box(&r));
        pumped += u32::from(cmd.pump);
        // The plate's motor follows its last command.
        let f = last_hz;
        let vr = VibrationReadings {
            frequency_hz: Some(f),
            current_a: Some(1.0),
            load_kg: Some(70.0),
            accel_g: Some(f * 0.1),
            watchdog_tripped: false,
        };
        let vc = vibration.tick(t, std::hint::black_box(&vr));
        spun += u32::from(vc.target_hz > 0.0);
        last_hz = vc.target_hz;
    }
    MEASURING.with(|m| m.set(false));
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(after - before, 0, "the controllers allocated");
    assert!(pumped > 0 && spun > 0, "the ticks did real work");
}
