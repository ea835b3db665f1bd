//! Per-pixel background model: a running Gaussian (mean colour and
//! variance) per pixel, learnt from the empty scene and kept up to date
//! where nothing moves.
//!
//! * Global light changes (flicker, a cloud, auto exposure) are divided out
//!   by a frame gain measured on the pixels that were background in the
//!   previous frame, so they neither flood the mask nor get learnt as change.
//! * A camera shaken by a pixel is tolerated by comparing each pixel with
//!   the best-matching background pixel of its 3 × 3 neighbourhood.
//! * Shadows (darker, same chromaticity: Horprasert et al. 1999) are told
//!   apart from objects, so that a walker's shadow neither joins two
//!   walkers into one blob nor drags the centroid.
//! * Foreground pixels are learnt only very slowly, so that an object that
//!   stops (on the counting line) stays foreground for minutes, yet a parked
//!   object becomes background in the end.

use super::{FlowError, plane::RgbPlane};

/// What a pixel is, in this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum PixelClass {
    Background = 0,
    Foreground = 1,
    /// Darker background of the same colour.
    Shadow = 2,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackgroundConfig {
    /// Learning rate of background pixels per frame.
    pub learn_rate: f32,
    /// Learning rate of foreground and shadow pixels per frame.
    pub absorb_rate: f32,
    /// A pixel is foreground beyond this many standard deviations...
    pub sigmas: f32,
    /// ...and at least this far (RMS over the channels, 0..255).
    pub min_diff: f32,
    /// Floor of the per-pixel standard deviation (sensor noise is never zero).
    pub min_sigma: f32,
    /// Brightness ratio range of a shadow; `None`: no shadow test.
    pub shadow: Option<(f32, f32)>,
    /// Frames of warm-up, averaged with equal weight, before anything is foreground.
    pub warmup_frames: u32,
}

impl Default for BackgroundConfig {
    fn default() -> Self {
        Self {
            learn_rate: 0.02,
            absorb_rate: 0.0005,
            sigmas: 3.0,
            min_diff: 18.0,
            min_sigma: 3.0,
            shadow: Some((0.45, 0.92)),
            warmup_frames: 10,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BackgroundModel {
    cfg: BackgroundConfig,
    w: usize,
    h: usize,
    mean: Vec<[f32; 3]>,
    var: Vec<f32>,
    class: Vec<PixelClass>,
    frames: u32,
    gain: f32,
}

impl BackgroundModel {
    pub fn new(cfg: BackgroundConfig) -> Result<Self, FlowError> {
        let ok = |v: f32, lo: f32, hi: f32| v.is_finite() && v >= lo && v <= hi;
        if !ok(cfg.learn_rate, 0.0, 1.0) || !ok(cfg.absorb_rate, 0.0, 1.0) {
            return Err(FlowError::InvalidConfig(
                "learning rates must lie in 0..=1".into(),
            ));
        }
        if !ok(cfg.sigmas, 0.5, 20.0) || !ok(cfg.min_diff, 0.0, 255.0) || !ok(cfg.min_sigma, 0.1, 100.0) {
            return Err(FlowError::InvalidConfig(
                "background thresholds out of range".into(),
            ));
        }
        if let Some((lo, hi)) = cfg.shadow
            && !(ok(lo, 0.0, 1.0) && ok(hi, 0.0, 1.0) && lo < hi)
        {
            return Err(FlowError::InvalidConfig(
                "shadow ratios must satisfy 0 ≤ lo < hi ≤ 1".into(),
            ));
        }
        Ok(Self {
            cfg,
            w: 0,
            h: 0,
            mean: Vec::new(),
            var: Vec::new(),
            class: Vec::new(),
            frames: 0,
            gain: 1.0,
        })
    }

    /// Still learning the empty scene: nothing is foreground yet.
    pub fn warming_up(&self) -> bool {
        self.frames <= self.cfg.warmup_frames
    }

    /// The learnt background colour per pixel (row-major, at the processing size).
    pub fn mean(&self) -> &[[f32; 3]] {
        &self.mean
    }

    /// The last frame's brightness relative to the background.
    pub fn gain(&self) -> f32 {
        self.gain
    }

    pub fn size(&self) -> (usize, usize) {
        (self.w, self.h)
    }

    /// Classifies every pixel of `frame` and updates the model. A frame of
    /// another size than before starts the model over (the camera changed).
    pub fn apply(&mut self, frame: &RgbPlane) -> &[PixelClass] {
        let n = frame.w * frame.h;
        if (frame.w, frame.h) != (self.w, self.h) || self.frames == 0 {
            self.w = frame.w;
            self.h = frame.h;
            self.mean = frame.px.clone();
            self.var = vec![self.cfg.min_sigma * self.cfg.min_sigma; n];
            self.class = vec![PixelClass::Background; n];
            self.frames = 1;
            self.gain = 1.0;
            return &self.class;
        }
        self.frames = self.frames.saturating_add(1);
        self.gain = self.measure_gain(frame);
        let inv_gain = 1.0 / self.gain;
        if self.warming_up() {
            let rate = (1.0 / self.frames as f32).max(self.cfg.learn_rate);
            for i in 0..n {
                let p = frame.px[i].map(|v| v * inv_gain);
                let d2 = dist2(p, self.mean[i]);
                update(&mut self.mean[i], p, rate);
                self.var[i] += rate * (d2 - self.var[i]);
                self.var[i] = self.var[i].max(self.cfg.min_sigma * self.cfg.min_sigma);
            }
            self.class.iter_mut().for_each(|c| *c = PixelClass::Background);
            return &self.class;
        }
        let (w, h) = (self.w, self.h);
        let min_d2 = self.cfg.min_diff * self.cfg.min_diff;
        let k2 = self.cfg.sigmas * self.cfg.sigmas;
        for y in 0..h {
            for x in 0..w {
                let i = y * w + x;
                let p = frame.px[i].map(|v| v * inv_gain);
                // Best match in the 3 × 3 neighbourhood, in units of its
                // threshold; most pixels match their own model at once.
                let fits = |j: usize| dist2(p, self.mean[j]) <= (k2 * self.var[j]).max(min_d2);
                let matched = fits(i)
                    || (y.saturating_sub(1)..=(y + 1).min(h - 1))
                        .any(|ny| (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|nx| fits(ny * w + nx)));
                let class = if matched {
                    PixelClass::Background
                } else if self.is_shadow(p, self.mean[i]) {
                    PixelClass::Shadow
                } else {
                    PixelClass::Foreground
                };
                self.class[i] = class;
                let m = &mut self.mean[i];
                if class == PixelClass::Background {
                    let d2 = dist2(p, *m);
                    update(m, p, self.cfg.learn_rate);
                    let v = &mut self.var[i];
                    *v = (*v + self.cfg.learn_rate * (d2 - *v)).max(self.cfg.min_sigma * self.cfg.min_sigma);
                } else {
                    update(m, p, self.cfg.absorb_rate);
                }
            }
        }
        &self.class
    }

    fn measure_gain(&self, frame: &RgbPlane) -> f32 {
        median_gain(&frame.px, &self.mean, |i| self.class[i] == PixelClass::Background).unwrap_or(self.gain)
    }

    /// Darker than the background by a shadow's ratio, with the background's
    /// chromaticity: the distortion from the scaled background colour is
    /// small against the background's own brightness.
    fn is_shadow(&self, p: [f32; 3], m: [f32; 3]) -> bool {
        let Some((lo, hi)) = self.cfg.shadow else {
            return false;
        };
        let mm = m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
        if mm < 100.0 {
            return false; // a black background casts no visible shadow
        }
        let alpha = (p[0] * m[0] + p[1] * m[1] + p[2] * m[2]) / mm;
        if !(lo..=hi).contains(&alpha) {
            return false;
        }
        let cd2 = (0..3).map(|c| (p[c] - alpha * m[c]).powi(2)).sum::<f32>() / 3.0;
        // 6 % of the background's RMS level, and never inside sensor noise.
        let tol = (0.06 * (mm / 3.0).sqrt()).max(2.0 * self.cfg.min_sigma);
        cd2 <= tol * tol
    }
}

/// Median frame / background brightness ratio over the pixels `use_px`
/// allows (those that were background a frame ago): the median, because
/// the edges of an object entering were background a frame ago. `None`
/// when too few pixels are left to tell (the view is covered).
pub(crate) fn median_gain(
    frame: &[[f32; 3]],
    mean: &[[f32; 3]],
    use_px: impl Fn(usize) -> bool,
) -> Option<f32> {
    const BINS: usize = 1024;
    const LO: f32 = 0.25;
    const HI: f32 = 4.0;
    let mut hist = [0u32; BINS];
    let mut n = 0u32;
    for (i, (p, m)) in frame.iter().zip(mean).enumerate() {
        let den = m[0] + m[1] + m[2];
        // Near-black pixels say nothing about the light.
        if den > 30.0 && use_px(i) {
            let r = ((p[0] + p[1] + p[2]) / den).clamp(LO, HI);
            hist[(((r - LO) / (HI - LO)) * (BINS - 1) as f32) as usize] += 1;
            n += 1;
        }
    }
    if n < 16 {
        return None;
    }
    let mut seen = 0;
    hist.iter()
        .position(|&k| {
            seen += k;
            seen * 2 >= n
        })
        .map(|b| LO + (b as f32 + 0.5) * (HI - LO) / (BINS - 1) as f32)
}

fn dist2(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)) / 3.0
}

fn update(m: &mut [f32; 3], p: [f32; 3], rate: f32) {
    for c in 0..3 {
        m[c] += rate * (p[c] - m[c]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(w: usize, h: usize, f: impl Fn(usize, usize) -> [f32; 3]) -> RgbPlane {
        RgbPlane {
            w,
            h,
            px: (0..w * h).map(|i| f(i % w, i / w)).collect(),
        }
    }

    fn count(c: &[PixelClass], k: PixelClass) -> usize {
        c.iter().filter(|&&v| v == k).count()
    }

    #[test]
    fn objects_are_foreground_shadows_are_not_and_global_light_is_divided_out() {
        let floor = |x: usize, _y: usize| [120.0 + (x % 7) as f32, 110.0, 90.0];
        let mut bg = BackgroundModel::new(BackgroundConfig::default()).unwrap();
        for _ in 0..20 {
            bg.apply(&plane(40, 30, floor));
        }
        assert!(!bg.warming_up());
        // A blue object (36 px) and a shadow (the floor at 70 %, 30 px).
        let scene = plane(40, 30, |x, y| {
            if (5..11).contains(&x) && (5..11).contains(&y) {
                [30.0, 40.0, 160.0]
            } else if (20..26).contains(&x) && (5..10).contains(&y) {
                floor(x, y).map(|v| v * 0.7)
            } else {
                floor(x, y)
            }
        });
        let c = bg.apply(&scene).to_vec();
        assert_eq!(count(&c, PixelClass::Foreground), 36);
        assert_eq!(count(&c, PixelClass::Shadow), 30);
        // The whole scene 25 % brighter: nothing new.
        let brighter = plane(40, 30, |x, y| floor(x, y).map(|v| v * 1.25));
        let c = bg.apply(&brighter).to_vec();
        assert_eq!(count(&c, PixelClass::Background), 40 * 30);
        assert!((bg.gain() - 1.25).abs() < 0.01);
    }

    #[test]
    fn a_stopped_object_stays_foreground_for_long() {
        let mut bg = BackgroundModel::new(BackgroundConfig::default()).unwrap();
        let empty = plane(20, 20, |_, _| [100.0; 3]);
        let with = plane(
            20,
            20,
            |x, _| if x < 5 { [200.0, 30.0, 30.0] } else { [100.0; 3] },
        );
        for _ in 0..15 {
            bg.apply(&empty);
        }
        // 300 frames = 20 s at 15 fps on the line.
        for _ in 0..300 {
            bg.apply(&with);
        }
        assert_eq!(count(bg.apply(&with), PixelClass::Foreground), 100);
        // It leaves: the floor is background again at once.
        assert_eq!(count(bg.apply(&empty), PixelClass::Foreground), 0);
    }

    #[test]
    fn bad_settings_are_errors() {
        let bad = BackgroundConfig {
            shadow: Some((0.9, 0.5)),
            ..Default::default()
        };
        assert!(BackgroundModel::new(bad).is_err());
        let bad = BackgroundConfig {
            learn_rate: f32::NAN,
            ..Default::default()
        };
        assert!(BackgroundModel::new(bad).is_err());
    }
}
