//! Smoke evidence: greyish change against the background that veils it.
//!
//! Smoke is semi-transparent: where it drifts, the scene moves towards a
//! grey and the background's edges fade without vanishing. The frame is cut
//! into 8 × 8 blocks and judged per block, where sensor noise averages out
//! (a faint veil changes a block's mean by a few levels, far less than the
//! noise of one pixel). A block is smoky when
//! * its mean brightness moved away from the background's,
//! * the change is neutral (all channels alike) and the block is greyish,
//! * and the background's texture shows through attenuated: projecting the
//!   block's gradients onto the background's gives the share of the
//!   background's edges still visible, which for a veil of opacity α is
//!   about 1 − α; it must lie between 10 % and 85 %, with no new edges. An
//!   opaque object (a person in a grey coat) hides the background's edges
//!   (share near 0) and brings its own.
//!
//! A smoky region must hold at least a third of its blocks on background
//! texture: on a featureless floor a shadow or dark trousers change the
//! scene just like smoke, and only the veiled texture tells smoke apart.
//!
//! The background is a per-pixel mean learnt very slowly (about a minute
//! at 15 fps) and not at all under smoky blocks, since turbulent smoke comes
//! and goes; global light changes are divided out by the median gain. The
//! alarm (in `fire.rs`) also needs the smoky region to stay and grow.

use super::{
    FlowError,
    background::median_gain,
    blobs::find_blobs,
    by_sensitivity,
    fire::Region,
    plane::{Mask, RgbPlane, luma},
};

const BLOCK: usize = 8;
const WARMUP: u32 = 10;
const LEARN_RATE: f32 = 0.001;
/// Weight of the newest frame in the smoothed frame that edges are measured on.
const SMOOTH: f32 = 0.4;

pub(crate) struct SmokeEvidence {
    change_min: f32,
    saturation_max: f32,
    blocks_min: usize,
    w: usize,
    h: usize,
    frames: u32,
    mean: Vec<[f32; 3]>,
    smooth: Vec<f32>,
    /// Smoky blocks of the last frame.
    blocks: Mask,
    mask: Mask,
}

impl SmokeEvidence {
    pub(crate) fn new(s: f32) -> Result<Self, FlowError> {
        super::check_unit("sensitivity", s)?;
        Ok(Self {
            change_min: by_sensitivity(s, 12.0, 4.0),
            saturation_max: by_sensitivity(s, 0.15, 0.3),
            blocks_min: by_sensitivity(s, 6.0, 2.0).round() as usize,
            w: 0,
            h: 0,
            frames: 0,
            mean: Vec::new(),
            smooth: Vec::new(),
            blocks: Mask::default(),
            mask: Mask::default(),
        })
    }

    pub(crate) fn mask(&self) -> &Mask {
        &self.mask
    }

    pub(crate) fn push(&mut self, plane: &RgbPlane) -> Option<Region> {
        let (w, h) = (plane.w, plane.h);
        let (bw, bh) = (w / BLOCK, h / BLOCK);
        if (w, h) != (self.w, self.h) {
            self.w = w;
            self.h = h;
            self.frames = 0;
            self.mean = plane.px.clone();
            self.smooth = plane.luma();
            self.blocks = Mask::new(bw, bh);
        }
        self.frames += 1;
        self.mask = Mask::new(w, h);
        let smoky_before = &self.blocks;
        let block_of = |i: usize| {
            ((i / w) / BLOCK).min(bh.saturating_sub(1)) * bw + ((i % w) / BLOCK).min(bw.saturating_sub(1))
        };
        let gain = median_gain(&plane.px, &self.mean, |i| {
            bw == 0 || smoky_before.v[block_of(i)] == 0
        })
        .unwrap_or(1.0);
        let inv = 1.0 / gain;
        for (s, p) in self.smooth.iter_mut().zip(&plane.px) {
            *s += SMOOTH * (luma(*p) * inv - *s);
        }
        if self.frames <= WARMUP {
            let rate = 1.0 / self.frames as f32;
            for (m, p) in self.mean.iter_mut().zip(&plane.px) {
                (0..3).for_each(|c| m[c] += rate * (p[c] * inv - m[c]));
            }
            return None;
        }
        let bg: Vec<f32> = self.mean.iter().map(|m| luma(*m)).collect();
        let mut blocks = Mask::new(bw, bh);
        let (mut veiled, mut veiled_at) = (0usize, Vec::new());
        let n = (BLOCK * BLOCK) as f32;
        for by in 0..bh {
            for bx in 0..bw {
                let (mut delta, mut colour) = ([0.0f32; 3], [0.0f32; 3]);
                // Σ g_cur·g_bg, Σ g_bg², Σ g_cur² over differences inside the block.
                let (mut cross, mut e_bg, mut e_cur) = (0.0f32, 0.0f32, 0.0f32);
                let (x_end, y_end) = ((bx + 1) * BLOCK, (by + 1) * BLOCK);
                for y in by * BLOCK..y_end {
                    for x in bx * BLOCK..x_end {
                        let i = y * w + x;
                        let (p, m) = (plane.px[i], self.mean[i]);
                        for c in 0..3 {
                            delta[c] += p[c] * inv - m[c];
                            colour[c] += p[c] * inv;
                        }
                        let s = &self.smooth;
                        for j in [(x + 1 < x_end).then_some(i + 1), (y + 1 < y_end).then_some(i + w)]
                            .into_iter()
                            .flatten()
                        {
                            let (gc, gb) = (s[j] - s[i], bg[j] - bg[i]);
                            cross += gc * gb;
                            e_bg += gb * gb;
                            e_cur += gc * gc;
                        }
                    }
                }
                let delta = delta.map(|v| v / n);
                let colour = colour.map(|v| v / n);
                let dy = luma(delta);
                if dy.abs() < self.change_min {
                    continue;
                }
                let chroma = (delta[0] - delta[1])
                    .abs()
                    .max((delta[1] - delta[2]).abs())
                    .max((delta[0] - delta[2]).abs());
                let (mx, mn) = (
                    colour[0].max(colour[1]).max(colour[2]),
                    colour[0].min(colour[1]).min(colour[2]),
                );
                let greyish =
                    chroma <= 0.35 * dy.abs() + 2.0 && (mx - mn) / mx.max(1.0) <= self.saturation_max;
                // Texture to judge by: an RMS gradient above 6 levels.
                let textured = e_bg > 36.0 * n;
                let shows = cross / e_bg.max(1.0);
                if greyish && !textured {
                    blocks.v[by * bw + bx] = 1;
                } else if greyish && (0.1..=0.85).contains(&shows) && e_cur <= e_bg {
                    blocks.v[by * bw + bx] = 1;
                    veiled += 1;
                    veiled_at.push((bx, by));
                }
            }
        }
        // Learn the background slowly, and not under smoke.
        for (i, (m, p)) in self.mean.iter_mut().zip(&plane.px).enumerate() {
            if bw > 0 && bh > 0 && blocks.v[block_of(i)] == 0 {
                (0..3).for_each(|c| m[c] += LEARN_RATE * (p[c] * inv - m[c]));
            }
        }
        for by in 0..bh {
            for bx in 0..bw {
                if blocks.v[by * bw + bx] != 0 {
                    for y in by * BLOCK..(by + 1) * BLOCK {
                        self.mask.v[y * w + bx * BLOCK..y * w + (bx + 1) * BLOCK].fill(1);
                    }
                }
            }
        }
        let blob = find_blobs(&blocks, 1).into_iter().next();
        self.blocks = blocks;
        let blob = blob?;
        let inside = |&&(x, y): &&(usize, usize)| {
            (blob.bbox[0]..blob.bbox[2]).contains(&(x as u32))
                && (blob.bbox[1]..blob.bbox[3]).contains(&(y as u32))
        };
        let on_texture = veiled_at.iter().filter(inside).count();
        let b = BLOCK as f32;
        (veiled > 0 && blob.area as usize >= self.blocks_min && 3 * on_texture >= blob.area as usize).then(
            || Region {
                bbox: blob.bbox.map(|v| v as f32 * b),
                centroid: [blob.centroid[0] * b, blob.centroid[1] * b],
                area: blob.area as f32 * b * b,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A striped wall (strong edges), with a grey veil of opacity `alpha`
    /// over x 40..104, y 32..88 (whole blocks), or an opaque grey board there.
    fn wall(alpha: f32, opaque: bool) -> RgbPlane {
        let (w, h) = (160, 120);
        let px = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let base = if (x / 3) % 2 == 0 {
                    [60.0, 70.0, 90.0]
                } else {
                    [150.0, 140.0, 120.0]
                };
                let inside = (40..104).contains(&x) && (32..88).contains(&y);
                if inside && opaque {
                    [128.0; 3]
                } else if inside {
                    base.map(|v| v * (1.0 - alpha) + 200.0 * alpha)
                } else {
                    base
                }
            })
            .collect();
        RgbPlane { w, h, px }
    }

    #[test]
    fn a_grey_veil_is_smoke_and_an_opaque_grey_board_is_not() {
        let mut s = SmokeEvidence::new(0.5).unwrap();
        for _ in 0..15 {
            assert_eq!(s.push(&wall(0.0, false)), None);
        }
        // The edges are measured on a smoothed frame: a few frames of veil.
        let r = (0..4)
            .filter_map(|_| s.push(&wall(0.5, false)))
            .last()
            .expect("veil not seen");
        assert_eq!(r.bbox, [40.0, 32.0, 104.0, 88.0]);
        let mut s = SmokeEvidence::new(0.5).unwrap();
        for _ in 0..15 {
            s.push(&wall(0.0, false));
        }
        // The edges are taken from a smoothed frame, which needs a few frames
        // to lose the stripes: meanwhile the board looks like a thinning veil
        // (the alarm's 16 frames and growth cover that).
        for _ in 0..5 {
            s.push(&wall(0.0, true));
        }
        assert!((0..10).all(|_| s.push(&wall(0.0, true)).is_none()));
    }
}
