//! Flow and safety detectors that need no trained model: people or parts
//! counted when they cross a line drawn on the live view, and fire and smoke
//! alarms.
//!
//! Why classical methods: no pretrained person or flame detector is
//! available offline here, and a station must be set up on site by drawing
//! a line, not by collecting and labelling footage. A fixed camera sees a
//! mostly static scene, so a per-pixel background model learnt in a few
//! seconds separates what moves; blobs of moving pixels, followed from frame
//! to frame, are the people or parts. Fire is told by what flames do and
//! objects do not: flame colour that flickers in place and grows. Smoke is
//! greyish change that veils (blurs) the background and grows in place.
//! Everything runs on a downscaled frame (160 px wide by default) and costs
//! a few milliseconds per frame on one core (`examples/flow_bench.rs` in
//! `linesight-datagen`).
//!
//! * [`LineCounter`] (`line_counter.rs`): background → foreground mask →
//!   blobs → tracks → crossings of a [`CountingLine`].
//! * [`FireDetector`] (`fire.rs`, `smoke.rs`): alarm start and end for fire
//!   and smoke.
//!
//! Coordinates given to and returned by the detectors are normalised to the
//! frame (0..1, x right, y down), so a line drawn on the live view survives a
//! change of camera resolution.

mod background;
mod blobs;
mod fire;
mod line_counter;
mod plane;
mod smoke;
mod tracker;

use serde::{Deserialize, Serialize};

pub use background::{BackgroundConfig, BackgroundModel, PixelClass};
pub use blobs::{Blob, find_blobs};
pub use fire::{AlarmTransition, FireConfig, FireDetector, HazardKind, HazardState};
pub use line_counter::{
    CountingLine, CrossingEvent, Direction, LineCounter, LineCounterConfig, Totals, TrackView,
};
pub use plane::{Mask, RgbPlane};
pub use tracker::{Track, Tracker, TrackerConfig};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FlowError {
    #[error("the frame is empty ({width} × {height})")]
    EmptyFrame { width: u32, height: u32 },
    #[error("the counting line is degenerate: {0}")]
    DegenerateLine(String),
    #[error("invalid detector setting: {0}")]
    InvalidConfig(String),
}

/// A point in frame coordinates normalised to 0..1 (x right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NormPoint {
    pub x: f32,
    pub y: f32,
}

impl NormPoint {
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// A rectangle in normalised frame coordinates (left, top, width, height).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NormRect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl NormRect {
    /// From a pixel box `[x0, y0, x1, y1]` (exclusive end) on a `w` × `h` plane.
    pub(crate) fn from_px(b: [f32; 4], w: usize, h: usize) -> Self {
        let (w, h) = (w as f32, h as f32);
        Self {
            x: b[0] / w,
            y: b[1] / h,
            w: (b[2] - b[0]) / w,
            h: (b[3] - b[1]) / h,
        }
    }
}

/// Maps a 0..1 sensitivity onto a threshold running from `at_low` (0) to `at_high` (1).
pub(crate) fn by_sensitivity(s: f32, at_low: f32, at_high: f32) -> f32 {
    at_low + (at_high - at_low) * s.clamp(0.0, 1.0)
}

pub(crate) fn check_unit(name: &str, v: f32) -> Result<(), FlowError> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(FlowError::InvalidConfig(format!("{name} = {v} is outside 0..=1")))
    }
}
