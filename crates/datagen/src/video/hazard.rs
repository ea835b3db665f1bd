//! The fire and smoke scenes, and the scenes that must not alarm: a room
//! (block wall, floor) with flames, smoke, red objects or passers-by.

use super::{Built, Scene, Script, Truth, paint};
use crate::{
    raster::{Canvas, fbm, lerp3, smoothstep, value_noise},
    rng::Rng,
};

/// Where the wall meets the floor, as a share of the height.
const FLOOR: f32 = 0.62;

fn backdrop(rng: &mut Rng, w: usize, h: usize) -> Canvas {
    let (wf, hf) = (w as f32, h as f32);
    let (bw, bh) = (0.16 * wf, 0.08 * hf);
    let (s1, s2) = (rng.next_u64() as u32, rng.next_u64() as u32);
    let tone = rng.range(0.56, 0.66);
    let mut c = Canvas::new(w, h, [0.0; 3]);
    let sc = 160.0 / wf;
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let grain = fbm(fx * sc / 6.0, fy * sc / 6.0, s1, 2);
            c.px[y * w + x] = if fy < FLOOR * hf {
                // Concrete blocks in a running bond: every block its own shade.
                let row = (fy / bh).floor();
                let sx = fx + if row as i32 % 2 == 0 { 0.0 } else { 0.5 * bw };
                let col = (sx / bw).floor();
                let joint = sx - col * bw < 1.2 || fy - row * bh < 1.2;
                let k = tone
                    * (1.0 + 0.06 * crate::raster::hash_unit(col as i32, row as i32, s2))
                    * (1.0 + 0.04 * grain);
                if joint {
                    [0.36, 0.36, 0.37]
                } else {
                    [k, k, k * 0.97]
                }
            } else if fy < FLOOR * hf + 2.0 {
                [0.18, 0.18, 0.2]
            } else {
                let k = 1.0 + 0.05 * grain;
                [0.42 * k, 0.40 * k, 0.37 * k]
            };
        }
    }
    c
}

/// A red fire extinguisher standing on the floor at `x` (normalised).
fn extinguisher(c: &mut Canvas, x: f32) {
    let (wf, hf) = (c.w as f32, c.h as f32);
    let (cx, bottom) = (x * wf, 0.9 * hf);
    let (r, top) = (0.028 * wf, bottom - 0.22 * hf);
    let bbox = [cx - r, top - r, cx + r, bottom];
    let red = move |px: f32, _y: f32| {
        // A vertical highlight on the cylinder.
        let k = 1.0 + 0.35 * (-((px - cx + 0.35 * r) / (0.3 * r)).powi(2)).exp();
        [0.78 * k, 0.10 * k, 0.08 * k]
    };
    paint::fill(
        c,
        [0.0; 2],
        bbox,
        |p| paint::capsule(p, [cx, top + r], [cx, bottom - r], r),
        red,
        1.0,
    );
    let hb = [cx - 2.0, top - r - 4.0, cx + 4.0, top];
    paint::fill(
        c,
        [0.0; 2],
        hb,
        |p| paint::rounded_box(p, [cx + 1.0, top - 2.0], [2.0, 3.0], 0.5),
        |_, _| [0.08; 3],
        1.0,
    );
}

/// A red sign and an orange cone: more red that never moves.
fn red_things(c: &mut Canvas, rng: &mut Rng) {
    let (wf, hf) = (c.w as f32, c.h as f32);
    let sign = [rng.range(0.3, 0.7) * wf, rng.range(0.15, 0.3) * hf];
    let half = [0.07 * wf, 0.05 * hf];
    let bbox = [
        sign[0] - half[0],
        sign[1] - half[1],
        sign[0] + half[0],
        sign[1] + half[1],
    ];
    paint::fill(
        c,
        [0.0; 2],
        bbox,
        |p| paint::rounded_box(p, sign, half, 1.5),
        |_, _| [0.82, 0.12, 0.1],
        1.0,
    );
    let cone = [rng.range(0.6, 0.8) * wf, 0.88 * hf];
    let ch = 0.16 * hf;
    let cb = [cone[0] - 0.3 * ch, cone[1] - ch, cone[0] + 0.3 * ch, cone[1]];
    let sdf = move |p: [f32; 2]| {
        // A triangle as the larger of its three edge distances.
        let t = ((cone[1] - p[1]) / ch).clamp(0.0, 1.0);
        let half = 0.3 * ch * (1.0 - t) + 1.0;
        ((p[0] - cone[0]).abs() - half)
            .max(p[1] - cone[1])
            .max(cone[1] - ch - p[1])
    };
    paint::fill(c, [0.0; 2], cb, sdf, |_, _| [0.95, 0.45, 0.1], 1.0);
}

/// Flames on the floor from `t0`, growing, with turbulence rising through them.
struct Flame {
    base: [f32; 2],
    t0: f32,
    h0: f32,
    growth: f32,
    hmax: f32,
    seed: u32,
}

fn flame_colour(i: f32) -> [f32; 3] {
    let stops = [
        (0.2, [0.70, 0.15, 0.03]),
        (0.5, [0.98, 0.45, 0.06]),
        (0.8, [1.0, 0.80, 0.25]),
        (1.1, [1.0, 0.95, 0.70]),
    ];
    let mut prev = stops[0];
    for s in stops {
        if i <= s.0 {
            return lerp3(
                prev.1,
                s.1,
                ((i - prev.0) / (s.0 - prev.0).max(1e-3)).clamp(0.0, 1.0),
            );
        }
        prev = s;
    }
    prev.1
}

impl Script for Flame {
    fn paint(&self, c: &mut Canvas, t: f32, off: [f32; 2], _shadows: bool) {
        let age = t - self.t0;
        if age < 0.0 {
            return;
        }
        let seed = self.seed;
        let size = (self.h0 + self.growth * age).min(self.hmax);
        // Flames leap: the height changes every frame by up to about a quarter.
        let leap = 1.0 + 0.2 * value_noise(t * 9.0, 0.5, seed) + 0.1 * value_noise(t * 23.0, 3.7, seed);
        let hf = size * leap;
        let hw = 0.25 * size;
        let [bx, by] = self.base;
        // Glow on the wall and floor around it.
        let reach = 1.5 * size;
        let glow = [bx - reach, by - reach - 0.3 * size, bx + reach, by + 0.5 * reach];
        paint::visit(c, off, glow, |px, x, y| {
            let d2 = ((x - bx).powi(2) + (y - by + 0.3 * size).powi(2)) / (reach * reach);
            let g = 0.1 * leap / (1.0 + 6.0 * d2);
            px[0] += g;
            px[1] += 0.4 * g;
        });
        let scale = 0.25 * size;
        let bbox = [bx - 2.0 * hw, by - 1.3 * hf, bx + 2.0 * hw, by + 1.0];
        paint::visit(c, off, bbox, |px, x, y| {
            let v = (by - y) / hf;
            if v < -0.02 {
                return;
            }
            let rise = y + age * 2.0 * size;
            let n = fbm(x / scale, rise / scale, seed, 3);
            let sway = fbm(x / scale + 7.1, rise / (2.0 * scale), seed ^ 0x55, 2);
            let profile = (1.0 - v).max(0.0).powf(0.8) * (v * 5.0 + 0.3).min(1.0);
            let u = (x - bx + 0.6 * hw * sway * v.max(0.0)) / hw;
            let d = u.abs() / profile.max(0.02);
            let i = 1.15 - d - 0.3 * v + 0.35 * n;
            let a = smoothstep(0.0, 0.2, i);
            if a > 0.0 {
                *px = lerp3(*px, flame_colour(i), a);
            }
        });
    }
}

/// Smoke rising from a point from `t0`, spreading as it rises.
struct Plume {
    src: [f32; 2],
    t0: f32,
    colour: [f32; 3],
    opacity: f32,
    seed: u32,
}

impl Script for Plume {
    fn paint(&self, c: &mut Canvas, t: f32, off: [f32; 2], _shadows: bool) {
        let age = t - self.t0;
        if age < 0.0 {
            return;
        }
        let (wf, hf) = (c.w as f32, c.h as f32);
        let height = ((0.12 + 0.1 * age) * hf).min(0.8 * hf);
        let [sx, sy] = self.src;
        let bbox = [sx - 0.45 * wf, sy - height, sx + 0.45 * wf, sy + 2.0];
        let src = c.clone();
        let scale = 6.0 * wf / 160.0;
        let fade_in = (0.35 + 0.65 * age / 1.5).min(1.0);
        paint::visit(c, off, bbox, |px, x, y| {
            let v = (sy - y) / height;
            if !(0.0..=1.0).contains(&v) {
                return;
            }
            let cx = sx + 0.1 * height * v * (age * 0.7 + v * 2.0).sin();
            let hw = 0.03 * wf + 0.35 * height * v;
            let d = (x - cx) / hw;
            let turb = 0.55 + 0.45 * fbm(x / scale, (y + age * 0.25 * hf) / scale, self.seed, 3);
            let dens = (1.0 - d * d).max(0.0) * smoothstep(1.0, 0.7, v) * turb;
            let a = (self.opacity * dens * fade_in).clamp(0.0, 1.0);
            if a < 0.01 {
                return;
            }
            // Smoke scatters light: what is behind loses its sharpness, then its colour.
            let (ix, iy) = ((x - off[0]) as isize, (y - off[1]) as isize);
            let mut blur = [0.0f32; 3];
            let mut n = 0.0f32;
            for dy in -2..=2isize {
                for dx in -2..=2isize {
                    let (qx, qy) = (ix + dx, iy + dy);
                    if qx >= 0 && qy >= 0 && (qx as usize) < src.w && (qy as usize) < src.h {
                        let q = src.px[qy as usize * src.w + qx as usize];
                        (0..3).for_each(|k| blur[k] += q[k]);
                        n += 1.0;
                    }
                }
            }
            let blur = blur.map(|v| v / n.max(1.0));
            *px = lerp3(lerp3(*px, blur, (2.0 * a).min(1.0)), self.colour, a);
        });
    }
}

/// A red cart pushed across the floor, pausing midway.
struct Cart {
    /// (time s, centre x px), piecewise linear.
    path: Vec<(f32, f32)>,
    y: f32,
    half: [f32; 2],
}

impl Script for Cart {
    fn paint(&self, c: &mut Canvas, t: f32, off: [f32; 2], shadows: bool) {
        let Some(x) = along(&self.path, t) else { return };
        let centre = [x, self.y];
        let half = self.half;
        if shadows {
            let sc = [x + 0.1 * half[0], self.y + half[1] * 0.9];
            let sb = [sc[0] - half[0], sc[1] - 3.0, sc[0] + half[0], sc[1] + 3.0];
            paint::darken(c, off, sb, |p| paint::ellipse(p, sc, half[0], 3.0), 0.6, 3.0);
        }
        let bbox = [x - half[0], self.y - half[1], x + half[0], self.y + half[1]];
        let body = move |_x: f32, y: f32| {
            let k = if (y - centre[1]).abs() < 0.15 * half[1] {
                0.7
            } else {
                1.0
            };
            [0.80 * k, 0.10 * k, 0.08 * k]
        };
        paint::fill(
            c,
            off,
            bbox,
            |p| paint::rounded_box(p, centre, half, 2.0),
            body,
            1.0,
        );
        for wx in [x - 0.6 * half[0], x + 0.6 * half[0]] {
            let wc = [wx, self.y + half[1]];
            let r = 0.3 * half[1];
            paint::fill(
                c,
                off,
                [wx - r, wc[1] - r, wx + r, wc[1] + r],
                |p| paint::ellipse(p, wc, r, r),
                |_, _| [0.05; 3],
                1.0,
            );
        }
    }
}

fn along(path: &[(f32, f32)], t: f32) -> Option<f32> {
    let (first, last) = (path.first()?, path.last()?);
    if t < first.0 || t > last.0 {
        return None;
    }
    path.windows(2).find(|w| t <= w[1].0).map(|w| {
        let k = if w[1].0 > w[0].0 {
            (t - w[0].0) / (w[1].0 - w[0].0)
        } else {
            1.0
        };
        w[0].1 + (w[1].1 - w[0].1) * k
    })
}

/// Someone walking through the room, seen from the side.
struct Passer {
    path: Vec<(f32, f32)>,
    ground: f32,
    height: f32,
    shirt: [f32; 3],
    trousers: [f32; 3],
    phase: f32,
}

struct Passers(Vec<Passer>);

impl Script for Passers {
    fn paint(&self, c: &mut Canvas, t: f32, off: [f32; 2], shadows: bool) {
        for p in &self.0 {
            let Some(x) = along(&p.path, t) else { continue };
            let (g, hp) = (p.ground, p.height);
            let swing = (std::f32::consts::TAU * 1.8 * t + p.phase).sin();
            let bbox = [x - 0.4 * hp, g - hp, x + 0.4 * hp, g + 2.0];
            if shadows {
                let sc = [x, g];
                paint::darken(
                    c,
                    off,
                    [x - 0.3 * hp, g - 2.0, x + 0.3 * hp, g + 2.0],
                    |q| paint::ellipse(q, sc, 0.25 * hp, 2.0),
                    0.6,
                    3.0,
                );
            }
            let hip = [x, g - 0.45 * hp];
            let r_leg = 0.05 * hp;
            for s in [swing, -swing] {
                let foot = [x + 0.18 * hp * s, g - r_leg];
                let tr = p.trousers;
                paint::fill(
                    c,
                    off,
                    bbox,
                    |q| paint::capsule(q, hip, foot, r_leg),
                    move |_, _| tr,
                    1.0,
                );
            }
            let torso = [x, g - 0.66 * hp];
            let shirt = p.shirt;
            let shade = move |qx: f32, _y: f32| {
                let k = 1.0 - 0.15 * ((qx - torso[0]) / (0.12 * hp)).clamp(-1.0, 1.0);
                shirt.map(|v| v * k)
            };
            paint::fill(
                c,
                off,
                bbox,
                |q| paint::rounded_box(q, torso, [0.12 * hp, 0.2 * hp], 0.05 * hp),
                shade,
                1.0,
            );
            let shoulder = [x, g - 0.82 * hp];
            let hand = [x - 0.15 * hp * swing, g - 0.5 * hp];
            paint::fill(
                c,
                off,
                bbox,
                |q| paint::capsule(q, shoulder, hand, 0.04 * hp),
                shade,
                1.0,
            );
            let head = [x, g - 0.92 * hp];
            paint::fill(
                c,
                off,
                bbox,
                |q| paint::ellipse(q, head, 0.07 * hp, 0.08 * hp),
                |_, _| [0.78, 0.6, 0.48],
                1.0,
            );
            let hair = [x, g - 0.97 * hp];
            paint::fill(
                c,
                off,
                bbox,
                |q| paint::ellipse(q, hair, 0.072 * hp, 0.045 * hp),
                |_, _| [0.1, 0.08, 0.07],
                1.0,
            );
        }
    }
}

const LEAD_IN: f32 = 1.2;

pub(super) fn room(scene: Scene, rng: &mut Rng, w: usize, h: usize) -> Built {
    let (wf, hf) = (w as f32, h as f32);
    let mut back = backdrop(rng, w, h);
    let built = |script: Box<dyn Script>, seconds: f32| Built {
        backdrop: Canvas::new(0, 0, [0.0; 3]),
        script,
        truth: Truth::default(),
        seconds,
        fire_from: None,
        smoke_from: None,
    };
    let side = |rng: &mut Rng| {
        if rng.chance(0.5) {
            rng.range(0.08, 0.18)
        } else {
            rng.range(0.82, 0.92)
        }
    };
    let mut out = match scene {
        Scene::Fire => {
            extinguisher(&mut back, side(rng));
            let t0 = rng.range(1.8, 3.0);
            let flame = Flame {
                base: [rng.range(0.35, 0.65) * wf, rng.range(0.78, 0.88) * hf],
                t0,
                h0: 0.1 * hf,
                growth: rng.range(0.02, 0.04) * hf,
                hmax: 0.35 * hf,
                seed: rng.next_u64() as u32,
            };
            let mut b = built(Box::new(flame), t0 + 6.0);
            b.fire_from = Some(t0);
            b
        }
        Scene::Smoke => {
            let t0 = rng.range(1.8, 3.0);
            let light = rng.chance(0.5);
            let plume = Plume {
                src: [rng.range(0.35, 0.65) * wf, rng.range(0.8, 0.9) * hf],
                t0,
                colour: if light {
                    [0.82, 0.82, 0.84]
                } else {
                    [0.3, 0.3, 0.32]
                },
                opacity: rng.range(0.55, 0.75),
                seed: rng.next_u64() as u32,
            };
            let mut b = built(Box::new(plume), t0 + 9.0);
            b.smoke_from = Some(t0);
            b
        }
        Scene::StaticRed => {
            extinguisher(&mut back, side(rng));
            red_things(&mut back, rng);
            built(Box::new(Passers(Vec::new())), 12.0)
        }
        Scene::MovingRed => {
            extinguisher(&mut back, side(rng));
            let half = [0.09 * wf, 0.07 * hf];
            let speed = rng.range(0.18, 0.26) * wf;
            let ltr = rng.chance(0.5);
            let (x0, x1) = if ltr {
                (-half[0] - 2.0, wf + half[0] + 2.0)
            } else {
                (wf + half[0] + 2.0, -half[0] - 2.0)
            };
            let mid = rng.range(0.4, 0.6) * wf;
            let t_mid = LEAD_IN + (mid - x0).abs() / speed;
            let pause = rng.range(1.0, 2.0);
            let end = t_mid + pause + (x1 - mid).abs() / speed;
            let cart = Cart {
                path: vec![(LEAD_IN, x0), (t_mid, mid), (t_mid + pause, mid), (end, x1)],
                y: 0.82 * hf,
                half,
            };
            built(Box::new(cart), end + 0.5)
        }
        Scene::RedShirts | Scene::GreyCoats => {
            let shirts: &[[f32; 3]] = if scene == Scene::RedShirts {
                &[
                    [0.80, 0.10, 0.08],
                    [0.95, 0.45, 0.10],
                    [0.85, 0.20, 0.15],
                    [0.90, 0.60, 0.20],
                ]
            } else {
                &[
                    [0.55, 0.55, 0.56],
                    [0.85, 0.85, 0.86],
                    [0.35, 0.35, 0.37],
                    [0.70, 0.70, 0.68],
                ]
            };
            let mut people = Vec::new();
            let mut end: f32 = 0.0;
            for k in 0..4 {
                let height = rng.range(0.45, 0.6) * hf;
                let speed = rng.range(0.2, 0.28) * wf;
                let out = 0.25 * height + 2.0;
                let (x0, x1) = if k % 2 == 0 {
                    (-out, wf + out)
                } else {
                    (wf + out, -out)
                };
                let t0 = LEAD_IN + k as f32 * rng.range(1.4, 1.9);
                let t1 = t0 + (x1 - x0).abs() / speed;
                end = end.max(t1);
                people.push(Passer {
                    path: vec![(t0, x0), (t1, x1)],
                    ground: rng.range(0.8, 0.95) * hf,
                    height,
                    shirt: shirts[k % shirts.len()],
                    trousers: [0.12, 0.13, 0.18],
                    phase: rng.range(0.0, std::f32::consts::TAU),
                });
            }
            built(Box::new(Passers(people)), end + 0.5)
        }
        Scene::Entrance | Scene::Conveyor => unreachable!("not a room scene"),
    };
    out.backdrop = back;
    out
}
