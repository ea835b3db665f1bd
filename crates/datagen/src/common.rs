//! Helpers shared by the rendered-part categories: lighting, backgrounds,
//! and the mask of a geometry change.

use crate::raster::{Canvas, Field, fbm, value_noise};
use crate::rng::Rng;

/// Light direction (from the surface towards the light): upper left, fairly steep.
pub(crate) const LIGHT: [f32; 3] = [-0.42, -0.52, 0.744];

const FILL: [f32; 3] = [0.35, 0.62, 0.70];

/// Blinn-Phong with a white light and the camera looking straight down.
pub(crate) fn shade(n: [f32; 3], amb: f32, kd: f32, ks: f32, shin: i32) -> f32 {
    let l = LIGHT;
    let diff = (n[0] * l[0] + n[1] * l[1] + n[2] * l[2]).max(0.0);
    let h = normalize([l[0], l[1], l[2] + 1.0]);
    let spec = (n[0] * h[0] + n[1] * h[1] + n[2] * h[2]).max(0.0).powi(shin);
    // A weaker fill light from the lower right (the inspection tunnel's walls).
    let f = FILL;
    let fill = (n[0] * f[0] + n[1] * f[1] + n[2] * f[2]).max(0.0);
    amb + kd * diff + ks * spec + 0.22 * kd * fill
}

pub(crate) fn normalize(v: [f32; 3]) -> [f32; 3] {
    let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt().max(1e-6);
    [v[0] / l, v[1] / l, v[2] / l]
}

/// Which surface the part lies on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Backdrop {
    /// Dark rubber conveyor belt.
    Belt,
    /// Light, matte grey inspection plate.
    Plate,
    /// Brown corrugated cardboard (a shipping box).
    Cardboard,
}

/// A slightly varying background (colour, mottling, fine grain).
pub(crate) fn background(kind: Backdrop, size: usize, rng: &mut Rng) -> Canvas {
    let s = size as f32;
    let sc = s / 256.0;
    let (base, mottle, grain): ([f32; 3], f32, f32) = match kind {
        Backdrop::Belt => ([0.165, 0.172, 0.182], 0.035, 0.05),
        Backdrop::Plate => ([0.78, 0.775, 0.76], 0.03, 0.018),
        Backdrop::Cardboard => ([0.60, 0.455, 0.30], 0.05, 0.03),
    };
    let lum = 1.0 + rng.sym(0.06);
    let tint = [1.0 + rng.sym(0.02), 1.0, 1.0 + rng.sym(0.02)];
    let base = [base[0] * lum * tint[0], base[1] * lum, base[2] * lum * tint[2]];
    let (s1, s2, s3) = (
        rng.next_u64() as u32,
        rng.next_u64() as u32,
        rng.next_u64() as u32,
    );
    let flute = rng.range(0.0, 1.0);
    let mut c = Canvas::new(size, size, base);
    for y in 0..size {
        for x in 0..size {
            let (fx, fy) = (x as f32 / sc, y as f32 / sc);
            let m = fbm(fx / 45.0, fy / 45.0, s1, 3) * mottle;
            let g = match kind {
                // Fine rubber grain with a faint fabric imprint.
                Backdrop::Belt => {
                    value_noise(fx / 1.4, fy / 1.4, s2) * grain
                        + value_noise(fx / 3.5, fy / 3.5, s3) * grain * 0.5
                        + (((fx + fy) * 0.9).sin() * ((fx - fy) * 0.9).sin()) * 0.006
                }
                Backdrop::Plate => value_noise(fx / 1.2, fy / 1.2, s2) * grain,
                // Fibres stretched along x and the flutes of the corrugation below.
                Backdrop::Cardboard => {
                    fbm(fx / 18.0, fy / 1.6, s2, 2) * grain
                        + value_noise(fx / 1.3, fy / 1.3, s3) * grain * 0.6
                        + ((fy / 14.0 + flute) * std::f32::consts::TAU).sin() * 0.012
                }
            };
            let k = 1.0 + m + g;
            c.px[y * size + x] = [base[0] * k, base[1] * k, base[2] * k];
        }
    }
    c
}

/// Ground truth for a change of geometry (a missing feature): every pixel
/// where the clean renders differ noticeably and where either version shows
/// the part (so shadows that moved are not marked), grown by one pixel.
pub(crate) fn diff_mask(good: &Canvas, bad: &Canvas, good_part: &Field, bad_part: &Field, thr: f32) -> Field {
    let mut m = Field::new(good.w, good.h);
    for i in 0..m.v.len() {
        let (a, b) = (good.px[i], bad.px[i]);
        let d = (a[0] - b[0])
            .abs()
            .max((a[1] - b[1]).abs())
            .max((a[2] - b[2]).abs());
        if d > thr && (good_part.v[i] > 0.5 || bad_part.v[i] > 0.5) {
            m.v[i] = 1.0;
        }
    }
    m.dilate(1)
}
