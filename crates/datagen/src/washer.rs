//! `washer`: a flat, turned steel washer on a dark conveyor belt, seen from above.

use std::f32::consts::TAU;

use crate::common::{Backdrop, LIGHT, background, diff_mask, shade};
use crate::raster::{Camera, Canvas, Field, P, fbm, hash_unit, smoothstep, value_noise};
use crate::rng::Rng;
use crate::surface::{self, Material, Surface};
use crate::{Defect, DefectReq, TAG_CAMERA, TAG_GEOMETRY};

struct Washer {
    c: P,
    r_out: f32,
    r_in: f32,
    bevel: f32,
    albedo: [f32; 3],
    rot: f32,
    seed: u32,
    shadow: P,
}

/// A change of geometry: the "missing" defects.
#[derive(Clone, Copy)]
enum Geo {
    Intact,
    /// A piece broken off: circle (centre, radius) with a ragged edge.
    Chip {
        c: P,
        r: f32,
        seed: u32,
    },
    /// The hole was never punched.
    NoHole,
}

impl Washer {
    /// Signed distance (pixels, negative inside the metal) and the outward edge direction.
    fn sdf(&self, p: P, geo: Geo) -> (f32, P, bool) {
        let (dx, dy) = (p[0] - self.c[0], p[1] - self.c[1]);
        let rho = (dx * dx + dy * dy).sqrt().max(1e-4);
        let radial = [dx / rho, dy / rho];
        let mut d = rho - self.r_out;
        let mut g = radial;
        if !matches!(geo, Geo::NoHole) {
            let d_in = self.r_in - rho;
            if d_in > d {
                d = d_in;
                g = [-radial[0], -radial[1]];
            }
        }
        let mut fracture = false;
        if let Geo::Chip { c, r, seed } = geo {
            let (cx, cy) = (p[0] - c[0], p[1] - c[1]);
            let dist = (cx * cx + cy * cy).sqrt().max(1e-4);
            if dist < r * 1.6 + 3.0 {
                let edge = r * (1.0 + 0.22 * fbm(p[0] / (r * 0.35), p[1] / (r * 0.35), seed, 3));
                let dc = edge - dist;
                if dc > d {
                    d = dc;
                    g = [-cx / dist, -cy / dist];
                    fracture = true;
                }
            }
        }
        (d, g, fracture)
    }

    fn draw(&self, bg: &Canvas, geo: Geo, sc: f32) -> (Canvas, Field) {
        let (w, h) = (bg.w, bg.h);
        let mut c = bg.clone();
        let mut part = Field::new(w, h);
        let phi_l = LIGHT[1].atan2(LIGHT[0]);
        let soft = 3.5 * sc;
        let reach = self.r_out + 12.0 * sc;
        for y in 0..h {
            for x in 0..w {
                let p = [x as f32 + 0.5, y as f32 + 0.5];
                let (dx, dy) = (p[0] - self.c[0], p[1] - self.c[1]);
                if dx.abs() > reach || dy.abs() > reach {
                    continue;
                }
                // Soft cast shadow on the belt.
                let (ds, _, _) = self.sdf([p[0] - self.shadow[0], p[1] - self.shadow[1]], geo);
                let sh = smoothstep(soft, -soft, ds) * 0.55;
                let i = y * w + x;
                let bgp = [
                    c.px[i][0] * (1.0 - sh),
                    c.px[i][1] * (1.0 - sh),
                    c.px[i][2] * (1.0 - sh),
                ];
                let (d, g, fracture) = self.sdf(p, geo);
                let cov = (0.5 - d).clamp(0.0, 1.0);
                if cov <= 0.0 {
                    c.px[i] = bgp;
                    continue;
                }
                let e = -d;
                let rho = (dx * dx + dy * dy).sqrt();
                let v = if fracture && e < 2.8 * sc {
                    // Broken, rough and dull fracture surface.
                    0.26 + 0.12 * hash_unit(x as i32, y as i32, self.seed ^ 0x55)
                } else {
                    let t = (1.0 - e / self.bevel).clamp(0.0, 1.0);
                    let a = 1.05 * t * t;
                    let n = [g[0] * a.sin(), g[1] * a.sin(), a.cos()];
                    let phi = dy.atan2(dx);
                    // Turned surface: bow-tie sheen and concentric tool marks.
                    let aniso = 0.09 * (0.5 + 0.5 * (2.0 * (phi - phi_l)).cos()) * (1.0 - t);
                    let rings = 0.035 * value_noise(rho * 0.8, 0.5, self.seed)
                        + 0.02 * value_noise(rho * 2.7, 3.5, self.seed ^ 1);
                    let (rx, ry) = (
                        dx * self.rot.cos() - dy * self.rot.sin(),
                        dx * self.rot.sin() + dy * self.rot.cos(),
                    );
                    let blotch = 0.035 * fbm(rx / (22.0 * sc), ry / (22.0 * sc), self.seed ^ 2, 3);
                    shade(n, 0.2, 0.62, 0.55, 28) + aniso + rings + blotch
                };
                let metal = [self.albedo[0] * v, self.albedo[1] * v, self.albedo[2] * v];
                c.px[i] = [
                    bgp[0] + (metal[0] - bgp[0]) * cov,
                    bgp[1] + (metal[1] - bgp[1]) * cov,
                    bgp[2] + (metal[2] - bgp[2]) * cov,
                ];
                part.v[i] = cov;
            }
        }
        (c, part)
    }
}

pub(crate) fn render(seed: u64, size: usize, req: Option<DefectReq>) -> (Canvas, Field) {
    let s = size as f32;
    let sc = s / 256.0;
    let mut g = Rng::stream(seed, TAG_GEOMETRY);
    let bg = background(Backdrop::Belt, size, &mut g);
    let k = g.range(0.92, 1.04);
    let washer = Washer {
        c: [s * (0.5 + g.sym(0.03)), s * (0.5 + g.sym(0.03))],
        r_out: s * 0.34 * (1.0 + g.sym(0.01)),
        r_in: s * 0.155 * (1.0 + g.sym(0.015)),
        bevel: s * 0.028,
        albedo: [0.80 * k, 0.82 * k, 0.86 * k],
        rot: g.range(0.0, TAU),
        seed: g.next_u64() as u32,
        shadow: [s * 0.011, s * 0.013],
    };
    let camera = Camera {
        gradient: 0.12,
        vignette: 0.18,
        blur: 0.7 * sc,
        noise: 0.011,
    };
    let mut cam_rng = Rng::stream(seed, TAG_CAMERA);

    let (mut canvas, part) = washer.draw(&bg, Geo::Intact, sc);
    let mut mask = Field::new(size, size);
    if let Some(req) = req {
        let mut d = Rng::new(req.seed);
        let sev = req.severity as usize - 1;
        let surf = Surface {
            part: &part,
            material: Material::Metal,
            size: s,
        };
        match req.defect {
            Defect::Scratch => mask = surface::scratch(&mut canvas, &surf, req.severity, &mut d),
            Defect::Stain => mask = surface::stain(&mut canvas, &surf, req.severity, &mut d),
            Defect::Crack => {
                // Cracks start at the inner or outer edge and run radially.
                let starts: Vec<(P, f32)> = (0..24)
                    .map(|k| {
                        let a = k as f32 / 24.0 * TAU + d.sym(0.1);
                        let (r, th) = if k % 2 == 0 {
                            (washer.r_in + 1.5 * sc, a)
                        } else {
                            (washer.r_out - 1.5 * sc, a + std::f32::consts::PI)
                        };
                        ([washer.c[0] + r * a.cos(), washer.c[1] + r * a.sin()], th)
                    })
                    .collect();
                mask = surface::crack(&mut canvas, &surf, req.severity, &mut d, &starts);
            }
            Defect::Missing => {
                let geo = if sev == 2 && d.chance(0.4) {
                    Geo::NoHole
                } else {
                    let r = [0.035, 0.055, 0.085][sev] * s * d.range(0.85, 1.15);
                    let a = d.range(0.0, TAU);
                    let dist = if d.chance(0.75) {
                        washer.r_out + r * 0.35
                    } else {
                        washer.r_in - r * 0.35
                    };
                    Geo::Chip {
                        c: [washer.c[0] + dist * a.cos(), washer.c[1] + dist * a.sin()],
                        r,
                        seed: d.next_u64() as u32,
                    }
                };
                let (bad, bad_part) = washer.draw(&bg, geo, sc);
                mask = diff_mask(&canvas, &bad, &part, &bad_part, 0.04);
                canvas = bad;
            }
            Defect::Print | Defect::Hole | Defect::Contamination => unreachable!("not a washer defect"),
        }
    }
    camera.apply(&mut canvas, &mut cam_rng);
    (canvas, mask)
}
