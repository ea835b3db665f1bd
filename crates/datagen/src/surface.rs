//! Surface defects of the rendered parts (washer, bolt, label): scratches,
//! cracks, stains and holes/cuts; the textures have their own, sized by
//! their grain (`texture_defects.rs`). Each one paints into a clean (pre-camera) canvas and returns
//! the coverage of the defect as a binary field (the ground-truth mask).

use std::f32::consts::{PI, TAU};

use crate::raster::{Canvas, Field, P, bezier, fbm, lerp3, smoothstep, stroke};
use crate::rng::Rng;

/// What the surface is made of; picks colours and contrasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Material {
    Metal,
    Paper,
}

/// Where a defect may go and how big the picture is.
pub(crate) struct Surface<'a> {
    /// Coverage of the object surface (1 = on the part); defects stay on it.
    pub part: &'a Field,
    pub material: Material,
    /// Image side in pixels.
    pub size: f32,
}

impl Surface<'_> {
    fn scale(&self) -> f32 {
        self.size / 256.0
    }

    fn on_part(&self, p: P) -> bool {
        self.part.at(p[0], p[1]) >= 0.98
    }

    /// A random point well on the part, at least `margin` pixels from the image border.
    fn pick_point(&self, rng: &mut Rng, margin: f32) -> P {
        let s = self.size;
        let mut best = [s * 0.5, s * 0.5];
        for _ in 0..4000 {
            let p = [rng.range(margin, s - margin), rng.range(margin, s - margin)];
            if self.on_part(p) {
                return p;
            }
            best = p;
        }
        best
    }

    fn inside_image(&self, p: P, margin: f32) -> bool {
        p[0] >= margin && p[1] >= margin && p[0] < self.size - margin && p[1] < self.size - margin
    }
}

fn sev_idx(sev: u8) -> usize {
    (sev.clamp(1, 3) - 1) as usize
}

/// Multiplies `f` by the part coverage (the defect only exists on the object).
fn clip_to_part(f: &mut Field, part: &Field) {
    for (v, p) in f.v.iter_mut().zip(&part.v) {
        *v *= p.clamp(0.0, 1.0);
    }
}

fn mask_from(cov: &Field, part: &Field, thr: f32, dilate: usize) -> Field {
    let mut m = cov.threshold(thr).dilate(dilate);
    for (v, p) in m.v.iter_mut().zip(&part.v) {
        if *p < 0.3 {
            *v = 0.0;
        }
    }
    m
}

// ---------------------------------------------------------------- scratch

/// Thin bright or dark curved line(s), tapering at the ends.
pub(crate) fn scratch(c: &mut Canvas, surf: &Surface, sev: u8, rng: &mut Rng) -> Field {
    let i = sev_idx(sev);
    let sc = surf.scale();
    let base_len = [0.11, 0.18, 0.27][i] * surf.size;
    let width = [1.1, 1.6, 2.4][i] * sc.max(1.0) * rng.range(0.85, 1.15);
    let mut pts: Vec<P> = Vec::new();
    for attempt in 0..80 {
        let len = base_len * rng.range(0.8, 1.2) * if attempt > 40 { 0.6 } else { 1.0 };
        let p0 = surf.pick_point(rng, 4.0);
        let th = rng.range(0.0, TAU);
        let (dx, dy) = (th.cos() * len, th.sin() * len);
        let (px, py) = (-dy, dx);
        let (b1, b2) = (rng.sym(0.16), rng.sym(0.16));
        let p3 = [p0[0] + dx, p0[1] + dy];
        let p1 = [p0[0] + dx / 3.0 + px * b1, p0[1] + dy / 3.0 + py * b1];
        let p2 = [p0[0] + dx * 2.0 / 3.0 + px * b2, p0[1] + dy * 2.0 / 3.0 + py * b2];
        let cand = bezier(p0, p1, p2, p3, ((len / 2.0) as usize).max(8));
        let ok = cand
            .iter()
            .filter(|p| surf.on_part(**p) && surf.inside_image(**p, 2.0))
            .count();
        if ok as f32 >= cand.len() as f32 * 0.97 || attempt == 79 {
            pts = cand;
            break;
        }
    }
    let n = pts.len();
    let taper: Vec<f32> = (0..n)
        .map(|k| (PI * k as f32 / (n - 1) as f32).sin().powf(0.5))
        .collect();
    let widths: Vec<f32> = taper.iter().map(|t| width * (0.35 + 0.65 * t)).collect();
    // Scratches fade in and out and are uneven along their length.
    let nseed = rng.next_u64() as u32;
    let strength: Vec<f32> = taper
        .iter()
        .enumerate()
        .map(|(k, t)| (0.3 + 0.7 * t) * (0.8 + 0.2 * fbm(k as f32 * 0.15, 0.0, nseed, 2)))
        .collect();
    let mut cov = Field::new(c.w, c.h);
    stroke(&mut cov, &pts, &widths, &strength);
    if i == 2 {
        // Heavy scratch: a few faint parallel abrasion lines beside the main one.
        for _ in 0..rng.below(3) + 1 {
            let off = rng.range(2.0, 4.5) * sc.max(1.0) * if rng.chance(0.5) { 1.0 } else { -1.0 };
            let side: Vec<P> = pts
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let q = pts[(k + 1).min(n - 1)];
                    let r = pts[k.saturating_sub(1)];
                    let (tx, ty) = (q[0] - r[0], q[1] - r[1]);
                    let l = (tx * tx + ty * ty).sqrt().max(1e-3);
                    [p[0] - ty / l * off, p[1] + tx / l * off]
                })
                .collect();
            let w2: Vec<f32> = widths.iter().map(|w| w * 0.45).collect();
            let s2: Vec<f32> = strength.iter().map(|s| s * 0.55).collect();
            stroke(&mut cov, &side, &w2, &s2);
        }
    }
    clip_to_part(&mut cov, surf.part);
    // Mean brightness under the scratch decides how much room there is for a bright one.
    let (mut lum, mut wsum) = (0.0, 0.0);
    for (p, &a) in c.px.iter().zip(&cov.v) {
        lum += a * (p[0] + p[1] + p[2]) / 3.0;
        wsum += a;
    }
    let lum = if wsum > 0.0 { lum / wsum } else { 0.5 };
    // Peak contrast (absolute, 0..1) before the camera's blur and noise.
    let delta = match surf.material {
        Material::Paper => [0.10, 0.16, 0.26][i],
        _ => [0.11, 0.17, 0.27][i],
    } * rng.range(0.85, 1.15);
    let bright = match surf.material {
        Material::Paper => false,
        _ => lum + delta < 0.95 && rng.chance(0.6),
    };
    for (p, &a) in c.px.iter_mut().zip(&cov.v) {
        if a <= 0.0 {
            continue;
        }
        if bright {
            *p = lerp3(*p, [1.0, 1.0, 0.99], (delta * a / (1.0 - lum).max(0.05)).min(1.0));
        } else {
            let g = 1.0 - (delta * a / lum.max(0.05)).min(0.95);
            *p = [p[0] * g, p[1] * g, p[2] * g];
        }
    }
    mask_from(&cov, surf.part, 0.25, 1)
}

// ---------------------------------------------------------------- crack

struct CrackWalk<'a, 'b> {
    surf: &'a Surface<'b>,
    rng: &'a mut Rng,
    step: f32,
    branches: Vec<(Vec<P>, Vec<f32>)>,
}

impl CrackWalk<'_, '_> {
    fn walk(&mut self, start: P, th0: f32, len: f32, w0: f32, depth: u32) {
        let mut pts = vec![start];
        let mut th = th0;
        let mut p = start;
        let steps = (len / self.step).max(2.0) as usize;
        let mut spawn = Vec::new();
        for k in 0..steps {
            th += self.rng.normal() * 0.32;
            th = th * 0.82 + th0 * 0.18;
            let q = [p[0] + th.cos() * self.step, p[1] + th.sin() * self.step];
            if self.surf.part.at(q[0], q[1]) < 0.7 || !self.surf.inside_image(q, 2.0) {
                break;
            }
            p = q;
            pts.push(p);
            if depth < 2 && k > 2 && self.rng.chance(if depth == 0 { 0.07 } else { 0.04 }) {
                let sign = if self.rng.chance(0.5) { 1.0 } else { -1.0 };
                let rem = (steps - k) as f32 * self.step;
                spawn.push((
                    p,
                    th + sign * self.rng.range(0.45, 1.1),
                    rem * self.rng.range(0.3, 0.65),
                    k,
                ));
            }
        }
        let n = pts.len();
        let widths: Vec<f32> = (0..n)
            .map(|k| {
                let t = k as f32 / (n.max(2) - 1) as f32;
                (w0 * (1.0 - 0.6 * t) * self.rng.range(0.8, 1.2)).max(0.45)
            })
            .collect();
        let wk: Vec<(usize, f32)> = spawn.iter().map(|s| (s.3, widths[s.3.min(n - 1)])).collect();
        self.branches.push((pts, widths));
        for ((p, th, l, _), (_, w)) in spawn.into_iter().zip(wk) {
            self.walk(p, th, l, w * 0.65, depth + 1);
        }
    }
}

/// Branching dark polyline. `starts` optionally lists preferred origins
/// (with a direction), e.g. edges of a part where cracks nucleate.
pub(crate) fn crack(c: &mut Canvas, surf: &Surface, sev: u8, rng: &mut Rng, starts: &[(P, f32)]) -> Field {
    let i = sev_idx(sev);
    let sc = surf.scale().max(1.0);
    let len = [0.08, 0.12, 0.18][i] * surf.size * rng.range(0.85, 1.15);
    let w0 = [1.1, 1.6, 2.3][i] * sc;
    let mut best: Vec<(Vec<P>, Vec<f32>)> = Vec::new();
    let mut best_len = 0usize;
    for _ in 0..40 {
        let (p0, th0) = if !starts.is_empty() {
            let (p, th) = starts[rng.below(starts.len())];
            (p, th + rng.sym(0.35))
        } else {
            (surf.pick_point(rng, 6.0), rng.range(0.0, TAU))
        };
        let mut cw = CrackWalk {
            surf,
            rng,
            step: 1.5 * sc,
            branches: Vec::new(),
        };
        cw.walk(p0, th0, len, w0, 0);
        let total: usize = cw.branches.iter().map(|b| b.0.len()).sum();
        if total > best_len {
            best_len = total;
            best = cw.branches;
        }
        if best_len as f32 * 1.5 * sc >= len * 0.7 {
            break;
        }
    }
    let mut cov = Field::new(c.w, c.h);
    for (pts, widths) in &best {
        let strength = vec![1.0; pts.len()];
        stroke(&mut cov, pts, widths, &strength);
    }
    clip_to_part(&mut cov, surf.part);
    let kd = [0.5, 0.65, 0.8][i] * rng.range(0.9, 1.1);
    for (p, &a) in c.px.iter_mut().zip(&cov.v) {
        if a > 0.0 {
            let g = 1.0 - (kd * a).min(1.0);
            *p = [p[0] * g, p[1] * g * 0.99, p[2] * g * 0.98];
        }
    }
    mask_from(&cov, surf.part, 0.2, 1)
}

// ---------------------------------------------------------------- stain

/// Irregular elliptical blob alpha (1 inside) and its boundary-ring weight.
pub(crate) struct Blob {
    c: P,
    r: f32,
    aspect: f32,
    cos: f32,
    sin: f32,
    irregular: f32,
    seed: u32,
    /// Width of the soft edge, in units of the normalised radius.
    pub soft: f32,
}

impl Blob {
    pub(crate) fn random(rng: &mut Rng, c: P, r: f32, irregular: f32, soft: f32) -> Blob {
        let th = rng.range(0.0, PI);
        Blob {
            c,
            r,
            aspect: rng.range(1.0, 1.7),
            cos: th.cos(),
            sin: th.sin(),
            irregular,
            seed: rng.next_u64() as u32,
            soft,
        }
    }

    /// Normalised radius q (1 at the nominal edge) and the local edge position.
    pub(crate) fn q_edge(&self, p: P) -> (f32, f32) {
        let (dx, dy) = (p[0] - self.c[0], p[1] - self.c[1]);
        let u = (dx * self.cos + dy * self.sin) / (self.r * self.aspect.sqrt());
        let v = (-dx * self.sin + dy * self.cos) * self.aspect.sqrt() / self.r;
        let q = (u * u + v * v).sqrt();
        let e = 1.0 + self.irregular * fbm(p[0] / (self.r * 0.55), p[1] / (self.r * 0.55), self.seed, 3);
        (q, e)
    }

    pub(crate) fn bbox(&self, w: usize, h: usize) -> (usize, usize, usize, usize) {
        let r = self.r * self.aspect.sqrt() * (1.0 + self.irregular) + 2.0;
        let x0 = (self.c[0] - r).floor().max(0.0) as usize;
        let y0 = (self.c[1] - r).floor().max(0.0) as usize;
        let x1 = ((self.c[0] + r).ceil().max(0.0) as usize).min(w);
        let y1 = ((self.c[1] + r).ceil().max(0.0) as usize).min(h);
        (x0, y0, x1, y1)
    }

    /// Fraction of the blob's nominal area that lies on the part.
    fn on_part_fraction(&self, part: &Field) -> f32 {
        let (x0, y0, x1, y1) = self.bbox(part.w, part.h);
        let (mut tot, mut on) = (0usize, 0usize);
        for y in (y0..y1).step_by(2) {
            for x in (x0..x1).step_by(2) {
                let p = [x as f32 + 0.5, y as f32 + 0.5];
                if self.q_edge(p).0 < 1.0 {
                    tot += 1;
                    if part.v[y * part.w + x] >= 0.9 {
                        on += 1;
                    }
                }
            }
        }
        if tot == 0 { 0.0 } else { on as f32 / tot as f32 }
    }
}

fn place_blob(surf: &Surface, rng: &mut Rng, r: f32, irregular: f32, soft: f32) -> Blob {
    let p = surf.pick_point(rng, r);
    let mut blob = Blob::random(rng, p, r, irregular, soft);
    for _ in 0..60 {
        if blob.on_part_fraction(surf.part) >= 0.92 {
            break;
        }
        let p = surf.pick_point(rng, r);
        blob = Blob::random(rng, p, r, irregular, soft);
    }
    blob
}

/// A translucent blob of a different colour (rust, oil, coffee, residue).
pub(crate) fn stain(c: &mut Canvas, surf: &Surface, sev: u8, rng: &mut Rng) -> Field {
    let i = sev_idx(sev);
    let r = [0.025, 0.037, 0.054][i] * surf.size * rng.range(0.8, 1.2);
    let blob = place_blob(surf, rng, r, 0.32, 0.3);
    // (tint, ring strength): multiplicative tints keep the texture below visible.
    let (tint, ring): ([f32; 3], f32) = match surf.material {
        Material::Metal => match rng.below(3) {
            0 => ([0.78, 0.48, 0.26], 0.2),  // rust
            1 => ([0.55, 0.55, 0.52], 0.35), // oil
            _ => ([1.25, 1.22, 1.15], 0.6),  // dried coolant residue (brighter, ringed)
        },
        Material::Paper => match rng.below(2) {
            0 => ([0.80, 0.60, 0.38], 0.8), // coffee
            _ => ([0.74, 0.74, 0.70], 0.2), // grease
        },
    };
    // Strength so that the most affected channel changes by a set fraction.
    let spread = tint
        .iter()
        .map(|t| (t - 1.0).abs())
        .fold(0.0f32, f32::max)
        .max(0.05);
    let k = [0.13, 0.2, 0.32][i] * rng.range(0.9, 1.1) / spread;
    let mseed = rng.next_u64() as u32;
    let mut cov = Field::new(c.w, c.h);
    let (x0, y0, x1, y1) = blob.bbox(c.w, c.h);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = [x as f32 + 0.5, y as f32 + 0.5];
            let (q, e) = blob.q_edge(p);
            let a = smoothstep(e, e - blob.soft, q);
            if a <= 0.0 {
                continue;
            }
            let mottle = 0.7 + 0.3 * fbm(p[0] / (r * 0.35), p[1] / (r * 0.35), mseed, 2);
            let rim = (-((e - q) / 0.1).powi(2)).exp() * ring;
            let part = surf.part.v[y * c.w + x].clamp(0.0, 1.0);
            let t = (a * mottle * (1.0 - ring * 0.4) + rim).min(1.2) * k * part;
            let px = &mut c.px[y * c.w + x];
            for ch in 0..3 {
                px[ch] *= 1.0 + (tint[ch] - 1.0) * t;
            }
            cov.v[y * c.w + x] = a * part;
        }
    }
    mask_from(&cov, surf.part, 0.4, 0)
}
