//! Float raster buffers, procedural noise and the simulated camera.

use image::{GrayImage, Luma, Rgb, RgbImage};

use crate::rng::Rng;

/// A linear-ish RGB image with values nominally in 0..=1.
#[derive(Clone, Debug)]
pub(crate) struct Canvas {
    pub w: usize,
    pub h: usize,
    pub px: Vec<[f32; 3]>,
}

impl Canvas {
    pub(crate) fn new(w: usize, h: usize, fill: [f32; 3]) -> Self {
        Canvas {
            w,
            h,
            px: vec![fill; w * h],
        }
    }

    pub(crate) fn to_rgb(&self) -> RgbImage {
        let mut img = RgbImage::new(self.w as u32, self.h as u32);
        for (o, p) in img.pixels_mut().zip(&self.px) {
            *o = Rgb(p.map(to_u8));
        }
        img
    }
}

pub(crate) fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

/// A scalar field (coverage, alpha, mask) with the image's size.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub w: usize,
    pub h: usize,
    pub v: Vec<f32>,
}

impl Field {
    pub(crate) fn new(w: usize, h: usize) -> Self {
        Field {
            w,
            h,
            v: vec![0.0; w * h],
        }
    }

    pub(crate) fn at(&self, x: f32, y: f32) -> f32 {
        let (xi, yi) = (x.floor() as isize, y.floor() as isize);
        if xi < 0 || yi < 0 || xi >= self.w as isize || yi >= self.h as isize {
            return 0.0;
        }
        self.v[yi as usize * self.w + xi as usize]
    }

    /// Bilinear sample at continuous pixel coordinates (pixel centres at +0.5); 0 outside.
    pub(crate) fn bilinear(&self, x: f32, y: f32) -> f32 {
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as isize, y0 as isize);
        let get = |xi: isize, yi: isize| -> f32 {
            if xi < 0 || yi < 0 || xi >= self.w as isize || yi >= self.h as isize {
                0.0
            } else {
                self.v[yi as usize * self.w + xi as usize]
            }
        };
        let a = get(x0, y0) * (1.0 - tx) + get(x0 + 1, y0) * tx;
        let b = get(x0, y0 + 1) * (1.0 - tx) + get(x0 + 1, y0 + 1) * tx;
        a * (1.0 - ty) + b * ty
    }

    pub(crate) fn threshold(&self, t: f32) -> Field {
        Field {
            w: self.w,
            h: self.h,
            v: self.v.iter().map(|&x| if x >= t { 1.0 } else { 0.0 }).collect(),
        }
    }

    /// Binary dilation with a (2r+1)-square... approximated by a disc of radius `r` pixels.
    pub(crate) fn dilate(&self, r: usize) -> Field {
        if r == 0 {
            return self.clone();
        }
        let mut out = Field::new(self.w, self.h);
        let ri = r as isize;
        let r2 = (r * r + r) as isize;
        for y in 0..self.h as isize {
            for x in 0..self.w as isize {
                if self.v[y as usize * self.w + x as usize] < 0.5 {
                    continue;
                }
                for dy in -ri..=ri {
                    for dx in -ri..=ri {
                        if dx * dx + dy * dy > r2 {
                            continue;
                        }
                        let (nx, ny) = (x + dx, y + dy);
                        if nx >= 0 && ny >= 0 && nx < self.w as isize && ny < self.h as isize {
                            out.v[ny as usize * self.w + nx as usize] = 1.0;
                        }
                    }
                }
            }
        }
        out
    }

    pub(crate) fn to_mask(&self) -> GrayImage {
        let mut img = GrayImage::new(self.w as u32, self.h as u32);
        for (o, &v) in img.pixels_mut().zip(&self.v) {
            *o = Luma([if v >= 0.5 { 255 } else { 0 }]);
        }
        img
    }
}

// ---------------------------------------------------------------- blur

fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let r = (sigma * 3.0).ceil().max(1.0) as usize;
    let mut k: Vec<f32> = (0..=2 * r)
        .map(|i| {
            let d = i as f32 - r as f32;
            (-(d * d) / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let s: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= s);
    k
}

/// Separable Gaussian blur of an interleaved buffer with `C` channels, clamped edges.
fn blur_buf<const C: usize>(buf: &mut [[f32; C]], w: usize, h: usize, sigma: f32) {
    if sigma < 0.05 {
        return;
    }
    let k = gaussian_kernel(sigma);
    let r = (k.len() / 2) as isize;
    let mut tmp = vec![[0.0f32; C]; w * h];
    for y in 0..h {
        let row = &buf[y * w..(y + 1) * w];
        for x in 0..w {
            let mut acc = [0.0f32; C];
            for (i, kv) in k.iter().enumerate() {
                let sx = (x as isize + i as isize - r).clamp(0, w as isize - 1) as usize;
                for c in 0..C {
                    acc[c] += row[sx][c] * kv;
                }
            }
            tmp[y * w + x] = acc;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0.0f32; C];
            for (i, kv) in k.iter().enumerate() {
                let sy = (y as isize + i as isize - r).clamp(0, h as isize - 1) as usize;
                for c in 0..C {
                    acc[c] += tmp[sy * w + x][c] * kv;
                }
            }
            buf[y * w + x] = acc;
        }
    }
}

pub(crate) fn blur_canvas(c: &mut Canvas, sigma: f32) {
    let (w, h) = (c.w, c.h);
    blur_buf::<3>(&mut c.px, w, h, sigma);
}

pub(crate) fn blur_field(f: &mut Field, sigma: f32) {
    let mut buf: Vec<[f32; 1]> = f.v.iter().map(|&v| [v]).collect();
    blur_buf::<1>(&mut buf, f.w, f.h, sigma);
    for (o, v) in f.v.iter_mut().zip(buf) {
        *o = v[0];
    }
}

// ---------------------------------------------------------------- noise

fn hash2(ix: i32, iy: i32, seed: u32) -> u32 {
    let mut h = (ix as u32).wrapping_mul(0x8DA6_B343)
        ^ (iy as u32).wrapping_mul(0xD816_3841)
        ^ seed.wrapping_mul(0xCB1A_B31F);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    h = h.wrapping_mul(0x297A_2D39);
    h ^= h >> 15;
    h
}

/// Uniform lattice hash in [-1, 1].
pub(crate) fn hash_unit(ix: i32, iy: i32, seed: u32) -> f32 {
    (hash2(ix, iy, seed) >> 8) as f32 * (2.0 / (1u32 << 24) as f32) - 1.0
}

/// Smooth value noise in [-1, 1].
pub(crate) fn value_noise(x: f32, y: f32, seed: u32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (tx, ty) = (x - x0, y - y0);
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let (ix, iy) = (x0 as i32, y0 as i32);
    let a = hash_unit(ix, iy, seed);
    let b = hash_unit(ix + 1, iy, seed);
    let c = hash_unit(ix, iy + 1, seed);
    let d = hash_unit(ix + 1, iy + 1, seed);
    let top = a + (b - a) * sx;
    let bot = c + (d - c) * sx;
    top + (bot - top) * sy
}

/// Fractal value noise, roughly in [-1, 1].
pub(crate) fn fbm(x: f32, y: f32, seed: u32, octaves: u32) -> f32 {
    let (mut sum, mut amp, mut freq, mut norm) = (0.0, 1.0, 1.0, 0.0);
    for o in 0..octaves {
        sum += amp
            * value_noise(
                x * freq + o as f32 * 17.3,
                y * freq - o as f32 * 9.1,
                seed.wrapping_add(o * 101),
            );
        norm += amp;
        amp *= 0.5;
        freq *= 2.03;
    }
    sum / norm
}

// ---------------------------------------------------------------- geometry

pub(crate) type P = [f32; 2];

pub(crate) fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

pub(crate) fn lerp3(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// Distance from `p` to segment `ab`, and the projection parameter in 0..=1.
pub(crate) fn seg_dist(p: P, a: P, b: P) -> (f32, f32) {
    let (abx, aby) = (b[0] - a[0], b[1] - a[1]);
    let (apx, apy) = (p[0] - a[0], p[1] - a[1]);
    let l2 = abx * abx + aby * aby;
    let t = if l2 > 1e-9 {
        ((apx * abx + apy * aby) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (dx, dy) = (apx - abx * t, apy - aby * t);
    ((dx * dx + dy * dy).sqrt(), t)
}

/// Rasterises an anti-aliased polyline with per-vertex width and strength
/// into `f` (max-combined). Widths are in pixels.
pub(crate) fn stroke(f: &mut Field, pts: &[P], width: &[f32], strength: &[f32]) {
    for i in 0..pts.len().saturating_sub(1) {
        let (a, b) = (pts[i], pts[i + 1]);
        let wmax = width[i].max(width[i + 1]);
        let pad = wmax * 0.5 + 1.5;
        let x0 = (a[0].min(b[0]) - pad).floor().max(0.0) as usize;
        let y0 = (a[1].min(b[1]) - pad).floor().max(0.0) as usize;
        let x1 = ((a[0].max(b[0]) + pad).ceil().max(0.0) as usize).min(f.w);
        let y1 = ((a[1].max(b[1]) + pad).ceil().max(0.0) as usize).min(f.h);
        for y in y0..y1 {
            for x in x0..x1 {
                let p = [x as f32 + 0.5, y as f32 + 0.5];
                let (d, t) = seg_dist(p, a, b);
                let w = width[i] + (width[i + 1] - width[i]) * t;
                let s = strength[i] + (strength[i + 1] - strength[i]) * t;
                let cov = (w.max(1.0) * 0.5 + 0.5 - d).clamp(0.0, 1.0) * w.min(1.0) * s;
                let o = &mut f.v[y * f.w + x];
                if cov > *o {
                    *o = cov;
                }
            }
        }
    }
}

/// Samples a cubic Bézier into `n` points.
pub(crate) fn bezier(p0: P, p1: P, p2: P, p3: P, n: usize) -> Vec<P> {
    (0..n)
        .map(|i| {
            let t = i as f32 / (n - 1) as f32;
            let u = 1.0 - t;
            let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            [
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            ]
        })
        .collect()
}

// ---------------------------------------------------------------- camera

/// Simulated camera: lighting gradient and vignetting, optics blur, sensor noise.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Camera {
    pub gradient: f32,
    pub vignette: f32,
    pub blur: f32,
    pub noise: f32,
}

impl Camera {
    /// Applies the camera to `c`. All random draws are independent of the image
    /// content, so a good and a defective render of one seed share them exactly.
    pub(crate) fn apply(&self, c: &mut Canvas, rng: &mut Rng) {
        let (w, h) = (c.w, c.h);
        let s = w.max(h) as f32;
        let ang = rng.range(0.0, std::f32::consts::TAU);
        let (gx, gy) = (
            ang.cos() * self.gradient * rng.range(0.6, 1.0),
            ang.sin() * self.gradient * rng.range(0.6, 1.0),
        );
        let vig = self.vignette * rng.range(0.7, 1.0);
        let (vx, vy) = (w as f32 * (0.5 + rng.sym(0.08)), h as f32 * (0.5 + rng.sym(0.08)));
        let exposure = 1.0 + rng.sym(0.03);
        let wb = [1.0 + rng.sym(0.012), 1.0, 1.0 + rng.sym(0.012)];
        for y in 0..h {
            for x in 0..w {
                let (nx, ny) = ((x as f32 + 0.5 - vx) / s, (y as f32 + 0.5 - vy) / s);
                let g = exposure
                    * (1.0 + gx * nx * 2.0 + gy * ny * 2.0)
                    * (1.0 - vig * (nx * nx + ny * ny) * 2.0);
                let p = &mut c.px[y * w + x];
                for ch in 0..3 {
                    p[ch] *= g * wb[ch];
                }
            }
        }
        blur_canvas(c, self.blur * rng.range(0.85, 1.15));
        let sigma = self.noise * rng.range(0.8, 1.2);
        for p in c.px.iter_mut() {
            // Mostly luminance noise with a little chroma, plus a shot-noise term.
            let l = rng.normal();
            for v in p.iter_mut() {
                let n = l * 0.8 + rng.normal() * 0.45;
                *v += n * sigma * (0.6 + 0.6 * v.clamp(0.0, 1.0).sqrt());
            }
        }
    }
}
