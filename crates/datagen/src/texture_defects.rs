//! Defects for the texture categories (`brick`, `gravel`, `grass`), sized by
//! the texture's grain like the texture classes of MVTec AD: severity 1 is
//! about one to two grains (stones, bricks, leaves) across and a careful
//! inspector just sees it; severity 3 is obvious.
//!
//! Each defect paints into the clean (pre-camera) crop and returns its
//! ground-truth mask. The kind, shape and position of a defect come from the
//! image seed and the defect type only; the severity scales its size and
//! contrast, so severities 1..3 of one seed show the same defect growing.

use std::f32::consts::{PI, TAU};

use crate::raster::{Canvas, Field, P, bezier, blur_canvas, fbm, lerp3, smoothstep, stroke};
use crate::rng::Rng;
use crate::surface::Blob;
use crate::{Category, Defect};

/// Stream tag of the texture defects (mixed with the defect type).
const TAG_TEXTURE_DEFECT: u64 = 0x7E7;

/// Grain of a texture photo in photo pixels: a stone of gravel, the short
/// side of a brick, a clover leaf or a tuft of grass blades.
pub(crate) fn grain_px(category: Category) -> f32 {
    match category {
        Category::Brick => 14.0,
        Category::Gravel => 16.0,
        Category::Grass => 12.0,
        _ => unreachable!("not a texture category"),
    }
}

/// Where a texture defect goes and how big things are.
pub(crate) struct Tex {
    pub category: Category,
    /// Image side in pixels.
    pub size: f32,
    /// Grain of the texture in image pixels.
    pub grain: f32,
    /// Source (photo) pixels per image pixel.
    pub step: f32,
}

fn sev_idx(sev: u8) -> usize {
    (sev.clamp(1, 3) - 1) as usize
}

/// The defect's random stream: one per image seed, category and defect type, the same for every severity.
pub(crate) fn stream(seed: u64, category: Category, defect: Defect) -> Rng {
    let tag = TAG_TEXTURE_DEFECT ^ (category as u64) << 8;
    Rng::stream(crate::rng::mix(seed, defect.tag()), tag)
}

/// Paints `defect` at `sev` into `c` and returns its mask.
pub(crate) fn paint(c: &mut Canvas, t: &Tex, defect: Defect, sev: u8, rng: &mut Rng) -> Field {
    let mask = match defect {
        Defect::Scratch => scratch(c, t, sev, rng),
        Defect::Crack => crack(c, t, sev, rng),
        Defect::Stain => stain(c, t, sev, rng),
        Defect::Hole => hole(c, t, sev, rng),
        Defect::Contamination => contamination(c, t, sev, rng),
        Defect::Missing | Defect::Print => unreachable!("not a texture defect"),
    };
    for v in c.px.iter_mut().flat_map(|p| p.iter_mut()) {
        *v = v.clamp(0.0, 1.0);
    }
    mask
}

/// A blob centre whose blob of radius `r` (and some irregularity) stays inside the image.
fn centre(rng: &mut Rng, t: &Tex, r: f32) -> P {
    let m = (r * 1.5 + 3.0).min(t.size * 0.5 - 1.0);
    [rng.range(m, t.size - m), rng.range(m, t.size - m)]
}

/// Blob alpha (1 inside, soft edge) into a field; returns it.
fn blob_alpha(blob: &Blob, w: usize, h: usize) -> Field {
    let mut a = Field::new(w, h);
    let (x0, y0, x1, y1) = blob.bbox(w, h);
    for y in y0..y1 {
        for x in x0..x1 {
            let (q, e) = blob.q_edge([x as f32 + 0.5, y as f32 + 0.5]);
            a.v[y * w + x] = smoothstep(e, e - blob.soft, q);
        }
    }
    a
}

fn lum(p: [f32; 3]) -> f32 {
    (p[0] + p[1] + p[2]) / 3.0
}

/// A smooth open curve of length `len` through the image, kept `margin` pixels inside.
fn curve(rng: &mut Rng, t: &Tex, len: f32, bend: f32, margin: f32) -> Vec<P> {
    let s = t.size;
    let len = len.min(s - 2.0 * margin - 2.0);
    let th = rng.range(0.0, TAU);
    let (dx, dy) = (th.cos() * len, th.sin() * len);
    let (b1, b2) = (rng.sym(bend), rng.sym(bend));
    // Centre such that the chord fits; the bend may push points out, so clamp them.
    let (hx, hy) = (dx.abs() * 0.5 + margin, dy.abs() * 0.5 + margin);
    let c = [
        rng.range(hx.min(s * 0.5), (s - hx).max(s * 0.5)),
        rng.range(hy.min(s * 0.5), (s - hy).max(s * 0.5)),
    ];
    let p0 = [c[0] - dx * 0.5, c[1] - dy * 0.5];
    let p3 = [c[0] + dx * 0.5, c[1] + dy * 0.5];
    let (px, py) = (-dy, dx);
    let p1 = [p0[0] + dx / 3.0 + px * b1, p0[1] + dy / 3.0 + py * b1];
    let p2 = [p0[0] + dx * 2.0 / 3.0 + px * b2, p0[1] + dy * 2.0 / 3.0 + py * b2];
    bezier(p0, p1, p2, p3, ((len / 1.5) as usize).max(8))
        .into_iter()
        .map(|p| [p[0].clamp(margin, s - margin), p[1].clamp(margin, s - margin)])
        .collect()
}

fn taper(n: usize, k: usize, power: f32) -> f32 {
    (PI * k as f32 / (n.max(2) - 1) as f32).sin().max(0.0).powf(power)
}

// ---------------------------------------------------------------- scratch

/// Offsets a polyline sideways by `off` pixels (positive: to the left of travel).
fn offset(pts: &[P], off: f32) -> Vec<P> {
    let n = pts.len();
    (0..n)
        .map(|k| {
            let (q, r) = (pts[(k + 1).min(n - 1)], pts[k.saturating_sub(1)]);
            let (tx, ty) = (q[0] - r[0], q[1] - r[1]);
            let l = (tx * tx + ty * ty).sqrt().max(1e-3);
            [pts[k][0] - ty / l * off, pts[k][1] + tx / l * off]
        })
        .collect()
}

/// A scraped groove across the grains: a light line of exposed, abraded
/// material with a dark shadowed wall beside it, a few pixels wide.
fn scratch(c: &mut Canvas, t: &Tex, sev: u8, rng: &mut Rng) -> Field {
    let i = sev_idx(sev);
    let g = t.grain;
    let len = g * rng.range(4.5, 6.5) * [1.0, 1.35, 1.8][i];
    let width = (g * [0.2, 0.27, 0.36][i] * rng.range(0.9, 1.1)).max(2.0);
    let pts = curve(rng, t, len, 0.12, 4.0 + width);
    let n = pts.len();
    let nseed = rng.next_u64() as u32;
    let second = rng.range(1.6, 2.4) * if rng.chance(0.5) { 1.0 } else { -1.0 };
    let tone = rng.range(0.86, 0.96);
    let widths: Vec<f32> = (0..n).map(|k| width * (0.45 + 0.55 * taper(n, k, 0.4))).collect();
    let strength: Vec<f32> = (0..n)
        .map(|k| (0.6 + 0.4 * taper(n, k, 0.5)) * (0.85 + 0.15 * fbm(k as f32 * 0.12, 0.0, nseed, 2)))
        .collect();
    let mut lines = vec![pts];
    if i == 2 {
        // A heavy scrape drags a second groove beside the first.
        lines.push(offset(&lines[0], width * second));
    }
    // The wall away from the light (upper left) lies in shadow: offset towards the lower right.
    let (dx, dy) = (
        lines[0][n - 1][0] - lines[0][0][0],
        lines[0][n - 1][1] - lines[0][0][1],
    );
    let side = if -dy + dx > 0.0 { 1.0 } else { -1.0 };
    let (mut lit, mut shadow) = (Field::new(c.w, c.h), Field::new(c.w, c.h));
    for (j, line) in lines.iter().enumerate() {
        let f = if j == 0 { 1.0 } else { 0.7 };
        let w: Vec<f32> = widths.iter().map(|w| w * f).collect();
        let st: Vec<f32> = strength.iter().map(|s| s * f).collect();
        stroke(&mut lit, line, &w, &st);
        let ws: Vec<f32> = w.iter().map(|w| (w * 0.6).max(1.0)).collect();
        stroke(&mut shadow, &offset(line, side * width * 0.75), &ws, &st);
    }
    let k = [0.7, 0.82, 0.94][i];
    for ((p, &a), &d) in c.px.iter_mut().zip(&lit.v).zip(&shadow.v) {
        if d > 0.0 {
            let v = 0.05 + 0.15 * lum(*p);
            *p = lerp3(*p, [v, v, v * 0.98], k * d);
        }
        if a > 0.0 {
            // Exposed, finely abraded material: light and nearly flat.
            let v = tone * (0.92 + 0.08 * lum(*p));
            *p = lerp3(*p, [v, v * 0.99, v * 0.97], k * a);
        }
    }
    let mut cov = lit;
    for (a, d) in cov.v.iter_mut().zip(&shadow.v) {
        *a = a.max(*d);
    }
    cov.threshold(0.3).dilate(1)
}

// ---------------------------------------------------------------- crack

/// A jagged dark fissure cutting across grains, with branches at higher severity.
fn crack(c: &mut Canvas, t: &Tex, sev: u8, rng: &mut Rng) -> Field {
    let i = sev_idx(sev);
    let g = t.grain;
    let s = t.size;
    let len = (g * rng.range(3.5, 5.0) * [1.0, 1.4, 2.0][i]).min(s * 0.85);
    let w0 = (g * [0.2, 0.28, 0.38][i] * rng.range(0.9, 1.1)).max(2.2);
    let margin = 4.0;
    let step = (g * 0.3).max(2.0);
    let th0 = rng.range(0.0, TAU);
    let mut branches: Vec<(Vec<P>, f32)> = Vec::new();
    let mut todo = vec![([0.0, 0.0], th0, len, w0, 0u32)];
    let mut forks = 0;
    // Every severity draws the same numbers for the main fissure; severities
    // 2 and 3 add one or two branches.
    while let Some((p0, th_main, l, w, depth)) = todo.pop() {
        let mut pts = vec![p0];
        let mut th = th_main;
        let mut p = p0;
        let steps = (l / step).max(2.0) as usize;
        for k in 0..steps {
            th += rng.normal() * 0.45;
            th = th * 0.75 + th_main * 0.25;
            p = [p[0] + th.cos() * step, p[1] + th.sin() * step];
            pts.push(p);
            let fork = rng.chance(0.12);
            let side = if rng.chance(0.5) { 1.0 } else { -1.0 };
            let turn = rng.range(0.5, 1.1);
            let frac = rng.range(0.3, 0.6);
            if depth == 0 && fork && forks < i && k > 1 && k + 2 < steps {
                forks += 1;
                todo.push((p, th + side * turn, (steps - k) as f32 * step * frac, w * 0.6, 1));
            }
        }
        branches.push((pts, w));
    }
    // Move the whole crack to a random place where it fits in the image.
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in branches.iter().flat_map(|b| &b.0) {
        (x0, y0, x1, y1) = (x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1]));
    }
    let m = margin + w0;
    let place = |rng: &mut Rng, lo: f32, hi: f32| {
        let free = s - 2.0 * m - (hi - lo);
        m - lo
            + if free > 0.0 {
                rng.range(0.0, free)
            } else {
                free * 0.5
            }
    };
    let (ox, oy) = (place(rng, x0, x1), place(rng, y0, y1));
    for p in branches.iter_mut().flat_map(|b| b.0.iter_mut()) {
        *p = [
            (p[0] + ox).clamp(margin, s - margin),
            (p[1] + oy).clamp(margin, s - margin),
        ];
    }
    let mut cov = Field::new(c.w, c.h);
    let mut rim = Field::new(c.w, c.h);
    for (pts, w) in &branches {
        let n = pts.len();
        let nseed = rng.next_u64() as u32;
        let widths: Vec<f32> = (0..n)
            .map(|k| {
                let u = k as f32 / (n.max(2) - 1) as f32;
                // Widest at its origin, closing towards the tip; ragged.
                w * (1.0 - 0.55 * u) * (0.8 + 0.25 * fbm(k as f32 * 0.4, 3.0, nseed, 2))
            })
            .collect();
        stroke(&mut cov, pts, &widths, &vec![1.0; n]);
        // The broken edge on the far wall catches the light (from the upper left).
        let (dx, dy) = (pts[n - 1][0] - pts[0][0], pts[n - 1][1] - pts[0][1]);
        let side = if -dy + dx > 0.0 { 1.0 } else { -1.0 };
        let rw: Vec<f32> = widths.iter().map(|w| (w * 0.45).max(1.0)).collect();
        stroke(&mut rim, &offset(pts, side * w * 0.75), &rw, &vec![1.0; n]);
    }
    let kd = [0.78, 0.86, 0.93][i];
    for ((p, &a), &r) in c.px.iter_mut().zip(&cov.v).zip(&rim.v) {
        if r > a {
            let v = 0.7 + 0.25 * lum(*p);
            *p = lerp3(*p, [v, v, v * 0.98], 0.6 * kd * (r - a));
        }
        if a > 0.0 {
            let g = 1.0 - kd * a;
            *p = [p[0] * g, p[1] * g * 0.99, p[2] * g * 0.98];
        }
    }
    for (a, r) in cov.v.iter_mut().zip(&rim.v) {
        *a = a.max(*r);
    }
    cov.threshold(0.3).dilate(1)
}

// ---------------------------------------------------------------- stain

const PAINTS: [[f32; 3]; 5] = [
    [0.22, 0.36, 0.72], // blue
    [0.74, 0.20, 0.16], // red
    [0.88, 0.76, 0.18], // yellow
    [0.26, 0.56, 0.30], // green
    [0.93, 0.93, 0.90], // white
];

/// Rust, oil or paint: a blob that changes the colour of the texture.
fn stain(c: &mut Canvas, t: &Tex, sev: u8, rng: &mut Rng) -> Field {
    let i = sev_idx(sev);
    let kind = rng.below(3);
    let r = (t.grain * [0.8, 1.2, 1.85][i] * rng.range(0.85, 1.15)).min(t.size * 0.17);
    let at = centre(rng, t, t.grain * 1.85 * 1.15);
    let blob = Blob::random(rng, at, r, 0.35, 0.3);
    let alpha = blob_alpha(&blob, c.w, c.h);
    let mseed = rng.next_u64() as u32;
    let paint = PAINTS[rng.below(PAINTS.len())];
    // Oil also fills the gaps and dulls the grain: mix towards a blurred copy.
    let smooth = if kind == 1 {
        let mut b = c.clone();
        blur_canvas(&mut b, (t.grain * 0.2).max(1.0));
        Some(b)
    } else {
        None
    };
    let k = [0.55, 0.75, 0.92][i];
    for (j, p) in c.px.iter_mut().enumerate() {
        let a = alpha.v[j];
        if a <= 0.0 {
            continue;
        }
        let (x, y) = ((j % c.w) as f32, (j / c.w) as f32);
        let mottle = 0.8 + 0.2 * fbm(x / (r * 0.4), y / (r * 0.4), mseed, 2);
        let w = (a * mottle * k).min(1.0);
        let l = lum(*p);
        *p = match kind {
            // Rust: orange-brown, darker where it is thick.
            0 => lerp3(*p, [l * 0.95 + 0.08, l * 0.6 + 0.02, l * 0.32], w),
            // Oil: dark, dull, slightly brownish.
            1 => {
                let b = smooth.as_ref().map_or(*p, |s| s.px[j]);
                let m = lerp3(*p, b, 0.6);
                lerp3(*p, [m[0] * 0.42, m[1] * 0.4, m[2] * 0.36], w)
            }
            // Paint: an opaque colour that keeps some of the relief's shading.
            _ => {
                let shade = 0.6 + 0.8 * l;
                lerp3(*p, [paint[0] * shade, paint[1] * shade, paint[2] * shade], w)
            }
        };
    }
    alpha.threshold(0.4)
}

// ---------------------------------------------------------------- hole

/// Material missing: a hole or a cut through to a dark background, with a lit
/// inner wall on the side facing away from the light.
fn hole(c: &mut Canvas, t: &Tex, sev: u8, rng: &mut Rng) -> Field {
    let i = sev_idx(sev);
    let g = t.grain;
    let mut cov = Field::new(c.w, c.h);
    if rng.chance(0.5) {
        let r = (g * [0.6, 0.9, 1.4][i] * rng.range(0.85, 1.15)).min(t.size * 0.15);
        let at = centre(rng, t, g * 1.4 * 1.15);
        let blob = Blob::random(rng, at, r, 0.3, 0.08);
        let (x0, y0, x1, y1) = blob.bbox(c.w, c.h);
        for y in y0..y1 {
            for x in x0..x1 {
                let (q, e) = blob.q_edge([x as f32 + 0.5, y as f32 + 0.5]);
                cov.v[y * c.w + x] = ((e - q) * r + 0.5).clamp(0.0, 1.0);
            }
        }
    } else {
        let len = g * rng.range(2.6, 3.6) * [1.0, 1.45, 2.1][i];
        let w = (g * [0.3, 0.42, 0.58][i] * rng.range(0.9, 1.1)).max(3.0);
        let pts = curve(rng, t, len, 0.1, w + 3.0);
        let n = pts.len();
        let widths: Vec<f32> = (0..n)
            .map(|k| (w * (0.3 + 0.7 * taper(n, k, 0.35)) * rng.range(0.9, 1.1)).max(1.0))
            .collect();
        stroke(&mut cov, &pts, &widths, &vec![1.0; n]);
    }
    let lit = 1.5_f32.max(g * 0.12);
    let dark = rng.range(0.03, 0.08);
    let edge = cov.clone();
    for y in 0..c.h {
        for x in 0..c.w {
            let a = cov.v[y * c.w + x];
            if a <= 0.0 {
                continue;
            }
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            // The inner wall on the lower right faces the light (upper left).
            let wall = a * (1.0 - edge.bilinear(fx + lit, fy + lit));
            let v = dark + 0.3 * wall;
            let px = &mut c.px[y * c.w + x];
            *px = lerp3(*px, [v, v * 0.97, v * 0.93], a);
        }
    }
    cov.threshold(0.5).dilate(1)
}

// ---------------------------------------------------------------- contamination

/// Foreign matter on the surface, replacing the texture where it lies: a
/// drop of glue or resin, a metal chip, a thread, or a piece of another
/// material (a leaf, pebbles, a bit of brick).
fn contamination(c: &mut Canvas, t: &Tex, sev: u8, rng: &mut Rng) -> Field {
    let i = sev_idx(sev);
    let g = t.grain;
    match rng.below(4) {
        0 => {
            // Glue / resin: smooth, translucent, glossy, with a dark meniscus.
            let r = (g * [0.75, 1.15, 1.8][i] * rng.range(0.85, 1.15)).min(t.size * 0.17);
            let at = centre(rng, t, g * 1.8 * 1.15);
            let blob = Blob::random(rng, at, r, 0.2, 0.15);
            let alpha = blob_alpha(&blob, c.w, c.h);
            let tint = [
                [0.95, 0.80, 0.45], // amber resin
                [0.92, 0.92, 0.88], // white glue
                [0.55, 0.55, 0.58], // grey sealant
            ][rng.below(3)];
            let hl = [rng.range(-0.45, -0.15) * r, rng.range(-0.45, -0.15) * r];
            let mut smooth = c.clone();
            blur_canvas(&mut smooth, (g * 0.45).max(2.0));
            let k = [0.8, 0.9, 0.97][i];
            for (j, p) in c.px.iter_mut().enumerate() {
                let a = alpha.v[j];
                if a <= 0.0 {
                    continue;
                }
                let (x, y) = ((j % c.w) as f32 + 0.5, (j / c.w) as f32 + 0.5);
                let b = lum(smooth.px[j]);
                let base = 0.35 + 0.4 * b;
                let (hx, hy) = (x - at[0] - hl[0], y - at[1] - hl[1]);
                let spec = 0.45 * (-(hx * hx + hy * hy) / (0.3 * r).powi(2)).exp();
                let rim = (1.0 - 0.45 * (4.0 * a * (1.0 - a)).powi(2)).max(0.0);
                let v = [
                    (base * tint[0]) * rim + spec,
                    (base * tint[1]) * rim + spec,
                    (base * tint[2]) * rim + spec,
                ];
                *p = lerp3(*p, v, a * k);
            }
            alpha.threshold(0.4)
        }
        1 => {
            // A metal chip: flat, bright, shaded by its tilt, with a specular edge.
            let r = (g * [0.6, 0.9, 1.4][i] * rng.range(0.85, 1.15)).min(t.size * 0.15);
            let at = centre(rng, t, g * 1.4 * 1.15);
            let blob = Blob::random(rng, at, r, 0.18, 0.06);
            let alpha = blob_alpha(&blob, c.w, c.h);
            let tilt = rng.range(0.0, TAU);
            let (tx, ty) = (tilt.cos(), tilt.sin());
            let base = rng.range(0.62, 0.78);
            let k = [0.88, 0.95, 1.0][i];
            for (j, p) in c.px.iter_mut().enumerate() {
                let a = alpha.v[j];
                if a <= 0.0 {
                    continue;
                }
                let (x, y) = ((j % c.w) as f32 + 0.5, (j / c.w) as f32 + 0.5);
                let u = ((x - at[0]) * tx + (y - at[1]) * ty) / r;
                let v = (base + 0.22 * u).clamp(0.3, 1.0);
                let glint = if (0.35..0.65).contains(&a) { 0.15 } else { 0.0 };
                *p = lerp3(*p, [v * 0.95 + glint, v * 0.97 + glint, v + glint], a * k);
            }
            alpha.threshold(0.4).dilate(1)
        }
        2 => {
            // A thread or fibre: long, wavy, opaque, of a colour the texture does not have.
            let len = g * rng.range(5.0, 7.0) * [1.0, 1.35, 1.8][i];
            let width = (g * [0.16, 0.22, 0.3][i] * rng.range(0.9, 1.1)).max(2.0);
            let base = curve(rng, t, len, 0.25, 4.0 + width);
            let (wseed, wamp) = (rng.next_u64() as u32, rng.range(0.3, 0.6) * g);
            let n = base.len();
            let pts: Vec<P> = (0..n)
                .map(|k| {
                    let (q, r) = (base[(k + 1).min(n - 1)], base[k.saturating_sub(1)]);
                    let (tx, ty) = (q[0] - r[0], q[1] - r[1]);
                    let l = (tx * tx + ty * ty).sqrt().max(1e-3);
                    let o = wamp * fbm(k as f32 * 0.08, 1.0, wseed, 2);
                    let p = [base[k][0] - ty / l * o, base[k][1] + tx / l * o];
                    [p[0].clamp(3.0, t.size - 3.0), p[1].clamp(3.0, t.size - 3.0)]
                })
                .collect();
            let colour = [
                [0.80, 0.12, 0.10], // red
                [0.12, 0.22, 0.70], // blue
                [0.95, 0.95, 0.93], // white
                [0.06, 0.06, 0.07], // black
            ][rng.below(4)];
            let mut cov = Field::new(c.w, c.h);
            stroke(&mut cov, &pts, &vec![width; n], &vec![1.0; n]);
            let k = [0.85, 0.93, 1.0][i];
            for (p, &a) in c.px.iter_mut().zip(&cov.v) {
                if a > 0.0 {
                    *p = lerp3(*p, colour, a * k);
                }
            }
            cov.threshold(0.3).dilate(1)
        }
        _ => {
            // A piece of another material: a patch of one of the other texture photos.
            let r = (g * [0.8, 1.2, 1.85][i] * rng.range(0.85, 1.15)).min(t.size * 0.17);
            let at = centre(rng, t, g * 1.85 * 1.15);
            let blob = Blob::random(rng, at, r, 0.35, 0.12);
            let alpha = blob_alpha(&blob, c.w, c.h);
            let others: Vec<Category> = [Category::Brick, Category::Gravel, Category::Grass]
                .into_iter()
                .filter(|&o| o != t.category)
                .collect();
            let other = others[rng.below(others.len())];
            let img = crate::texture::photo(other);
            let (pw, ph) = (img.width() as f32, img.height() as f32);
            let span = t.size * t.step;
            let (ox, oy) = (
                rng.range(0.0, (pw - span).max(1.0)),
                rng.range(0.0, (ph - span).max(1.0)),
            );
            let (gain, bias) = (rng.range(0.75, 1.1), rng.sym(0.08));
            let tint = [rng.range(0.9, 1.1), 1.0, rng.range(0.85, 1.05)];
            for (j, p) in c.px.iter_mut().enumerate() {
                let a = alpha.v[j];
                if a <= 0.0 {
                    continue;
                }
                let (x, y) = ((j % c.w) as f32 + 0.5, (j / c.w) as f32 + 0.5);
                let v = crate::texture::sample(img, ox + x * t.step, oy + y * t.step) * gain + bias;
                *p = lerp3(*p, [v * tint[0], v * tint[1], v * tint[2]], a);
            }
            alpha.threshold(0.4)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Category, Defect, MAX_SEVERITY, render_defect, render_good};

    const TEXTURES: [Category; 3] = [Category::Brick, Category::Gravel, Category::Grass];

    /// (mask pixels, sum over the image of the largest channel change, mean change inside the mask).
    fn measure(c: Category, d: Defect, sev: u8, seed: u64, size: u32) -> (usize, f64, f64) {
        let good = render_good(c, seed, size);
        let (img, mask) = render_defect(c, d, sev, seed, size).unwrap();
        let (mut area, mut total, mut inside) = (0, 0.0, 0.0);
        for ((a, b), m) in good.pixels().zip(img.pixels()).zip(mask.pixels()) {
            let diff = (0..3).map(|ch| a[ch].abs_diff(b[ch])).max().unwrap_or(0) as f64;
            total += diff;
            if m[0] > 0 {
                area += 1;
                inside += diff;
            }
        }
        (area, total, if area == 0 { 0.0 } else { inside / area as f64 })
    }

    #[test]
    fn texture_defects_are_textured_sized_and_in_the_image() {
        for size in [128u32, 256, 512] {
            let total = (size * size) as f64;
            for c in TEXTURES {
                assert_eq!(c.defects().len(), 5);
                for (k, &d) in c.defects().iter().enumerate() {
                    for sev in 1..=MAX_SEVERITY {
                        let seed = 90 + 5 * k as u64 + sev as u64 + size as u64;
                        let (img, mask) = render_defect(c, d, sev, seed, size).unwrap();
                        assert_eq!(mask.dimensions(), img.dimensions());
                        let area = mask.pixels().filter(|p| p[0] > 0).count() as f64 / total;
                        // About a grain or more (the old, part-sized ones were 0.1 % and less), at most a fifth.
                        assert!(
                            (0.0012..=0.2).contains(&area),
                            "{c}/{d} sev {sev} at {size}: mask {:.3} %",
                            area * 100.0
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn texture_defects_repeat_for_a_seed() {
        for c in TEXTURES {
            for &d in c.defects() {
                let a = render_defect(c, d, 2, 17, 128).unwrap();
                let b = render_defect(c, d, 2, 17, 128).unwrap();
                assert!(a == b, "{c}/{d}: same seed, different pixels");
                let other = render_defect(c, d, 2, 18, 128).unwrap();
                assert!(a.1 != other.1, "{c}/{d}: different seeds, same mask");
            }
        }
    }

    /// Each severity of one seed is the same defect, bigger and stronger:
    /// area and total change grow, and severity 3 is more contrasted than
    /// severity 1 (foreign matter is opaque at every severity: as contrasted).
    #[test]
    fn texture_severities_order_area_and_contrast() {
        for c in TEXTURES {
            for &d in c.defects() {
                let m: Vec<(usize, f64, f64)> = (1..=MAX_SEVERITY)
                    .map(|sev| {
                        (0..4u64).fold((0, 0.0, 0.0), |acc, seed| {
                            let (a, t, i) = measure(c, d, sev, 300 + seed, 192);
                            (acc.0 + a, acc.1 + t, acc.2 + i)
                        })
                    })
                    .collect();
                assert!(m[0].0 < m[1].0 && m[1].0 < m[2].0, "{c}/{d} area {m:?}");
                assert!(m[0].1 < m[1].1 && m[1].1 < m[2].1, "{c}/{d} change {m:?}");
                let opaque = if d == Defect::Contamination { 0.9 } else { 1.0 };
                assert!(m[0].2 * opaque < m[2].2, "{c}/{d} contrast {m:?}");
                // Severity 1 is visible: on average a strong change where the mask says.
                assert!(m[0].2 / 4.0 >= 20.0, "{c}/{d} severity 1 too faint {m:?}");
            }
        }
    }
}
