//! When a station inspects, and how a stream of per-frame decisions becomes
//! one verdict per part.

use std::time::{Duration, Instant};

use image::{GenericImageView, RgbImage};
use serde::{Deserialize, Serialize};

use crate::inspector::roi_view;

/// What makes a station inspect a frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum TriggerMode {
    /// Every frame; the debouncer turns runs of frames into verdicts.
    Continuous,
    /// One frame every `every_ms`.
    Interval {
        #[cfg_attr(feature = "specta", specta(type = u32))]
        every_ms: u64,
    },
    /// A part inside `roi` (x, y, width, height), told by change against the
    /// empty conveyor: mean absolute difference above `threshold` (0–255).
    PartPresent { roi: [u32; 4], threshold: f32 },
    /// Only when the operator asks (button or key).
    Manual,
}

/// Exponential update of the empty-conveyor background while no part is in.
const BACKGROUND_RATE: f32 = 0.05;

/// Whether and which frame to inspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fire {
    No,
    /// This frame.
    Now,
    /// Not yet, but this is the best view of the present part so far: keep it.
    Keep,
    /// The last kept frame (a part-present peak is only known once passed).
    Kept,
}

/// A part inside the part-present ROI: the largest change so far, and
/// whether it has been inspected.
#[derive(Debug, Clone, Copy)]
struct Presence {
    peak: f32,
    fired: bool,
}

/// Decides, frame by frame, whether to inspect.
#[derive(Debug)]
pub struct Trigger {
    mode: TriggerMode,
    last: Option<Instant>,
    /// Part-present: grey ROI of the empty conveyor.
    background: Option<Vec<f32>>,
    present: Option<Presence>,
    manual_pending: bool,
}

impl Trigger {
    pub fn new(mode: TriggerMode) -> Self {
        Self {
            mode,
            last: None,
            background: None,
            present: None,
            manual_pending: false,
        }
    }

    /// The operator pressed the inspect button.
    pub fn request(&mut self) {
        self.manual_pending = true;
    }

    pub fn fire(&mut self, frame: &RgbImage, now: Instant) -> Fire {
        let now_if = |yes: bool| if yes { Fire::Now } else { Fire::No };
        match self.mode.clone() {
            TriggerMode::Continuous => Fire::Now,
            TriggerMode::Interval { every_ms } => {
                let due = self
                    .last
                    .is_none_or(|t| now.duration_since(t) >= Duration::from_millis(every_ms));
                if due {
                    self.last = Some(now);
                }
                now_if(due)
            }
            TriggerMode::Manual => now_if(std::mem::take(&mut self.manual_pending)),
            TriggerMode::PartPresent { roi, threshold } => self.part_present(frame, roi, threshold),
        }
    }

    /// Change inside the ROI against the learnt background. A part enters
    /// above `threshold` and has left below half of it (hysteresis). It is
    /// inspected once, on the frame where it filled the ROI most: the change
    /// peaks there, so the best frame so far is kept and inspected at the
    /// first clear drop. Frames the station dropped only make the kept one
    /// a step off, never a second verdict. A part that stops on the line is
    /// inspected when it moves on.
    fn part_present(&mut self, frame: &RgbImage, roi: [u32; 4], threshold: f32) -> Fire {
        let grey = grey_roi(frame, roi);
        let Some(background) = &mut self.background else {
            self.background = Some(grey);
            return Fire::No;
        };
        if background.len() != grey.len() {
            *background = grey; // the camera changed size: start over
            self.present = None;
            return Fire::No;
        }
        let change = grey
            .iter()
            .zip(background.iter())
            .map(|(a, b)| (a - b).abs())
            .sum::<f32>()
            / grey.len().max(1) as f32;
        match &mut self.present {
            None if change > threshold => {
                self.present = Some(Presence {
                    peak: change,
                    fired: false,
                });
                Fire::Keep
            }
            None => {
                // Follow slow light changes of the empty conveyor, but never
                // learn the edge of an arriving part as belt.
                if change < threshold * 0.25 {
                    background
                        .iter_mut()
                        .zip(&grey)
                        .for_each(|(b, g)| *b += BACKGROUND_RATE * (g - *b));
                }
                Fire::No
            }
            Some(p) if change < threshold * 0.5 => {
                let missed = !p.fired;
                self.present = None;
                if missed { Fire::Kept } else { Fire::No }
            }
            Some(p) if p.fired => Fire::No,
            Some(p) if change > p.peak => {
                p.peak = change;
                Fire::Keep
            }
            Some(p) if change < p.peak * 0.99 => {
                p.fired = true;
                Fire::Kept
            }
            Some(_) => Fire::No,
        }
    }
}

/// The ROI in grey levels, sampled on a grid of at most 64 × 64 points.
fn grey_roi(frame: &RgbImage, roi: [u32; 4]) -> Vec<f32> {
    // Sampled in place: this runs on every captured frame.
    let region = roi_view(frame, roi);
    let (w, h) = region.dimensions();
    let step_x = (w / 64).max(1);
    let step_y = (h / 64).max(1);
    let mut out = Vec::new();
    for y in (0..h).step_by(step_y as usize) {
        for x in (0..w).step_by(step_x as usize) {
            let p = region.get_pixel(x, y).0;
            out.push(0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32);
        }
    }
    out
}

/// Turns per-frame decisions into one verdict per part: NG only when the
/// defect persists `persist` inspected frames (the old system: 30), and not
/// again until `clear` OK frames in a row. With `persist` = 1 every
/// inspected frame is its own verdict (triggered modes: one frame per part).
#[derive(Debug, Clone)]
pub struct Debouncer {
    persist: u32,
    clear: u32,
    ng_run: u32,
    ok_run: u32,
    latched: bool,
}

/// What the debouncer makes of one inspected frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing to record yet (a defect not yet persistent, or already reported).
    Hold,
    Ok,
    Ng,
}

impl Debouncer {
    pub fn new(persist: u32, clear: u32) -> Self {
        Self {
            persist: persist.max(1),
            clear: clear.max(1),
            ng_run: 0,
            ok_run: 0,
            latched: false,
        }
    }

    pub fn push(&mut self, ng: bool) -> Decision {
        if self.persist == 1 {
            return if ng { Decision::Ng } else { Decision::Ok };
        }
        if ng {
            self.ng_run += 1;
            self.ok_run = 0;
            if !self.latched && self.ng_run >= self.persist {
                self.latched = true;
                return Decision::Ng;
            }
        } else {
            self.ok_run += 1;
            self.ng_run = 0;
            if self.latched && self.ok_run >= self.clear {
                self.latched = false;
            }
        }
        Decision::Hold
    }
}

/// NG parts in a row: says when the run reaches the stop-the-line count
/// (once per run; an OK part starts counting again). 0 never alarms.
#[derive(Debug, Clone, Default)]
pub struct NgStreak {
    stop_after: u32,
    run: u32,
}

impl NgStreak {
    pub fn new(stop_after: u32) -> Self {
        Self { stop_after, run: 0 }
    }

    /// True when this verdict makes the run exactly long enough to stop the line.
    pub fn push(&mut self, ng: bool) -> bool {
        self.run = if ng { self.run.saturating_add(1) } else { 0 };
        self.stop_after > 0 && self.run == self.stop_after
    }

    pub fn run(&self) -> u32 {
        self.run
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debounce_needs_a_persistent_defect_and_reports_it_once() {
        let mut d = Debouncer::new(3, 2);
        let run = |d: &mut Debouncer, frames: &[bool]| frames.iter().map(|&f| d.push(f)).collect::<Vec<_>>();
        use Decision::*;
        // A two-frame flicker is not a defect.
        assert_eq!(run(&mut d, &[true, true, false]), [Hold, Hold, Hold]);
        // Three in a row is; it stays reported while it lasts.
        assert_eq!(run(&mut d, &[true, true, true, true]), [Hold, Hold, Ng, Hold]);
        // One OK frame does not re-arm; two do.
        assert_eq!(run(&mut d, &[false, true, true, true]), [Hold, Hold, Hold, Hold]);
        assert_eq!(
            run(&mut d, &[false, false, true, true, true]),
            [Hold, Hold, Hold, Hold, Ng]
        );
        // persist = 1: each inspected frame is a verdict.
        let mut each = Debouncer::new(1, 1);
        assert_eq!(run(&mut each, &[false, true, true]), [Ok, Ng, Ng]);
    }

    #[test]
    fn a_run_of_ng_stops_the_line_once() {
        let mut s = NgStreak::new(3);
        let alarms: Vec<bool> = [true, true, false, true, true, true, true, false, true]
            .iter()
            .map(|&ng| s.push(ng))
            .collect();
        assert_eq!(
            alarms,
            [false, false, false, false, false, true, false, false, false]
        );
        let mut never = NgStreak::new(0);
        assert!((0..10).all(|_| !never.push(true)));
    }

    #[test]
    fn interval_and_manual_fire_when_due() {
        let img = RgbImage::new(8, 8);
        let t0 = Instant::now();
        let mut t = Trigger::new(TriggerMode::Interval { every_ms: 100 });
        let fired: Vec<Fire> = [0, 50, 100, 150, 210]
            .iter()
            .map(|&ms| t.fire(&img, t0 + Duration::from_millis(ms)))
            .collect();
        use Fire::*;
        assert_eq!(fired, [Now, No, Now, No, Now]);
        let mut m = Trigger::new(TriggerMode::Manual);
        assert_eq!(m.fire(&img, t0), No);
        m.request();
        assert_eq!((m.fire(&img, t0), m.fire(&img, t0)), (Now, No));
    }

    /// A dark belt and a bright square part at `x` (None: empty belt).
    fn belt(x: Option<i64>) -> RgbImage {
        let mut img = RgbImage::from_pixel(120, 40, image::Rgb([40, 40, 40]));
        if let Some(x) = x {
            for py in 10..30 {
                for px in x.max(0)..(x + 20).min(120) {
                    img.put_pixel(px as u32, py, image::Rgb([220, 220, 220]));
                }
            }
        }
        img
    }

    #[test]
    fn part_present_fires_once_per_part_on_its_best_frame() {
        let roi = [50, 10, 20, 20];
        let mut t = Trigger::new(TriggerMode::PartPresent { roi, threshold: 20.0 });
        let t0 = Instant::now();
        // Empty belt, then a part passing 5 px per frame: centred at x = 50.
        let mut frames: Vec<Option<i64>> = vec![None; 3];
        frames.extend((0..25).map(|i| Some(i * 5)));
        frames.extend(vec![None; 3]);
        frames.extend((0..25).map(|i| Some(i * 5)));
        // (frame inspected, frame it was decided on)
        let mut kept = None;
        let mut fires = Vec::new();
        for (i, &x) in frames.iter().enumerate() {
            match t.fire(&belt(x), t0) {
                Fire::Keep => kept = Some(i),
                Fire::Kept => fires.push((kept.unwrap(), i)),
                Fire::No => {}
                Fire::Now => panic!("part-present never fires on the frame itself"),
            }
        }
        // Frames 13 and 41 show a part at x = 50; each drop is seen one frame later.
        assert_eq!(fires, [(13, 14), (41, 42)]);
        // Without frame 13 (dropped by a busy station) the best seen is inspected, once.
        let mut t = Trigger::new(TriggerMode::PartPresent { roi, threshold: 20.0 });
        let fired = frames
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 13)
            .filter(|(_, x)| t.fire(&belt(**x), t0) == Fire::Kept)
            .count();
        assert_eq!(fired, 2);
    }

    #[test]
    fn a_part_that_stops_on_the_line_is_inspected_once() {
        let roi = [50, 10, 20, 20];
        let mut t = Trigger::new(TriggerMode::PartPresent { roi, threshold: 20.0 });
        let t0 = Instant::now();
        let mut xs: Vec<Option<i64>> = vec![None, Some(40), Some(45)];
        xs.extend(vec![Some(50); 10]);
        xs.extend([Some(55), Some(60), Some(90), None]);
        let fires = xs.iter().filter(|&&x| t.fire(&belt(x), t0) == Fire::Kept).count();
        assert_eq!(fires, 1);
    }
}
