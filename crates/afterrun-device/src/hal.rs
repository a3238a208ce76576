//! Adapters between the controllers and real hardware through `embedded-hal` 1.0.
//!
//! Why: the controllers only see numbers and return commands. A firmware has to read its ADCs
//! and drive its GPIOs and PWM; these adapters are that edge, written once so that the order in
//! which outputs change stays safe (the pump goes off before any valve closes, and only comes on
//! after its valve opened).
//!
//! # Wiring a compression firmware
//!
//! - One GPIO ([`OutputPin`]) per chamber inlet valve (manifold → chamber, energised = open) and
//!   one per chamber exhaust valve (chamber → air). Use **normally-open** exhaust valves and a
//!   normally-open manifold dump valve: energised = closed, so a power loss or a reset vents the
//!   limb without any software. `hold` = inlet closed, exhaust closed; `fill` = inlet open,
//!   exhaust closed; `vent` = inlet closed, exhaust open.
//! - The pump on one GPIO (through a driver stage), behind an independent hardware watchdog that
//!   cuts it and opens the dump when the firmware stops toggling it for 200 ms; its tripped line
//!   is read into [`crate::compression::CompressionReadings::watchdog_tripped`].
//! - Each chamber's pressure sensor and the manifold sensor on ADC channels, converted to mmHg by
//!   the firmware and exposed through [`PressureInputs`] (our trait: `embedded-hal` 1.0 has no
//!   ADC trait). A failed conversion is an `Err`, which becomes a sensor error for the controller.
//! - The loop: every 10 ms, `read_compression` → `CompressionController::tick` →
//!   [`CompressionOutputs::apply`].
//!
//! # Wiring a vibrating plate
//!
//! - The motor driver's PWM input through [`SetDutyCycle`]: [`VibrationOutputs::apply`] maps the
//!   target frequency linearly onto the duty cycle (the driver closes the speed loop on the
//!   encoder), the brake and the amplitude-mode selector on GPIOs.
//! - Encoder frequency, motor current, the load cell and the accelerometer's peak through
//!   [`PlateInputs`].

use embedded_hal::digital::OutputPin;
use embedded_hal::pwm::SetDutyCycle;

use crate::compression::{CompressionCommands, CompressionReadings, MAX_CHAMBERS, Valve};
use crate::vibration::{Amplitude, MAX_FREQUENCY_HZ, VibrationCommands, VibrationReadings};

/// The compression device's sensors, converted to mmHg by the firmware.
pub trait PressureInputs {
    /// A failed conversion.
    type Error;
    /// Pressure of the chamber at a global index (`0..16`, see
    /// [`crate::compression::ChamberId::index`]).
    fn chamber_mmhg(&mut self, index: usize) -> Result<f32, Self::Error>;
    /// Pressure of the independent manifold sensor at the pump outlet.
    fn manifold_mmhg(&mut self) -> Result<f32, Self::Error>;
    /// Whether the hardware watchdog tripped since the last read.
    fn watchdog_tripped(&mut self) -> bool;
}

/// Reads every sensor into controller readings; a failed read becomes `None` (a sensor error).
/// Chambers not in `fitted` are read as `None` and ignored by a controller that does not use them.
pub fn read_compression<S: PressureInputs>(
    sensors: &mut S,
    fitted: &[bool; MAX_CHAMBERS],
) -> CompressionReadings {
    let mut readings = CompressionReadings {
        chambers: [None; MAX_CHAMBERS],
        manifold: sensors.manifold_mmhg().ok(),
        watchdog_tripped: sensors.watchdog_tripped(),
    };
    for (i, slot) in readings.chambers.iter_mut().enumerate() {
        if fitted[i] {
            *slot = sensors.chamber_mmhg(i).ok();
        }
    }
    readings
}

/// The compression device's outputs: `N` chambers (by global index `0..N`), each with an inlet
/// and a normally-open exhaust valve, the pump and the normally-open dump valve. Every output is
/// active-high (high = energised); firmware HALs usually hand out type-erased pins of one type.
#[derive(Debug)]
pub struct CompressionOutputs<Pin, const N: usize> {
    /// Pump driver: high = running.
    pub pump: Pin,
    /// Normally-open dump valve: high = closed.
    pub dump: Pin,
    /// Inlet valves: high = open to the manifold.
    pub inlet: [Pin; N],
    /// Normally-open exhaust valves: high = closed.
    pub exhaust: [Pin; N],
}

impl<Pin: OutputPin, const N: usize> CompressionOutputs<Pin, N> {
    /// Applies the commands in a safe order: pump off first, then valves and dump, then pump on.
    pub fn apply(&mut self, commands: &CompressionCommands) -> Result<(), Pin::Error> {
        if !commands.pump {
            self.pump.set_low()?;
        }
        for i in 0..N.min(MAX_CHAMBERS) {
            let valve = commands.valves[i];
            // Close an inlet before opening an exhaust, and the reverse, so the manifold never
            // vents straight through a chamber.
            if valve == Valve::Fill {
                self.exhaust[i].set_high()?;
                self.inlet[i].set_high()?;
            } else {
                self.inlet[i].set_low()?;
                if valve == Valve::Vent {
                    self.exhaust[i].set_low()?;
                } else {
                    self.exhaust[i].set_high()?;
                }
            }
        }
        if commands.dump_open {
            self.dump.set_low()?;
        } else {
            self.dump.set_high()?;
        }
        if commands.pump {
            self.pump.set_high()?;
        }
        Ok(())
    }
}

/// The plate's sensors, in physical units.
pub trait PlateInputs {
    /// A failed read.
    type Error;
    /// Motor frequency from the encoder, Hz.
    fn frequency_hz(&mut self) -> Result<f32, Self::Error>;
    /// Motor current, A.
    fn current_a(&mut self) -> Result<f32, Self::Error>;
    /// Load on the platform, kg.
    fn load_kg(&mut self) -> Result<f32, Self::Error>;
    /// Peak acceleration over the last tick, g.
    fn accel_g(&mut self) -> Result<f32, Self::Error>;
    /// Whether the hardware watchdog (drive cut, brake on 200 ms after the last tick) tripped.
    fn watchdog_tripped(&mut self) -> bool;
}

/// Reads every plate sensor; a failed read becomes `None` (a sensor error).
pub fn read_plate<S: PlateInputs>(sensors: &mut S) -> VibrationReadings {
    VibrationReadings {
        frequency_hz: sensors.frequency_hz().ok(),
        current_a: sensors.current_a().ok(),
        load_kg: sensors.load_kg().ok(),
        accel_g: sensors.accel_g().ok(),
        watchdog_tripped: sensors.watchdog_tripped(),
    }
}

/// An error of one of the plate's outputs.
#[derive(Debug, PartialEq, Eq)]
pub enum PlateOutputError<M, P> {
    /// The motor PWM failed.
    Motor(M),
    /// The brake or amplitude pin failed.
    Pin(P),
}

/// The plate's outputs: the motor driver's PWM speed reference, the brake (high = braking) and
/// the amplitude selector (high = high amplitude).
#[derive(Debug)]
pub struct VibrationOutputs<Motor, Pin> {
    /// PWM speed reference: duty = target / 50 Hz.
    pub motor: Motor,
    /// Brake: high = on.
    pub brake: Pin,
    /// Amplitude mode: high = high amplitude.
    pub amplitude: Pin,
}

impl<Motor: SetDutyCycle, Pin: OutputPin> VibrationOutputs<Motor, Pin> {
    /// Applies the commands: motor reference to 0 and brake on first when stopping.
    pub fn apply(
        &mut self,
        commands: &VibrationCommands,
    ) -> Result<(), PlateOutputError<Motor::Error, Pin::Error>> {
        let max = self.motor.max_duty_cycle();
        let share = (commands.target_hz / MAX_FREQUENCY_HZ).clamp(0.0, 1.0);
        let duty = if share.is_finite() { (share * f32::from(max)) as u16 } else { 0 };
        if commands.brake {
            self.motor.set_duty_cycle(0).map_err(PlateOutputError::Motor)?;
            self.brake.set_high().map_err(PlateOutputError::Pin)?;
        } else {
            self.brake.set_low().map_err(PlateOutputError::Pin)?;
        }
        match commands.amplitude {
            Amplitude::Low => self.amplitude.set_low().map_err(PlateOutputError::Pin)?,
            Amplitude::High => self.amplitude.set_high().map_err(PlateOutputError::Pin)?,
        }
        if !commands.brake {
            self.motor.set_duty_cycle(duty).map_err(PlateOutputError::Motor)?;
        }
        Ok(())
    }
}
