//! `bolt`: a hex bolt seen from the side (head on the left, threaded shank to
//! the right) lying on a light grey inspection plate.

use std::f32::consts::{PI, TAU};

use crate::common::{Backdrop, background, diff_mask, normalize, shade};
use crate::raster::{Camera, Canvas, Field, P, fbm, hash_unit, smoothstep, value_noise};
use crate::rng::Rng;
use crate::surface::{self, Material, Surface};
use crate::{Defect, DefectReq, TAG_CAMERA, TAG_GEOMETRY};

/// Dimensions in pixels, in the bolt's own frame: u along the axis (head at
/// negative u), v across it.
struct Bolt {
    c: P,
    cos: f32,
    sin: f32,
    u_top: f32,
    u_head: f32,
    u_flange: f32,
    u_thread: f32,
    u_tip: f32,
    hw: f32,
    chamfer: f32,
    flange_r: f32,
    r: f32,
    pitch: f32,
    depth: f32,
    albedo: [f32; 3],
    seed: u32,
    shadow: P,
    fracture_w: f32,
}

#[derive(Clone, Copy)]
enum Geo {
    Intact,
    /// A corner of the head broken off (local centre, radius).
    Corner {
        c: P,
        r: f32,
        seed: u32,
    },
    /// Thread crests flattened over u0..u1 on one side (side = ±1).
    Dent {
        u0: f32,
        u1: f32,
        side: f32,
    },
}

#[derive(Clone, Copy, PartialEq)]
enum Region {
    Head,
    Flange,
    Shank,
    Fracture,
}

struct Hit {
    d: f32,
    region: Region,
    /// Thread phase in 0..1 (0 = crest) for the shank; -1 where unthreaded or dented.
    phase: f32,
    dented: bool,
}

impl Bolt {
    fn local(&self, p: P) -> P {
        let (dx, dy) = (p[0] - self.c[0], p[1] - self.c[1]);
        [dx * self.cos + dy * self.sin, -dx * self.sin + dy * self.cos]
    }

    fn world(&self, q: P) -> P {
        [
            self.c[0] + q[0] * self.cos - q[1] * self.sin,
            self.c[1] + q[0] * self.sin + q[1] * self.cos,
        ]
    }

    fn world_dir(&self, n: [f32; 3]) -> [f32; 3] {
        [
            n[0] * self.cos - n[1] * self.sin,
            n[0] * self.sin + n[1] * self.cos,
            n[2],
        ]
    }

    fn hit(&self, q: P, geo: Geo) -> Hit {
        let (u, v) = (q[0], q[1]);
        let av = v.abs();
        // Head with the 30° chamfer rounding its top corners.
        let plane = ((av - self.hw) + (self.u_top - u) + self.chamfer) * std::f32::consts::FRAC_1_SQRT_2;
        let d_head = (self.u_top - u).max(u - self.u_head).max(av - self.hw).max(plane);
        let d_flange = (self.u_head - 0.5 - u)
            .max(u - self.u_flange)
            .max(av - self.flange_r);
        // Shank and thread.
        let mut phase = -1.0;
        let mut dented = false;
        let mut rad = self.r;
        if u > self.u_thread {
            let s = (v / self.r).clamp(-1.0, 1.0);
            let ph = (u - self.u_thread) / self.pitch - s.asin() / TAU;
            let f = ph - ph.floor();
            let tri = (2.0 * f - 1.0).abs(); // 1 at the crest, 0 at the root
            let runout = smoothstep(0.0, 1.5, (u - self.u_thread) / self.pitch);
            rad = self.r - self.depth * runout * (1.0 - tri);
            phase = f;
            if let Geo::Dent { u0, u1, side } = geo
                && v * side > 0.0
                && u > u0
                && u < u1
            {
                let flat = self.r - self.depth * 0.8;
                dented = rad > flat;
                rad = rad.min(flat);
            }
        }
        let tip = self.r - self.depth - (u - (self.u_tip - self.r * 0.45));
        rad = rad.min(tip.max(self.r * 0.45));
        let d_shank = (av - rad).max(self.u_flange - 1.0 - u).max(u - self.u_tip);
        let mut h = Hit {
            d: d_head,
            region: Region::Head,
            phase,
            dented,
        };
        if d_flange < h.d {
            h.d = d_flange;
            h.region = Region::Flange;
        }
        if d_shank < h.d {
            h.d = d_shank;
            h.region = Region::Shank;
        }
        if let Geo::Corner { c, r, seed } = geo {
            let (dx, dy) = (u - c[0], v - c[1]);
            let dist = (dx * dx + dy * dy).sqrt();
            if dist < r * 1.6 + 3.0 {
                let edge = r * (1.0 + 0.2 * fbm(u / (r * 0.35), v / (r * 0.35), seed, 3));
                let dc = edge - dist;
                if dc > h.d {
                    h.d = dc;
                    // A rough, dull fracture face along the new edge.
                    if dc > -self.fracture_w {
                        h.region = Region::Fracture;
                    }
                }
            }
        }
        h
    }

    fn draw(&self, bg: &Canvas, geo: Geo, sc: f32) -> (Canvas, Field) {
        let (w, hgt) = (bg.w, bg.h);
        let mut c = bg.clone();
        let mut part = Field::new(w, hgt);
        let soft = 5.0 * sc;
        for y in 0..hgt {
            for x in 0..w {
                let p = [x as f32 + 0.5, y as f32 + 0.5];
                let i = y * w + x;
                let q = self.local(p);
                if q[0] < self.u_top - 20.0 * sc
                    || q[0] > self.u_tip + 20.0 * sc
                    || q[1].abs() > self.hw + 20.0 * sc
                {
                    continue;
                }
                let qs = self.local([p[0] - self.shadow[0], p[1] - self.shadow[1]]);
                let sh = smoothstep(soft, -soft, self.hit(qs, geo).d) * 0.38;
                let bgp = [
                    c.px[i][0] * (1.0 - sh),
                    c.px[i][1] * (1.0 - sh),
                    c.px[i][2] * (1.0 - sh),
                ];
                let hit = self.hit(q, geo);
                let cov = (0.5 - hit.d).clamp(0.0, 1.0);
                if cov <= 0.0 {
                    c.px[i] = bgp;
                    continue;
                }
                let (u, v) = (q[0], q[1]);
                let grain = 0.03 * value_noise(u / (0.7 * sc), v / (9.0 * sc), self.seed);
                let val = match hit.region {
                    Region::Fracture => 0.22 + 0.1 * hash_unit(x as i32, y as i32, self.seed ^ 9),
                    Region::Head => {
                        // Three flats of the hex seen across the corners, plus the top chamfer.
                        let face = if v < -self.hw * 0.5 {
                            -1.0
                        } else if v > self.hw * 0.5 {
                            1.0
                        } else {
                            0.0
                        };
                        let tilt = face * (PI / 3.0);
                        let mut n = [0.0, tilt.sin(), tilt.cos()];
                        let top = u - self.u_top;
                        if top < self.chamfer * 0.7 {
                            n = normalize([-0.55, n[1], n[2]]);
                        }
                        let edge = (v.abs() - self.hw * 0.5).abs();
                        let ridge = if edge < 0.9 * sc { 0.08 } else { 0.0 };
                        shade(self.world_dir(n), 0.34, 0.55, 0.35, 12) + grain + ridge
                    }
                    Region::Flange => {
                        let s = (v / self.flange_r).clamp(-0.99, 0.99);
                        let n = [0.0, s, (1.0 - s * s).sqrt()];
                        shade(self.world_dir(n), 0.18, 0.5, 0.4, 20) * 0.9
                    }
                    Region::Shank => {
                        let s = (v / self.r).clamp(-0.99, 0.99);
                        let mut n = [0.0, s, (1.0 - s * s).sqrt()];
                        let mut occl = 1.0;
                        if hit.phase >= 0.0 && !hit.dented {
                            let f = hit.phase;
                            let tri = (2.0 * f - 1.0).abs();
                            let flank = if f < 0.5 { 0.6 } else { -0.6 };
                            n = normalize([flank, n[1], n[2]]);
                            occl = 0.62 + 0.38 * tri;
                        }
                        // Turned shank: axial streaks.
                        let streak = 0.035 * value_noise(u / (30.0 * sc), v / (0.9 * sc), self.seed ^ 3);
                        let mut val = shade(self.world_dir(n), 0.24, 0.55, 0.9, 14) * occl + grain + streak;
                        if hit.dented {
                            val += 0.06;
                        }
                        val
                    }
                };
                let metal = [self.albedo[0] * val, self.albedo[1] * val, self.albedo[2] * val];
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
    let bg = background(Backdrop::Plate, size, &mut g);
    let th = g.sym(5f32.to_radians());
    let k = 1.0 + g.sym(0.008);
    let a = g.range(0.9, 1.03);
    let bolt = Bolt {
        c: [s * (0.5 + g.sym(0.03)), s * (0.5 + g.sym(0.03))],
        cos: th.cos(),
        sin: th.sin(),
        u_top: -0.40 * s * k,
        u_head: -0.27 * s * k,
        u_flange: -0.258 * s * k,
        u_thread: -0.09 * s * k,
        u_tip: 0.40 * s * k,
        hw: 0.165 * s * k,
        chamfer: 0.03 * s,
        flange_r: 0.08 * s * k,
        r: 0.08 * s * k,
        pitch: 0.034 * s * k,
        depth: 0.011 * s,
        albedo: [0.66 * a, 0.67 * a, 0.70 * a],
        seed: g.next_u64() as u32,
        shadow: [0.018 * s, 0.024 * s],
        fracture_w: 3.0 * sc,
    };
    let camera = Camera {
        gradient: 0.1,
        vignette: 0.15,
        blur: 0.7 * sc,
        noise: 0.010,
    };
    let mut cam_rng = Rng::stream(seed, TAG_CAMERA);
    let (mut canvas, part) = bolt.draw(&bg, Geo::Intact, sc);
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
                // Fatigue cracks at the head-to-shank fillet and quench cracks from the head's sides.
                let mut starts: Vec<(P, f32)> = Vec::new();
                for k in 0..8 {
                    let side = if k % 2 == 0 { 1.0 } else { -1.0 };
                    let v = side * bolt.r * (0.55 + 0.05 * k as f32);
                    starts.push((bolt.world([bolt.u_flange + 1.5 * sc, v]), th + PI - side * 0.6));
                    let u = bolt.u_top
                        + bolt.chamfer
                        + (bolt.u_head - bolt.u_top - bolt.chamfer) * (k as f32 + 0.5) / 8.0;
                    starts.push((bolt.world([u, side * (bolt.hw - 1.5 * sc)]), th - side * PI / 2.0));
                }
                mask = surface::crack(&mut canvas, &surf, req.severity, &mut d, &starts);
            }
            Defect::Missing => {
                let geo = if d.chance(0.5) {
                    let r = [0.035, 0.052, 0.075][sev] * s * d.range(0.85, 1.15);
                    let cu = if d.chance(0.5) {
                        bolt.u_top + bolt.chamfer * 0.3
                    } else {
                        bolt.u_head
                    };
                    let cv = if d.chance(0.5) { bolt.hw } else { -bolt.hw };
                    Geo::Corner {
                        c: [cu, cv],
                        r,
                        seed: d.next_u64() as u32,
                    }
                } else {
                    let len = [1.3, 2.2, 3.4][sev] * bolt.pitch * d.range(0.9, 1.1);
                    let u0 = d.range(
                        bolt.u_thread + 2.0 * bolt.pitch,
                        bolt.u_tip - 1.5 * bolt.pitch - len,
                    );
                    Geo::Dent {
                        u0,
                        u1: u0 + len,
                        side: if d.chance(0.5) { 1.0 } else { -1.0 },
                    }
                };
                let (bad, bad_part) = bolt.draw(&bg, geo, sc);
                mask = diff_mask(&canvas, &bad, &part, &bad_part, 0.04);
                canvas = bad;
            }
            Defect::Print | Defect::Hole | Defect::Contamination => unreachable!("not a bolt defect"),
        }
    }
    camera.apply(&mut canvas, &mut cam_rng);
    (canvas, mask)
}
