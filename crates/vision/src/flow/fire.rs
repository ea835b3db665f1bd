//! Fire and smoke alarms.
//!
//! Fire: a pixel is a flame candidate by colour (red ≥ green > blue, bright
//! red, Cr > Cb: the flame rules of Chen et al. 2004 and Çelik & Demirel
//! 2009). Colour alone also finds red paint, so a candidate only counts as
//! flame where its brightness flickers: the brightness changes direction
//! (by more than the sensor noise, after dividing out global light changes)
//! several times within the last 16 frames. Flames do this all over; a
//! static red object never does, and an object moving past changes each
//! pixel once or twice. The flickering pixels are closed into regions and
//! opened again, which drops the one-pixel outlines that a shaking camera
//! makes flicker along a red object's edge.
//!
//! Smoke: see `smoke.rs`.
//!
//! An alarm starts after evidence in `alarm_frames` frames in a row (two
//! missing frames are forgiven) at one place: a fire region's centroid must
//! stay near where the run began, a smoke region must keep holding that
//! point; a moving object does neither. A fire
//! region that grows by half alarms a quarter sooner; smoke must grow
//! to alarm at all. An alarm ends after `clear_frames` frames without
//! evidence.

use std::time::Duration;

use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

use super::{
    FlowError, NormRect,
    blobs::find_blobs,
    by_sensitivity, check_unit,
    plane::{Mask, RgbPlane, luma},
    smoke::SmokeEvidence,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum HazardKind {
    Fire,
    Smoke,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "transition", rename_all = "camelCase")]
pub enum AlarmTransition {
    Start {
        kind: HazardKind,
        /// Where it is, for the snapshot and the log.
        region: NormRect,
        at: Duration,
        frame_index: u64,
    },
    End {
        kind: HazardKind,
        at: Duration,
        frame_index: u64,
    },
}

/// A fire detector's settings, as stored with a station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct FireConfig {
    /// 0 (only large, strongly flickering flames) to 1 (small or faint ones
    /// too, with more false alarms).
    pub sensitivity: f32,
    /// Frames of consistent evidence before a fire alarm starts (smoke:
    /// twice as many, and growth). The delay from the first flame is this
    /// plus the frames flicker needs to show and the flame to reach the
    /// smallest area: on the generated fires at 15 fps, 1.2–1.6 s in all.
    pub alarm_frames: u32,
    /// Frames without evidence before an alarm ends.
    pub clear_frames: u32,
    /// Also watch for smoke.
    pub smoke: bool,
    /// Frames are box-averaged down to at most this width first.
    pub process_width: u32,
}

impl Default for FireConfig {
    fn default() -> Self {
        Self {
            sensitivity: 0.5,
            alarm_frames: 8,
            clear_frames: 30,
            smoke: true,
            process_width: 160,
        }
    }
}

impl FireConfig {
    pub fn validate(&self) -> Result<(), FlowError> {
        check_unit("sensitivity", self.sensitivity)?;
        if !(1..=1000).contains(&self.alarm_frames) || !(1..=10_000).contains(&self.clear_frames) {
            return Err(FlowError::InvalidConfig(
                "alarm_frames must be 1..=1000 and clear_frames 1..=10000".into(),
            ));
        }
        if !(16..=4096).contains(&self.process_width) {
            return Err(FlowError::InvalidConfig(format!(
                "process_width {} is outside 16..=4096",
                self.process_width
            )));
        }
        Ok(())
    }
}

/// Where evidence was found in one frame, in pixels of the processing plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Region {
    pub bbox: [f32; 4],
    pub centroid: [f32; 2],
    pub area: f32,
}

impl Region {
    fn holds(&self, p: [f32; 2], pad: f32) -> bool {
        p[0] >= self.bbox[0] - pad
            && p[0] <= self.bbox[2] + pad
            && p[1] >= self.bbox[1] - pad
            && p[1] <= self.bbox[3] + pad
    }
}

/// One hazard's alarm, for the live view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HazardState {
    pub kind: HazardKind,
    pub active: bool,
    /// This frame's evidence, if any.
    pub region: Option<NormRect>,
    /// Frames of the current run of evidence.
    pub evidence_frames: u32,
}

#[derive(Debug, Clone)]
struct Run {
    frames: u32,
    gap: u32,
    anchor: [f32; 2],
    start_area: f32,
}

/// Evidence in a row at one place → alarm; quiet frames → end.
#[derive(Debug, Clone)]
struct Latch {
    kind: HazardKind,
    needed: u32,
    clear: u32,
    /// Growth factor that cuts `needed` by a quarter (fire) or without which there is no alarm (smoke).
    growth: f32,
    growth_required: bool,
    /// Fire: the region's centroid may drift at most this times the square
    /// root of its area (at least 3 px) from where the run began, so that a
    /// red shirt whose swinging arm flickers is not taken for a flame as it
    /// walks. Smoke (`None`): the region must keep holding that point, as
    /// smoke spreads from its source.
    drift: Option<f32>,
    run: Option<Run>,
    last: Option<Region>,
    active: bool,
    quiet: u32,
}

/// Missing evidence frames a run forgives.
const GRACE: u32 = 2;

impl Latch {
    fn push(&mut self, ev: Option<Region>) -> Option<bool> {
        self.last = ev;
        let Some(r) = ev else {
            if let Some(run) = &mut self.run {
                run.gap += 1;
                if run.gap > GRACE {
                    self.run = None;
                }
            }
            if self.active {
                self.quiet += 1;
                if self.quiet >= self.clear {
                    self.active = false;
                    self.quiet = 0;
                    return Some(false);
                }
            }
            return None;
        };
        self.quiet = 0;
        let stays = |anchor: [f32; 2]| match self.drift {
            Some(k) => {
                (r.centroid[0] - anchor[0]).hypot(r.centroid[1] - anchor[1]) <= (k * r.area.sqrt()).max(3.0)
            }
            None => r.holds(anchor, 2.0),
        };
        match &mut self.run {
            Some(run) if stays(run.anchor) => {
                run.frames += 1;
                run.gap = 0;
            }
            _ => {
                self.run = Some(Run {
                    frames: 1,
                    gap: 0,
                    anchor: r.centroid,
                    start_area: r.area,
                })
            }
        }
        let run = self.run.as_ref()?;
        if self.active {
            return None;
        }
        let grown = r.area >= self.growth * run.start_area;
        let needed = match (self.growth_required, grown) {
            (true, false) => return None,
            (true, true) => self.needed,
            (false, true) => self.needed - self.needed / 4,
            (false, false) => self.needed,
        };
        if run.frames >= needed {
            self.active = true;
            return Some(true);
        }
        None
    }

    fn state(&self, w: usize, h: usize) -> HazardState {
        HazardState {
            kind: self.kind,
            active: self.active,
            region: self.last.map(|r| NormRect::from_px(r.bbox, w, h)),
            evidence_frames: self.run.as_ref().map_or(0, |r| r.frames),
        }
    }
}

/// Frames of flicker history kept per pixel.
const WINDOW: u32 = 16;

/// Per-pixel colour and flicker history.
#[derive(Debug, Clone, Default)]
struct FlameEvidence {
    w: usize,
    h: usize,
    prev: Vec<f32>,
    sign: Vec<i8>,
    flips: Vec<u16>,
    candidate: Vec<u16>,
    mask: Mask,
}

struct FlameThresholds {
    red_min: f32,
    red_blue_min: f32,
    step_min: f32,
    flips_min: u32,
    candidate_min: u32,
    area_min: f32,
}

impl FlameThresholds {
    fn new(s: f32) -> Self {
        Self {
            red_min: by_sensitivity(s, 190.0, 130.0),
            red_blue_min: by_sensitivity(s, 80.0, 40.0),
            step_min: by_sensitivity(s, 14.0, 6.0),
            flips_min: by_sensitivity(s, 4.0, 2.0).round() as u32,
            candidate_min: by_sensitivity(s, 12.0, 6.0).round() as u32,
            area_min: by_sensitivity(s, 0.002, 0.0004),
        }
    }
}

/// Flame colour: red ≥ green > blue, bright red, far from blue; Y > Cb and
/// Cr > Cb in YCbCr.
fn flame_colour(p: [f32; 3], t: &FlameThresholds) -> bool {
    let [r, g, b] = p;
    let y = luma(p);
    let cb = 128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b;
    let cr = 128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b;
    r >= t.red_min && r >= g && g > b && r - b >= t.red_blue_min && y > cb && cr > cb
}

impl FlameEvidence {
    fn push(&mut self, plane: &RgbPlane, t: &FlameThresholds) -> Option<Region> {
        let n = plane.w * plane.h;
        let ys = plane.luma();
        // Global light changes divided out: brightness relative to the frame's mean.
        let mean = ys.iter().sum::<f32>() / n as f32;
        let gain = 128.0 / mean.max(1.0);
        if (plane.w, plane.h) != (self.w, self.h) {
            *self = Self {
                w: plane.w,
                h: plane.h,
                prev: ys.iter().map(|y| y * gain).collect(),
                sign: vec![0; n],
                flips: vec![0; n],
                candidate: vec![0; n],
                mask: Mask::new(plane.w, plane.h),
            };
            return None;
        }
        // Sensor noise from the median frame difference (most pixels are still).
        let mut hist = [0u32; 256];
        for (y, p) in ys.iter().zip(&self.prev) {
            hist[((y * gain - p).abs() as usize).min(255)] += 1;
        }
        let mut seen = 0;
        let median = hist
            .iter()
            .position(|&k| {
                seen += k;
                seen as usize * 2 >= n
            })
            .unwrap_or(0) as f32
            + 0.5;
        // |difference of two noisy frames| has median 0.95 σ; 4 σ is a real step.
        let step = t.step_min.max(4.0 * median / 0.95);
        let window = (1u32 << WINDOW) - 1;
        let mut mask = Mask::new(self.w, self.h);
        for (i, y) in ys.iter().enumerate() {
            let y = y * gain;
            let d = y - self.prev[i];
            self.prev[i] = y;
            let mut flip = 0;
            if d.abs() > step {
                let s = if d > 0.0 { 1 } else { -1 };
                flip = u16::from(self.sign[i] == -s);
                self.sign[i] = s;
            }
            self.flips[i] = (self.flips[i] << 1) | flip;
            self.candidate[i] = (self.candidate[i] << 1) | u16::from(flame_colour(plane.px[i], t));
            let flips = (self.flips[i] as u32 & window).count_ones();
            let cand = (self.candidate[i] as u32 & window).count_ones();
            mask.v[i] =
                u8::from(flips >= t.flips_min && cand >= t.candidate_min && self.candidate[i] & 0b111 != 0);
        }
        self.mask = mask.close().open();
        let blob = find_blobs(&self.mask, 1).into_iter().next()?;
        (blob.area as f32 >= t.area_min * n as f32).then(|| Region {
            bbox: blob.bbox.map(|v| v as f32),
            centroid: blob.centroid,
            area: blob.area as f32,
        })
    }
}

/// Watches a camera for fire and smoke.
pub struct FireDetector {
    cfg: FireConfig,
    thresholds: FlameThresholds,
    flame: FlameEvidence,
    smoke: Option<SmokeEvidence>,
    fire_alarm: Latch,
    smoke_alarm: Latch,
    size: (usize, usize),
    frames: u64,
}

impl FireDetector {
    pub fn new(cfg: FireConfig) -> Result<Self, FlowError> {
        cfg.validate()?;
        let latch = |kind, needed, growth, growth_required, drift| Latch {
            kind,
            needed,
            clear: cfg.clear_frames,
            growth,
            growth_required,
            drift,
            run: None,
            last: None,
            active: false,
            quiet: 0,
        };
        Ok(Self {
            thresholds: FlameThresholds::new(cfg.sensitivity),
            flame: FlameEvidence::default(),
            smoke: if cfg.smoke {
                Some(SmokeEvidence::new(cfg.sensitivity)?)
            } else {
                None
            },
            fire_alarm: latch(HazardKind::Fire, cfg.alarm_frames, 1.5, false, Some(0.35)),
            smoke_alarm: latch(HazardKind::Smoke, cfg.alarm_frames * 2, 1.3, true, None),
            size: (0, 0),
            frames: 0,
            cfg,
        })
    }

    pub fn config(&self) -> &FireConfig {
        &self.cfg
    }

    /// Feeds one frame taken at `at`; the alarms it starts or ends (fire
    /// and smoke are independent alarms).
    pub fn push(&mut self, frame: &RgbImage, at: Duration) -> Result<Vec<AlarmTransition>, FlowError> {
        let plane = RgbPlane::from_frame(frame, self.cfg.process_width)?;
        let frame_index = self.frames;
        self.frames += 1;
        self.size = (plane.w, plane.h);
        let fire = self.flame.push(&plane, &self.thresholds);
        let smoke = self.smoke.as_mut().and_then(|s| s.push(&plane));
        let (w, h) = self.size;
        let mut out = Vec::new();
        for (latch, ev) in [(&mut self.fire_alarm, fire), (&mut self.smoke_alarm, smoke)] {
            let kind = latch.kind;
            match latch.push(ev) {
                Some(true) => out.push(AlarmTransition::Start {
                    kind,
                    region: ev.map(|r| NormRect::from_px(r.bbox, w, h)).unwrap_or(NormRect {
                        x: 0.0,
                        y: 0.0,
                        w: 1.0,
                        h: 1.0,
                    }),
                    at,
                    frame_index,
                }),
                Some(false) => out.push(AlarmTransition::End {
                    kind,
                    at,
                    frame_index,
                }),
                None => {}
            }
        }
        Ok(out)
    }

    pub fn state(&self, kind: HazardKind) -> HazardState {
        let (w, h) = self.size;
        match kind {
            HazardKind::Fire => self.fire_alarm.state(w, h),
            HazardKind::Smoke => self.smoke_alarm.state(w, h),
        }
    }

    /// Flickering flame pixels of the last frame, at the processing size.
    pub fn fire_mask(&self) -> GrayImage {
        self.flame.mask.to_image()
    }

    /// Smoke pixels (blocks) of the last frame, at the processing size.
    pub fn smoke_mask(&self) -> GrayImage {
        self.smoke.as_ref().map_or_else(
            || GrayImage::new(self.size.0 as u32, self.size.1 as u32),
            |s| s.mask().to_image(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(x: f32, area: f32) -> Option<Region> {
        Some(Region {
            bbox: [x - 5.0, 10.0, x + 5.0, 20.0],
            centroid: [x, 15.0],
            area,
        })
    }

    fn latch(growth_required: bool) -> Latch {
        Latch {
            kind: HazardKind::Fire,
            needed: 6,
            clear: 4,
            growth: 1.5,
            growth_required,
            drift: (!growth_required).then_some(0.35),
            run: None,
            last: None,
            active: false,
            quiet: 0,
        }
    }

    #[test]
    fn alarm_needs_evidence_in_place_and_ends_after_quiet_frames() {
        let mut l = latch(false);
        // Evidence that moves 8 px per frame never holds its anchor.
        assert!((0..20).all(|i| l.push(region(10.0 + 8.0 * i as f32, 50.0)).is_none()));
        // In place: the sixth frame starts it; two gaps are forgiven.
        let mut l = latch(false);
        let evs = [1, 1, 0, 0, 1, 1, 1, 1];
        let out: Vec<_> = evs
            .iter()
            .map(|&e| l.push(if e == 1 { region(40.0, 50.0) } else { None }))
            .collect();
        assert_eq!(out, [None, None, None, None, None, None, None, Some(true)]);
        // Three missing frames break a run.
        let mut l = latch(false);
        let evs = [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1];
        assert!(
            evs.iter()
                .all(|&e| l.push(if e == 1 { region(40.0, 50.0) } else { None }).is_none())
        );
        // Ends after 4 quiet frames.
        assert_eq!(l.push(region(40.0, 50.0)), Some(true));
        let out: Vec<_> = (0..4).map(|_| l.push(None)).collect();
        assert_eq!(out, [None, None, None, Some(false)]);
    }

    #[test]
    fn growth_speeds_fire_and_is_required_for_smoke() {
        let mut fire = latch(false);
        let grow = |i: usize| region(40.0, 40.0 + 20.0 * i as f32);
        let first = (0..10).position(|i| fire.push(grow(i)) == Some(true));
        assert_eq!(first, Some(4), "grown by half on the third frame: 5 of 6 frames");
        let mut smoke = latch(true);
        assert!((0..30).all(|_| smoke.push(region(40.0, 40.0)).is_none()));
        let mut smoke = latch(true);
        assert_eq!((0..30).position(|i| smoke.push(grow(i)) == Some(true)), Some(5));
    }

    fn hash(a: u32) -> u32 {
        let mut h = a.wrapping_mul(0x9E37_79B9);
        h ^= h >> 16;
        h = h.wrapping_mul(0x85EB_CA6B);
        h ^ (h >> 13)
    }

    fn scene(t: u32, red: Option<(u32, u32)>, flicker: Option<u32>) -> RgbImage {
        RgbImage::from_fn(160, 120, |x, y| {
            // A pseudo-random flame: 20 × 24 px whose pixels change every frame.
            if let Some(seed) = flicker
                && (60..80).contains(&x)
                && (70..94).contains(&y)
            {
                return if hash(x + 1000 * y + 1_000_000 * (t + seed)) & 1 == 0 {
                    image::Rgb([255, 200, 60])
                } else {
                    image::Rgb([200, 70, 20])
                };
            }
            if let Some((rx, ry)) = red
                && (rx..rx + 24).contains(&x)
                && (ry..ry + 30).contains(&y)
            {
                return image::Rgb([210, 40, 30]);
            }
            image::Rgb([90, 95, 100])
        })
    }

    #[test]
    fn flickering_flame_alarms_and_a_static_red_box_does_not() {
        let mut d = FireDetector::new(FireConfig::default()).unwrap();
        let mut started = None;
        for t in 0..60 {
            let fire = (t >= 20).then_some(3);
            for tr in d.push(&scene(t, Some((10, 20)), fire), Duration::ZERO).unwrap() {
                match tr {
                    AlarmTransition::Start { kind, region, .. } => {
                        assert_eq!(kind, HazardKind::Fire);
                        assert!(region.x > 0.3 && region.x < 0.5, "{region:?}");
                        started.get_or_insert(t);
                    }
                    AlarmTransition::End { .. } => panic!("ended while burning"),
                }
            }
        }
        let started = started.expect("no fire alarm");
        assert!((20..=20 + 18).contains(&started), "alarm at frame {started}");
        // Red box only, for long: never.
        let mut d = FireDetector::new(FireConfig::default()).unwrap();
        assert!((0..120).all(|t| {
            d.push(&scene(t, Some((10, 20)), None), Duration::ZERO)
                .unwrap()
                .is_empty()
        }));
    }

    #[test]
    fn bad_settings_are_typed_errors() {
        let bad = FireConfig {
            sensitivity: -0.1,
            ..Default::default()
        };
        assert!(matches!(
            FireDetector::new(bad).err(),
            Some(FlowError::InvalidConfig(_))
        ));
        let bad = FireConfig {
            alarm_frames: 0,
            ..Default::default()
        };
        assert!(FireDetector::new(bad).is_err());
        let mut d = FireDetector::new(FireConfig::default()).unwrap();
        assert!(matches!(
            d.push(&RgbImage::new(5, 0), Duration::ZERO),
            Err(FlowError::EmptyFrame { .. })
        ));
    }
}
