//! Registration: every image is brought to the pose of the training images
//! before the backbone sees it, as HALCON's shape matching or PatMax do
//! before an inspection. A part that lands a few pixels or degrees off
//! otherwise blurs a positional model's per-cell Gaussians, and a missing
//! print block looks like plain paper to a memory bank that has seen paper
//! everywhere.
//!
//! The pose (shift and rotation about the centre) is estimated on a small
//! grey copy of the network input against a reference, the mean of the
//! aligned training images: an exhaustive shift search at the coarsest
//! level of a three-level pyramid, then inverse-compositional Gauss–Newton
//! (Baker and Matthews 2004) down the pyramid, with Huber weights so that a
//! defect does not pull the part. About a millisecond on one core.

use image::{RgbImage, imageops::FilterType};
use serde::{Deserialize, Serialize};

/// Side of the grey working image the pose is estimated on.
pub const WORK_SIDE: usize = 128;
/// Largest shift searched at the coarse level, as a fraction of the side.
pub const DEFAULT_MAX_SHIFT: f32 = 0.12;
/// Pyramid levels below and including the working image (128, 64, 32).
const LEVELS: usize = 3;
/// Gauss–Newton steps at each level, coarse to fine.
const STEPS: [usize; LEVELS] = [25, 12, 6];
/// Residuals beyond this many standard deviations weigh less (Huber).
const HUBER: f32 = 1.0;
/// A reference that correlates this well with itself turned by
/// [`ROUND_TURN_DEG`] is a round part: its rotation is not estimated.
pub const ROUND_NCC: f32 = 0.9;
pub const ROUND_TURN_DEG: f32 = 10.0;
/// Working images below this side have too little structure to align.
pub const MIN_SIDE: usize = 32;
pub const MAX_SIDE: usize = 512;

/// Where a part lies relative to the reference: a point `x` of the
/// reference (pixels, about the image centre `c`) is found in the image at
/// `c + R(angle) (x − c) + (dx, dy) · side`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Pose {
    /// Shift in fractions of the image side.
    pub dx: f32,
    pub dy: f32,
    /// Rotation in radians.
    pub angle: f32,
}

impl Pose {
    /// `self` after `inner`: x ↦ self(inner(x)).
    pub fn then(self, inner: Pose) -> Pose {
        let (s, c) = self.angle.sin_cos();
        Pose {
            dx: c * inner.dx - s * inner.dy + self.dx,
            dy: s * inner.dx + c * inner.dy + self.dy,
            angle: self.angle + inner.angle,
        }
    }

    pub fn inverse(self) -> Pose {
        let (s, c) = self.angle.sin_cos();
        Pose {
            dx: -(c * self.dx + s * self.dy),
            dy: -(-s * self.dx + c * self.dy),
            angle: -self.angle,
        }
    }

    /// Where the reference point `(x, y)` of a `w × h` image lies in the image.
    fn map(self, x: f32, y: f32, w: f32, h: f32) -> (f32, f32) {
        let (s, c) = self.angle.sin_cos();
        let (cx, cy) = ((w - 1.0) * 0.5, (h - 1.0) * 0.5);
        let (u, v) = (x - cx, y - cy);
        (cx + c * u - s * v + self.dx * w, cy + s * u + c * v + self.dy * h)
    }
}

/// The manifest's `align`: a model taught with registration, and what it saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignSpec {
    /// Side of the grey working image.
    pub side: usize,
    /// Largest shift searched, a fraction of the side.
    pub max_shift: f32,
    /// Whether rotation is estimated (not for a round part, whose rotation
    /// nothing in the image fixes).
    #[serde(default = "yes")]
    pub rotation: bool,
    /// The reference, `side × side` grey bytes, hex.
    pub reference: String,
    pub check: AlignCheck,
}

/// Registration on the held-out good images at training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlignCheck {
    /// Standard deviation of their shifts, in pixels of the working image.
    pub shift_sd: f32,
    /// Standard deviation of their rotations, in degrees.
    pub angle_sd_deg: f32,
    /// Median correlation with the reference after alignment.
    pub ncc_aligned: f32,
    /// Median correlation with the reference as they came.
    pub ncc_unaligned: f32,
}

impl AlignCheck {
    /// Summary of the estimates (and unaligned correlations) of good images of `side`.
    pub fn of(estimates: &[Estimate], unaligned: &[f32], side: usize) -> AlignCheck {
        let sd = |v: &mut dyn Iterator<Item = f32>| {
            let v: Vec<f32> = v.collect();
            let n = v.len().max(1) as f32;
            let m = v.iter().sum::<f32>() / n;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f32>() / n).sqrt()
        };
        let s = side as f32;
        let shift_sd = (sd(&mut estimates.iter().map(|e| e.pose.dx * s)).powi(2)
            + sd(&mut estimates.iter().map(|e| e.pose.dy * s)).powi(2))
        .sqrt();
        AlignCheck {
            shift_sd,
            angle_sd_deg: sd(&mut estimates.iter().map(|e| e.pose.angle.to_degrees())),
            ncc_aligned: median(estimates.iter().map(|e| e.ncc).collect()),
            ncc_unaligned: median(unaligned.to_vec()),
        }
    }
}

fn yes() -> bool {
    true
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

impl AlignSpec {
    pub fn new(aligner: &Aligner, check: AlignCheck) -> AlignSpec {
        AlignSpec {
            side: aligner.side(),
            max_shift: aligner.max_shift(),
            rotation: aligner.rotation,
            reference: encode_reference(aligner.reference()),
            check,
        }
    }

    /// The aligner the spec describes; an error names what does not fit.
    pub fn aligner(&self) -> Result<Aligner, AlignError> {
        if !(MIN_SIDE..=MAX_SIDE).contains(&self.side) {
            return Err(AlignError::Side(self.side));
        }
        let aligner = Aligner::new(decode_reference(&self.reference, self.side)?, self.max_shift)?;
        Ok(if self.rotation {
            aligner
        } else {
            aligner.without_rotation()
        })
    }
}

/// A grey image, `side × side`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    pub side: usize,
    pub values: Vec<f32>,
}

impl Plane {
    /// The grey working copy of an image (any size; squeezed to a square
    /// like the network input), values 0..=255.
    pub fn of(image: &RgbImage, side: usize) -> Plane {
        let small = image::imageops::resize(image, side as u32, side as u32, FilterType::Triangle);
        Plane {
            side,
            values: small
                .as_raw()
                .chunks_exact(3)
                .map(|p| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32)
                .collect(),
        }
    }

    fn at(&self, x: usize, y: usize) -> f32 {
        self.values[y * self.side + x]
    }

    /// Bilinear sample at pixel coordinates; `None` outside the image.
    fn sample(&self, x: f32, y: f32) -> Option<f32> {
        let last = (self.side - 1) as f32;
        if !(0.0..=last).contains(&x) || !(0.0..=last).contains(&y) {
            return None;
        }
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.side - 1), (y0 + 1).min(self.side - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let top = self.at(x0, y0) + (self.at(x1, y0) - self.at(x0, y0)) * fx;
        let bottom = self.at(x0, y1) + (self.at(x1, y1) - self.at(x0, y1)) * fx;
        Some(top + (bottom - top) * fy)
    }

    /// Half the side, each value the mean of a 2 × 2 block.
    fn half(&self) -> Plane {
        let side = self.side / 2;
        let mut values = Vec::with_capacity(side * side);
        for y in 0..side {
            for x in 0..side {
                let (a, b) = (2 * x, 2 * y);
                values.push(
                    0.25 * (self.at(a, b) + self.at(a + 1, b) + self.at(a, b + 1) + self.at(a + 1, b + 1)),
                );
            }
        }
        Plane { side, values }
    }

    /// Smoothed by [1 2 1] / 4 both ways and scaled to mean 0, deviation 1,
    /// so that gradients are not pixel noise and exposure does not matter.
    fn conditioned(&self) -> Plane {
        let n = self.side;
        let pass = |src: &[f32], step: usize, stride: usize| -> Vec<f32> {
            let mut out = vec![0.0; src.len()];
            for line in 0..n {
                for i in 0..n {
                    let at = |k: usize| src[line * stride + k * step];
                    let (l, r) = (i.saturating_sub(1), (i + 1).min(n - 1));
                    out[line * stride + i * step] = 0.25 * (at(l) + 2.0 * at(i) + at(r));
                }
            }
            out
        };
        let rows = pass(&self.values, 1, n);
        let both = pass(&rows, n, 1);
        let mean = both.iter().sum::<f32>() / both.len() as f32;
        let var = both.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / both.len() as f32;
        let scale = 1.0 / var.sqrt().max(1e-3);
        Plane {
            side: n,
            values: both.iter().map(|v| (v - mean) * scale).collect(),
        }
    }

    /// Fine to coarse: this plane conditioned, then each half conditioned.
    fn pyramid(&self) -> Vec<Plane> {
        let mut raw = self.clone();
        let mut out = Vec::with_capacity(LEVELS);
        for level in 0..LEVELS {
            out.push(raw.conditioned());
            if level + 1 < LEVELS {
                raw = raw.half();
            }
        }
        out
    }

    /// This plane resampled so that it shows the reference frame (edges repeated).
    pub fn warped(&self, pose: Pose) -> Plane {
        let n = self.side as f32;
        let last = n - 1.0;
        let mut values = Vec::with_capacity(self.values.len());
        for y in 0..self.side {
            for x in 0..self.side {
                let (sx, sy) = pose.map(x as f32, y as f32, n, n);
                values.push(
                    self.sample(sx.clamp(0.0, last), sy.clamp(0.0, last))
                        .unwrap_or(0.0),
                );
            }
        }
        Plane {
            side: self.side,
            values,
        }
    }
}

/// One level of the reference: its conditioned values and their gradients.
#[derive(Debug, Clone)]
struct Level {
    t: Plane,
    gx: Vec<f32>,
    gy: Vec<f32>,
}

impl Level {
    fn new(t: Plane) -> Level {
        let n = t.side;
        let mut gx = vec![0.0; n * n];
        let mut gy = vec![0.0; n * n];
        for y in 1..n - 1 {
            for x in 1..n - 1 {
                gx[y * n + x] = 0.5 * (t.at(x + 1, y) - t.at(x - 1, y));
                gy[y * n + x] = 0.5 * (t.at(x, y + 1) - t.at(x, y - 1));
            }
        }
        Level { t, gx, gy }
    }
}

/// A pose estimate and how well the aligned image matches the reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub pose: Pose,
    /// Normalised cross-correlation with the reference after alignment (−1..=1).
    pub ncc: f32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AlignError {
    #[error("alignment reference: side {0} is outside {MIN_SIDE}..={MAX_SIDE} or not a multiple of 4")]
    Side(usize),
    #[error("alignment reference: {found} values for a {side} × {side} image")]
    Values { side: usize, found: usize },
    #[error("alignment reference: {0}")]
    Encoding(String),
    #[error("alignment: largest shift {0} is outside 0..=0.5")]
    MaxShift(f32),
    #[error("alignment needs at least one image")]
    NoImages,
}

/// A reference to align images to.
#[derive(Debug, Clone)]
pub struct Aligner {
    /// Unconditioned reference, 0..=255 (what the manifest stores).
    reference: Plane,
    levels: Vec<Level>,
    max_shift: f32,
    rotation: bool,
}

impl Aligner {
    pub fn new(reference: Plane, max_shift: f32) -> Result<Aligner, AlignError> {
        let side = reference.side;
        if !(MIN_SIDE..=MAX_SIDE).contains(&side) || !side.is_multiple_of(1 << (LEVELS - 1)) {
            return Err(AlignError::Side(side));
        }
        if reference.values.len() != side * side {
            return Err(AlignError::Values {
                side,
                found: reference.values.len(),
            });
        }
        if !(0.0..=0.5).contains(&max_shift) {
            return Err(AlignError::MaxShift(max_shift));
        }
        let levels = reference.pyramid().into_iter().map(Level::new).collect();
        Ok(Aligner {
            reference,
            levels,
            max_shift,
            rotation: true,
        })
    }

    /// Shift only: for a round part, whose rotation nothing in the image
    /// fixes (a washer's would follow its surface texture and the light).
    pub fn without_rotation(mut self) -> Aligner {
        self.rotation = false;
        self
    }

    pub fn rotation(&self) -> bool {
        self.rotation
    }

    /// Whether the reference looks the same turned by [`ROUND_TURN_DEG`]
    /// about its centre: a round part.
    pub fn is_round(&self) -> bool {
        let turned = Pose {
            angle: ROUND_TURN_DEG.to_radians(),
            ..Pose::default()
        };
        let t = &self.levels[0].t;
        ncc(t, t, turned) >= ROUND_NCC
    }

    pub fn side(&self) -> usize {
        self.reference.side
    }

    pub fn reference(&self) -> &Plane {
        &self.reference
    }

    pub fn max_shift(&self) -> f32 {
        self.max_shift
    }

    /// Teaches a reference from good images: the first image is the first
    /// reference; all are aligned to it and averaged at their mean pose,
    /// which is then the reference. Returns it with each image's estimate
    /// against it.
    pub fn fit(images: &[Plane], max_shift: f32) -> Result<(Aligner, Vec<Estimate>), AlignError> {
        let first = images.first().ok_or(AlignError::NoImages)?;
        let draft = Aligner::new(first.clone(), max_shift)?;
        let poses: Vec<Pose> = images.iter().map(|p| draft.estimate(p).pose).collect();
        let k = 1.0 / poses.len() as f32;
        let mean = Pose {
            dx: poses.iter().map(|p| p.dx).sum::<f32>() * k,
            dy: poses.iter().map(|p| p.dy).sum::<f32>() * k,
            angle: poses.iter().map(|p| p.angle).sum::<f32>() * k,
        };
        let mut sum = vec![0.0f32; first.values.len()];
        for (plane, pose) in images.iter().zip(&poses) {
            // Image i seen at the mean pose: est_i ∘ M⁻¹ (est_i maps the first image into image i).
            let w = plane.warped(pose.then(mean.inverse()));
            sum.iter_mut().zip(&w.values).for_each(|(s, v)| *s += v * k);
        }
        let mut aligner = Aligner::new(
            Plane {
                side: first.side,
                values: sum,
            },
            max_shift,
        )?;
        if aligner.is_round() {
            aligner = aligner.without_rotation();
        }
        let estimates = images.iter().map(|p| aligner.estimate(p)).collect();
        Ok((aligner, estimates))
    }

    /// The pose of `image` (a working plane of this side) relative to the reference.
    pub fn estimate(&self, image: &Plane) -> Estimate {
        if image.side != self.side() {
            return Estimate {
                pose: Pose::default(),
                ncc: 0.0,
            };
        }
        let planes = image.pyramid();
        let coarse = LEVELS - 1;
        let mut pose = self.coarse_shift(&planes[coarse]);
        for level in (0..LEVELS).rev() {
            pose = self.refine(level, &planes[level], pose);
        }
        Estimate {
            pose,
            ncc: ncc(&self.levels[0].t, &planes[0], pose),
        }
    }

    /// How well `image` matches the reference where it is, unaligned.
    pub fn ncc_unaligned(&self, image: &Plane) -> f32 {
        if image.side != self.side() {
            return 0.0;
        }
        ncc(&self.levels[0].t, &image.conditioned(), Pose::default())
    }

    /// Best whole-pixel shift at the coarsest level, by mean squared difference.
    fn coarse_shift(&self, image: &Plane) -> Pose {
        let t = &self.levels[LEVELS - 1].t;
        let n = t.side as isize;
        let r = (self.max_shift * n as f32).ceil() as isize;
        let mut best = (f32::INFINITY, 0, 0);
        for sy in -r..=r {
            for sx in -r..=r {
                let (mut sum, mut count) = (0.0f32, 0usize);
                for y in sy.max(0)..(n + sy).min(n) {
                    for x in sx.max(0)..(n + sx).min(n) {
                        let d =
                            image.values[(y * n + x) as usize] - t.values[((y - sy) * n + x - sx) as usize];
                        sum += d * d;
                        count += 1;
                    }
                }
                // Demand most of the frame overlap, so a far shift cannot win on a sliver.
                if count * 2 >= (n * n) as usize && sum / (count as f32) < best.0 {
                    best = (sum / count as f32, sx, sy);
                }
            }
        }
        Pose {
            dx: best.1 as f32 / n as f32,
            dy: best.2 as f32 / n as f32,
            angle: 0.0,
        }
    }

    /// Inverse-compositional Gauss–Newton steps at one pyramid level.
    fn refine(&self, level: usize, image: &Plane, mut pose: Pose) -> Pose {
        let Level { t, gx, gy } = &self.levels[level];
        let n = t.side;
        let nf = n as f32;
        let c = (nf - 1.0) * 0.5;
        for _ in 0..STEPS[LEVELS - 1 - level] {
            let mut h = [[0.0f64; 3]; 3];
            let mut b = [0.0f64; 3];
            for y in 1..n - 1 {
                for x in 1..n - 1 {
                    let (sx, sy) = pose.map(x as f32, y as f32, nf, nf);
                    let Some(v) = image.sample(sx, sy) else {
                        continue;
                    };
                    let i = y * n + x;
                    let e = v - t.values[i];
                    let w = if e.abs() <= HUBER { 1.0 } else { HUBER / e.abs() };
                    let (u, vv) = (x as f32 - c, y as f32 - c);
                    let sd = [gx[i], gy[i], -vv * gx[i] + u * gy[i]];
                    for r in 0..3 {
                        b[r] += (w * sd[r] * e) as f64;
                        for q in 0..=r {
                            h[r][q] += (w * sd[r] * sd[q]) as f64;
                        }
                    }
                }
            }
            // Mirror the lower triangle.
            (h[0][1], h[0][2], h[1][2]) = (h[1][0], h[2][0], h[2][1]);
            if !self.rotation {
                // Shift only: the angle's row and column drop out.
                h[2] = [0.0, 0.0, 1.0];
                h[0][2] = 0.0;
                h[1][2] = 0.0;
                b[2] = 0.0;
            }
            let Some(step) = solve3(h, b) else {
                break;
            };
            let delta = Pose {
                dx: step[0] as f32 / nf,
                dy: step[1] as f32 / nf,
                angle: step[2] as f32,
            };
            pose = pose.then(delta.inverse());
            // Out of range means lost: start again from the coarse shift rather than wander off.
            if pose.dx.abs() > 0.5 || pose.dy.abs() > 0.5 || !pose.angle.is_finite() {
                return Pose::default();
            }
            let moved = (step[0].abs().max(step[1].abs()) as f32).max(step[2].abs() as f32 * c);
            if moved < 0.005 {
                break;
            }
        }
        pose
    }
}

/// Normalised cross-correlation of the reference with the image sampled at `pose`.
fn ncc(t: &Plane, image: &Plane, pose: Pose) -> f32 {
    let nf = t.side as f32;
    let (mut st, mut si, mut stt, mut sii, mut sti, mut count) =
        (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for y in 0..t.side {
        for x in 0..t.side {
            let (sx, sy) = pose.map(x as f32, y as f32, nf, nf);
            if let Some(v) = image.sample(sx, sy) {
                let (a, b) = (t.at(x, y) as f64, v as f64);
                st += a;
                si += b;
                stt += a * a;
                sii += b * b;
                sti += a * b;
                count += 1.0;
            }
        }
    }
    if count < 2.0 {
        return 0.0;
    }
    let cov = sti / count - st * si / (count * count);
    let var = (stt / count - (st / count).powi(2)) * (sii / count - (si / count).powi(2));
    if var <= 0.0 {
        0.0
    } else {
        (cov / var.sqrt()) as f32
    }
}

/// Solves a symmetric 3 × 3 system by Cramer's rule; `None` when it is singular.
fn solve3(h: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(h);
    let scale = h[0][0].abs() * h[1][1].abs() * h[2][2].abs();
    if !d.is_finite() || d.abs() <= scale * 1e-12 || d == 0.0 {
        return None;
    }
    let mut out = [0.0; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let mut m = h;
        for r in 0..3 {
            m[r][k] = b[r];
        }
        *o = det(m) / d;
    }
    out.iter().all(|v| v.is_finite()).then_some(out)
}

/// A `width × height` map of the reference frame (e.g. an anomaly map of
/// an aligned image) resampled onto the image as it came; 0 outside.
pub fn unwarp_map(values: &[f32], width: u32, height: u32, pose: Pose) -> Vec<f32> {
    let (w, h) = (width as usize, height as usize);
    if values.len() != w * h || w == 0 || h == 0 {
        return values.to_vec();
    }
    let back = pose.inverse();
    let (s, c) = back.angle.sin_cos();
    let mut out = Vec::with_capacity(values.len());
    for y in 0..h {
        for x in 0..w {
            // In the unit square, so that a squeezed region rotates as the network input did.
            let (u, v) = (
                (x as f32 + 0.5) / w as f32 - 0.5,
                (y as f32 + 0.5) / h as f32 - 0.5,
            );
            let (ru, rv) = (c * u - s * v + back.dx + 0.5, s * u + c * v + back.dy + 0.5);
            let (sx, sy) = (ru * w as f32 - 0.5, rv * h as f32 - 0.5);
            let inside = sx >= 0.0 && sy >= 0.0 && sx <= (w - 1) as f32 && sy <= (h - 1) as f32;
            out.push(if inside {
                let (x0, y0) = (sx as usize, sy as usize);
                let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
                let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
                let at = |xx: usize, yy: usize| values[yy * w + xx];
                let top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * fx;
                let bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * fx;
                top + (bottom - top) * fy
            } else {
                0.0
            });
        }
    }
    out
}

/// `image` resampled (bilinear, edges repeated) so that it shows the reference frame.
pub fn warp_rgb(image: &RgbImage, pose: Pose) -> RgbImage {
    let (w, h) = image.dimensions();
    let (wf, hf) = (w as f32, h as f32);
    let raw = image.as_raw();
    let stride = 3 * w as usize;
    let mut out = Vec::with_capacity(raw.len());
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = pose.map(x as f32, y as f32, wf, hf);
            let sx = sx.clamp(0.0, wf - 1.0);
            let sy = sy.clamp(0.0, hf - 1.0);
            let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
            let x1 = (x0 + 1).min(w as usize - 1);
            let y1 = (y0 + 1).min(h as usize - 1);
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            for ch in 0..3 {
                let p = |xx: usize, yy: usize| raw[yy * stride + 3 * xx + ch] as f32;
                let top = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * fx;
                let bottom = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * fx;
                // Rounded by adding a half before the cast truncates, as `round`
                // does on non-negative values, without its libm call (a tenth
                // of a registered 448 px inspection's time went to those).
                out.push(((top + (bottom - top) * fy).clamp(0.0, 255.0) + 0.5) as u8);
            }
        }
    }
    RgbImage::from_raw(w, h, out).expect("one RGB triple per pixel")
}

/// The reference as stored in a manifest: one byte per value, hex.
pub fn encode_reference(plane: &Plane) -> String {
    plane
        .values
        .iter()
        .map(|v| format!("{:02x}", v.round().clamp(0.0, 255.0) as u8))
        .collect()
}

/// The inverse of [`encode_reference`] for a `side × side` reference.
pub fn decode_reference(hex: &str, side: usize) -> Result<Plane, AlignError> {
    if !hex.is_ascii() || !hex.len().is_multiple_of(2) {
        return Err(AlignError::Encoding("not hex bytes".into()));
    }
    let values = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map(f32::from))
        .collect::<Result<Vec<f32>, _>>()
        .map_err(|e| AlignError::Encoding(e.to_string()))?;
    if values.len() != side * side {
        return Err(AlignError::Values {
            side,
            found: values.len(),
        });
    }
    Ok(Plane { side, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real photo (scikit-image's coffee cup, 224 × 224).
    fn photo() -> RgbImage {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/imagenet/coffee_224.png");
        image::open(path).unwrap().to_rgb8()
    }

    /// The photo with its content moved by `pose` (what a camera would see of a displaced part).
    fn moved(image: &RgbImage, pose: Pose) -> RgbImage {
        warp_rgb(image, pose.inverse())
    }

    #[test]
    fn poses_compose_and_invert() {
        let p = Pose {
            dx: 0.03,
            dy: -0.02,
            angle: 0.07,
        };
        let q = Pose {
            dx: -0.01,
            dy: 0.04,
            angle: -0.02,
        };
        let id = p.then(p.inverse());
        assert!(
            id.dx.abs() < 1e-6 && id.dy.abs() < 1e-6 && id.angle.abs() < 1e-6,
            "{id:?}"
        );
        let (x, y) = q.map(10.0, 20.0, 100.0, 100.0);
        let (x, y) = p.map(x, y, 100.0, 100.0);
        let (x2, y2) = p.then(q).map(10.0, 20.0, 100.0, 100.0);
        assert!((x - x2).abs() < 1e-3 && (y - y2).abs() < 1e-3);
    }

    #[test]
    fn recovers_shift_and_rotation_of_a_real_photo() {
        let photo = photo();
        let aligner = Aligner::new(Plane::of(&photo, WORK_SIDE), DEFAULT_MAX_SHIFT).unwrap();
        for truth in [
            Pose::default(),
            Pose {
                dx: 0.04,
                dy: -0.03,
                angle: 3f32.to_radians(),
            },
            Pose {
                dx: -0.06,
                dy: 0.05,
                angle: -6f32.to_radians(),
            },
        ] {
            let seen = moved(&photo, truth);
            let est = aligner.estimate(&Plane::of(&seen, WORK_SIDE));
            // Within a third of a pixel of the 224-pixel photo and a fifth of a degree.
            assert!(
                (est.pose.dx - truth.dx).abs() * 224.0 < 0.35,
                "{est:?} vs {truth:?}"
            );
            assert!(
                (est.pose.dy - truth.dy).abs() * 224.0 < 0.35,
                "{est:?} vs {truth:?}"
            );
            assert!(
                (est.pose.angle - truth.angle).abs().to_degrees() < 0.2,
                "{est:?} vs {truth:?}"
            );
            assert!(est.ncc > 0.9, "{est:?}");
            // Warped back, the centre of the image is the photo again.
            let back = warp_rgb(&seen, est.pose);
            let diff: f32 = (60..164)
                .flat_map(|y| (60..164).map(move |x| (x, y)))
                .map(|(x, y)| (back.get_pixel(x, y)[1] as f32 - photo.get_pixel(x, y)[1] as f32).abs())
                .sum::<f32>()
                / (104.0 * 104.0);
            assert!(diff < 6.0, "mean difference {diff} after alignment");
        }
    }

    #[test]
    fn a_local_defect_does_not_pull_the_pose() {
        let photo = photo();
        let aligner = Aligner::new(Plane::of(&photo, WORK_SIDE), DEFAULT_MAX_SHIFT).unwrap();
        let truth = Pose {
            dx: 0.02,
            dy: 0.01,
            angle: 2f32.to_radians(),
        };
        let mut seen = moved(&photo, truth);
        for y in 90..130 {
            for x in 100..140 {
                seen.put_pixel(x, y, image::Rgb([250, 20, 20]));
            }
        }
        let est = aligner.estimate(&Plane::of(&seen, WORK_SIDE));
        assert!((est.pose.dx - truth.dx).abs() * 224.0 < 0.6, "{est:?}");
        assert!((est.pose.dy - truth.dy).abs() * 224.0 < 0.6, "{est:?}");
        assert!((est.pose.angle - truth.angle).abs().to_degrees() < 0.4, "{est:?}");
    }

    #[test]
    fn fit_averages_to_the_mean_pose() {
        let photo = photo();
        let poses = [
            Pose {
                dx: 0.03,
                dy: 0.0,
                angle: 0.02,
            },
            Pose {
                dx: -0.03,
                dy: 0.02,
                angle: -0.02,
            },
            Pose {
                dx: 0.0,
                dy: -0.02,
                angle: 0.0,
            },
        ];
        let planes: Vec<Plane> = poses
            .iter()
            .map(|&p| Plane::of(&moved(&photo, p), WORK_SIDE))
            .collect();
        let (aligner, estimates) = Aligner::fit(&planes, DEFAULT_MAX_SHIFT).unwrap();
        // The mean pose is the photo's own, so each estimate is its true pose.
        for (est, truth) in estimates.iter().zip(&poses) {
            assert!((est.pose.dx - truth.dx).abs() < 0.004, "{est:?} vs {truth:?}");
            assert!((est.pose.dy - truth.dy).abs() < 0.004, "{est:?} vs {truth:?}");
            assert!(
                (est.pose.angle - truth.angle).abs() < 0.005,
                "{est:?} vs {truth:?}"
            );
            assert!(est.ncc > 0.9);
        }
        assert!(aligner.ncc_unaligned(&planes[0]) < estimates[0].ncc);
    }

    #[test]
    fn the_reference_round_trips_through_hex_and_bad_text_is_an_error() {
        let plane = Plane::of(&photo(), 32);
        let hex = encode_reference(&plane);
        let back = decode_reference(&hex, 32).unwrap();
        assert!(
            back.values
                .iter()
                .zip(&plane.values)
                .all(|(a, b)| (a - b).abs() <= 0.5)
        );
        assert!(matches!(
            decode_reference(&hex, 64),
            Err(AlignError::Values { .. })
        ));
        assert!(matches!(decode_reference("zz", 1), Err(AlignError::Encoding(_))));
        assert!(matches!(decode_reference("abc", 1), Err(AlignError::Encoding(_))));
        assert!(matches!(decode_reference("é0", 1), Err(AlignError::Encoding(_))));
        assert!(matches!(
            Aligner::new(back.clone(), 0.9),
            Err(AlignError::MaxShift(_))
        ));
        assert!(matches!(
            Aligner::new(
                Plane {
                    side: 30,
                    values: vec![0.0; 900]
                },
                0.1
            ),
            Err(AlignError::Side(30))
        ));
        assert!(matches!(Aligner::fit(&[], 0.1), Err(AlignError::NoImages)));
    }

    #[test]
    fn a_map_of_the_aligned_part_goes_back_where_the_part_lay() {
        // A hot spot at (20, 10) of a 40 × 40 map of the reference frame.
        let (w, h) = (40u32, 40u32);
        let mut map = vec![0.0f32; 1600];
        map[10 * 40 + 20] = 1.0;
        let pose = Pose {
            dx: 0.1,
            dy: -0.05,
            angle: 0.0,
        };
        let back = unwarp_map(&map, w, h, pose);
        let hottest = back
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        // The part lay 4 pixels right and 2 up of the reference.
        assert_eq!((hottest % 40, hottest / 40), (24, 8));
        assert_eq!(back[0], 0.0, "what the reference frame does not cover stays dark");
        let same = unwarp_map(&map, 40, 40, Pose::default());
        assert!(same.iter().zip(&map).all(|(a, b)| (a - b).abs() < 1e-4));
    }

    #[test]
    fn a_round_part_is_aligned_by_shift_only() {
        // A bright ring on grey, with a mark that turns with each part.
        let ring = |turn: f32, cx: f32, cy: f32| {
            RgbImage::from_fn(224, 224, |x, y| {
                let (u, v) = (x as f32 - cx, y as f32 - cy);
                let r = (u * u + v * v).sqrt();
                let a = v.atan2(u) - turn;
                let mark = (a.sin() > 0.95 && r > 60.0) as u8 * 40;
                let g = if (40.0..75.0).contains(&r) { 200 - mark } else { 90 };
                image::Rgb([g, g, g])
            })
        };
        let planes: Vec<Plane> = (0..6)
            .map(|k| Plane::of(&ring(k as f32, 111.5 + k as f32 - 2.0, 111.5), WORK_SIDE))
            .collect();
        let (aligner, estimates) = Aligner::fit(&planes, DEFAULT_MAX_SHIFT).unwrap();
        assert!(aligner.is_round() && !aligner.rotation());
        assert!(estimates.iter().all(|e| e.pose.angle == 0.0));
        let shift = (estimates[5].pose.dx - estimates[0].pose.dx) * 224.0;
        assert!((shift - 5.0).abs() < 0.5, "{estimates:?}");
        let photo = Aligner::new(Plane::of(&photo(), WORK_SIDE), DEFAULT_MAX_SHIFT).unwrap();
        assert!(!photo.is_round());
    }

    #[test]
    fn a_flat_image_does_not_panic() {
        let flat = Plane {
            side: WORK_SIDE,
            values: vec![100.0; WORK_SIDE * WORK_SIDE],
        };
        let aligner = Aligner::new(flat.clone(), DEFAULT_MAX_SHIFT).unwrap();
        let est = aligner.estimate(&flat);
        assert!(est.pose.dx.is_finite() && est.pose.angle.is_finite());
        let wrong = Plane::of(&photo(), 64);
        assert_eq!(aligner.estimate(&wrong).pose, Pose::default());
    }
}
