//! The counting scenes: an entrance seen from above, and a conveyor.

use super::{Built, Script, Truth, crossing, paint};
use crate::{
    raster::{Canvas, fbm, value_noise},
    rng::Rng,
};

/// Seconds of empty scene at the start, for the background to be learnt.
const LEAD_IN: f32 = 1.2;

/// One person seen from above: shoulders (an ellipse) and a head.
#[derive(Clone, Debug)]
struct Walker {
    /// x of the path, normalised.
    lane: f32,
    /// (time in s, y normalised), piecewise linear.
    path: Vec<(f32, f32)>,
    /// Shoulder half-width and half-depth, pixels.
    a: f32,
    b: f32,
    body: [f32; 3],
    hair: [f32; 3],
    sway: f32,
}

impl Walker {
    fn y_at(&self, t: f32) -> Option<(f32, f32)> {
        let first = self.path.first()?;
        let last = self.path.last()?;
        if t < first.0 || t > last.0 {
            return None;
        }
        for w in self.path.windows(2) {
            let ((t0, y0), (t1, y1)) = (w[0], w[1]);
            if t <= t1 {
                let k = if t1 > t0 { (t - t0) / (t1 - t0) } else { 1.0 };
                // Heading (+1 down, -1 up, 0 standing) for where the head leans.
                return Some((y0 + (y1 - y0) * k, (y1 - y0).signum()));
            }
        }
        Some((last.1, 0.0))
    }

    fn end(&self) -> f32 {
        self.path.last().map_or(0.0, |p| p.0)
    }
}

const CLOTHES: [[f32; 3]; 11] = [
    [0.12, 0.14, 0.30],
    [0.07, 0.07, 0.08],
    [0.72, 0.12, 0.10],
    [0.12, 0.40, 0.20],
    [0.18, 0.35, 0.75],
    [0.40, 0.25, 0.13],
    [0.93, 0.93, 0.90],
    [0.90, 0.78, 0.15],
    [0.40, 0.18, 0.50],
    [0.95, 0.50, 0.12],
    [0.10, 0.45, 0.50],
];
const HAIR: [[f32; 3]; 4] = [
    [0.06, 0.05, 0.05],
    [0.25, 0.15, 0.08],
    [0.75, 0.60, 0.35],
    [0.12, 0.10, 0.09],
];

struct Entrance {
    walkers: Vec<Walker>,
    w: f32,
    h: f32,
}

impl Script for Entrance {
    fn paint(&self, c: &mut Canvas, t: f32, off: [f32; 2], shadows: bool) {
        for wk in &self.walkers {
            let Some((y, heading)) = wk.y_at(t) else { continue };
            let sway =
                (t * 2.0 * std::f32::consts::TAU * 0.9 + wk.sway).sin() * 0.004 * self.w * heading.abs();
            let centre = [wk.lane * self.w + sway, y * self.h];
            let (a, b) = (wk.a, wk.b);
            let bbox = [centre[0] - a, centre[1] - a, centre[0] + a, centre[1] + a];
            if shadows {
                let sc = [centre[0] + 0.35 * a, centre[1] + 0.45 * a];
                let sb = [sc[0] - a, sc[1] - a, sc[0] + a, sc[1] + a];
                paint::darken(
                    c,
                    off,
                    sb,
                    |p| paint::ellipse(p, sc, a * 1.05, b * 1.3),
                    0.62,
                    3.0,
                );
            }
            // Shoulders lit from the top left.
            let body = wk.body;
            let shade = move |x: f32, y: f32| {
                let k = 1.0 - 0.12 * ((x - centre[0]) / a + (y - centre[1]) / b).clamp(-1.0, 1.0);
                body.map(|v| v * k)
            };
            paint::fill(c, off, bbox, |p| paint::ellipse(p, centre, a, b), shade, 1.0);
            let head = [centre[0], centre[1] + heading * 0.15 * b];
            let r = 0.5 * a;
            let hb = [head[0] - r, head[1] - r, head[0] + r, head[1] + r];
            let hair = wk.hair;
            paint::fill(
                c,
                off,
                hb,
                |p| paint::ellipse(p, head, r, r * 1.1),
                |_, _| hair,
                1.0,
            );
        }
    }
}

/// A floor of tiles between two walls.
fn floor(rng: &mut Rng, w: usize, h: usize) -> Canvas {
    let base = [0.62 + rng.sym(0.03), 0.60, 0.55 + rng.sym(0.03)];
    let tile = h as f32 * 0.2;
    let (s1, s2) = (rng.next_u64() as u32, rng.next_u64() as u32);
    let mut c = Canvas::new(w, h, base);
    let sc = 160.0 / w as f32;
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let xn = fx / w as f32;
            let mut k = 1.0
                + 0.03 * fbm(fx * sc / 20.0, fy * sc / 20.0, s1, 3)
                + 0.015 * value_noise(fx * sc / 1.5, fy * sc / 1.5, s2);
            if fx % tile < 1.0 || fy % tile < 1.0 {
                k *= 0.9;
            }
            // Light from above the middle of the corridor.
            k *= 1.0 - 0.15 * (xn - 0.5).powi(2) * 4.0;
            let p = if !(0.05..=0.95).contains(&xn) {
                [0.42 * k, 0.42 * k, 0.44 * k]
            } else {
                base.map(|v| v * k)
            };
            c.px[y * w + x] = p;
        }
    }
    c
}

/// What people do in an episode of the entrance scene.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Episode {
    Through,
    StopOnLine,
    Wiggle,
    TurnBack,
    SideBySide,
    Following,
    Passing,
}

pub(super) fn entrance(rng: &mut Rng, w: usize, h: usize) -> Built {
    let (wf, hf) = (w as f32, h as f32);
    let line = [[0.05, 0.5], [0.95, 0.5]];
    let mut episodes = vec![
        Episode::Through,
        Episode::StopOnLine,
        Episode::Wiggle,
        Episode::TurnBack,
        Episode::SideBySide,
        Episode::Following,
        Episode::Passing,
    ];
    // Shuffle (Fisher-Yates).
    for i in (1..episodes.len()).rev() {
        let j = rng.below(i + 1);
        episodes.swap(i, j);
    }
    let mut walkers: Vec<Walker> = Vec::new();
    let mut start = LEAD_IN;
    let mut left_half = rng.chance(0.5);
    for ep in episodes {
        let first = walkers.len();
        left_half = !left_half;
        let lane = if left_half {
            rng.range(0.2, 0.4)
        } else {
            rng.range(0.6, 0.8)
        };
        let up = rng.chance(0.5);
        let speed = rng.range(0.28, 0.42);
        let person = |rng: &mut Rng| {
            let a = hf * rng.range(0.075, 0.095);
            Walker {
                lane,
                path: Vec::new(),
                a,
                b: a * rng.range(0.52, 0.6),
                body: CLOTHES[rng.below(CLOTHES.len())],
                hair: HAIR[rng.below(HAIR.len())],
                sway: rng.range(0.0, std::f32::consts::TAU),
            }
        };
        // Off-screen start and end for a person of half-depth b (pixels).
        let ends = |b: f32, up: bool| {
            let out = b / hf + 0.04;
            if up { (1.0 + out, -out) } else { (-out, 1.0 + out) }
        };
        let straight = |wk: &mut Walker, t0: f32, up: bool, speed: f32| {
            let (y0, y1) = ends(wk.b, up);
            wk.path = vec![(t0, y0), (t0 + (y1 - y0).abs() / speed, y1)];
        };
        match ep {
            Episode::Through => {
                let mut wk = person(rng);
                straight(&mut wk, start, up, speed);
                walkers.push(wk);
            }
            Episode::StopOnLine | Episode::Wiggle | Episode::TurnBack => {
                let mut wk = person(rng);
                let (y0, y1) = ends(wk.b, up);
                let dir = if up { -1.0 } else { 1.0 };
                let mut path = vec![(start, y0)];
                let go = |path: &mut Vec<(f32, f32)>, y: f32, speed: f32| {
                    let (t, py) = *path.last().unwrap();
                    path.push((t + (y - py).abs() / speed, y));
                };
                match ep {
                    Episode::StopOnLine => {
                        go(&mut path, 0.5 + dir * rng.sym(0.02), speed);
                        let (t, y) = *path.last().unwrap();
                        path.push((t + rng.range(1.5, 3.0), y));
                        go(&mut path, y1, speed);
                    }
                    Episode::Wiggle => {
                        go(&mut path, 0.5, speed);
                        // Hesitates on the line: back and forth by under 3 % of the height.
                        for _ in 0..3 {
                            go(&mut path, 0.5 + dir * rng.range(0.015, 0.03), 0.12);
                            go(&mut path, 0.5 - dir * rng.range(0.015, 0.03), 0.12);
                        }
                        go(&mut path, y1, speed);
                    }
                    _ => {
                        // Reaches at most 2 % of the height past the line, then goes back.
                        go(&mut path, 0.5 + dir * rng.range(-0.08, 0.02), speed);
                        let (t, y) = *path.last().unwrap();
                        path.push((t + rng.range(0.3, 1.0), y));
                        go(&mut path, y0, speed);
                    }
                }
                wk.path = path;
                walkers.push(wk);
            }
            Episode::SideBySide => {
                let mut a = person(rng);
                let mut b = person(rng);
                let gap = rng.range(0.06, 0.09) * wf;
                let half = (a.a + b.a + gap) / 2.0 / wf;
                a.lane = (lane - half).max(0.12);
                b.lane = a.lane + 2.0 * half;
                straight(&mut a, start, up, speed);
                straight(&mut b, start, up, speed);
                walkers.extend([a, b]);
            }
            Episode::Following => {
                let mut a = person(rng);
                let mut b = person(rng);
                b.lane = lane + rng.sym(0.03);
                straight(&mut a, start, up, speed);
                // The second starts when a gap of 5–10 % of the height is left.
                let lag = ((a.b + b.b) / hf + rng.range(0.05, 0.1)) / speed;
                straight(&mut b, start + lag, up, speed);
                walkers.extend([a, b]);
            }
            Episode::Passing => {
                // Opposite ways in one lane, meeting away from the line.
                let mut a = person(rng);
                let mut b = person(rng);
                b.lane = lane + rng.sym(0.03);
                let meet = if rng.chance(0.5) { 0.22 } else { 0.78 };
                let (ay0, _) = ends(a.b, true);
                let (by0, _) = ends(b.b, false);
                let (ta, tb) = ((ay0 - meet) / speed, (meet - by0) / speed);
                straight(&mut a, start + (tb - ta).max(0.0), true, speed);
                straight(&mut b, start + (ta - tb).max(0.0), false, speed);
                walkers.extend([a, b]);
            }
        }
        let end = walkers[first..].iter().map(Walker::end).fold(start, f32::max);
        // The next episode, in the other half, overlaps this one's exit.
        start = end - 1.0;
    }
    let mut truth = Truth {
        line: Some(line),
        ..Truth::default()
    };
    for wk in &walkers {
        let (Some(a), Some(b)) = (wk.path.first(), wk.path.last()) else {
            continue;
        };
        match crossing(line, [wk.lane, a.1], [wk.lane, b.1]) {
            Some(true) => truth.up += 1,
            Some(false) => truth.down += 1,
            None => {}
        }
    }
    Built {
        backdrop: floor(rng, w, h),
        script: Box::new(Entrance {
            walkers,
            w: wf,
            h: hf,
        }),
        truth,
        seconds: start + 1.5,
        fire_from: None,
        smoke_from: None,
    }
}

/// A part on the belt.
#[derive(Clone, Debug)]
struct Part {
    /// Belt position of the centre at belt travel 0, pixels.
    x0: f32,
    y: f32,
    half: [f32; 2],
    round: f32,
    colour: [f32; 3],
}

struct Conveyor {
    parts: Vec<Part>,
    /// Belt speed (px/s), and when it stands still (s).
    speed: f32,
    stop: (f32, f32),
    belt: [f32; 2],
    seed: u32,
}

impl Conveyor {
    /// Belt travel at time t: moving after the lead-in, except while stopped.
    fn travel(&self, t: f32) -> f32 {
        let moving = (t - LEAD_IN).max(0.0) - (t.min(self.stop.1) - self.stop.0).max(0.0);
        moving * self.speed
    }
}

impl Script for Conveyor {
    fn paint(&self, c: &mut Canvas, t: f32, off: [f32; 2], shadows: bool) {
        let s = self.travel(t);
        // The belt's faint grain moves with it.
        let (w, seed) = (c.w as f32, self.seed);
        let band = [-2.0, self.belt[0], w + 2.0, self.belt[1]];
        let sc = 160.0 / w;
        paint::visit(c, off, band, |px, x, y| {
            if (self.belt[0]..self.belt[1]).contains(&y) {
                let k = 1.0 + 0.04 * value_noise((x - s) * sc / 2.0, y * sc / 2.0, seed);
                px.iter_mut().for_each(|v| *v *= k);
            }
        });
        for p in &self.parts {
            let centre = [p.x0 + s, p.y];
            let bbox = [
                centre[0] - p.half[0],
                centre[1] - p.half[1],
                centre[0] + p.half[0],
                centre[1] + p.half[1],
            ];
            if bbox[0] > w + 4.0 || bbox[2] < -4.0 {
                continue;
            }
            if shadows {
                let sc = [centre[0] + 0.25 * p.half[0], centre[1] + 0.3 * p.half[1]];
                let sb = [
                    sc[0] - p.half[0],
                    sc[1] - p.half[1],
                    sc[0] + p.half[0],
                    sc[1] + p.half[1],
                ];
                paint::darken(
                    c,
                    off,
                    sb,
                    |q| paint::rounded_box(q, sc, p.half, p.round),
                    0.6,
                    3.0,
                );
            }
            let col = p.colour;
            let shade = move |x: f32, y: f32| {
                let k = 1.0 - 0.1 * ((x - centre[0]) / p.half[0] + (y - centre[1]) / p.half[1]);
                col.map(|v| v * k)
            };
            paint::fill(
                c,
                off,
                bbox,
                |q| paint::rounded_box(q, centre, p.half, p.round),
                shade,
                1.0,
            );
        }
    }
}

pub(super) fn conveyor(rng: &mut Rng, w: usize, h: usize) -> Built {
    let (wf, hf) = (w as f32, h as f32);
    // Drawn top to bottom: parts moving right cross to its left, "up".
    let line = [[0.5, 0.15], [0.5, 0.85]];
    let belt = [0.22 * hf, 0.78 * hf];
    let mut back = Canvas::new(w, h, [0.55, 0.56, 0.58]);
    let (s1, seed) = (rng.next_u64() as u32, rng.next_u64() as u32);
    for y in 0..h {
        for x in 0..w {
            let fy = y as f32 + 0.5;
            let k = 1.0 + 0.03 * fbm(x as f32 / 15.0, fy / 15.0, s1, 2);
            let base = if (belt[0]..belt[1]).contains(&fy) {
                [0.2, 0.21, 0.22]
            } else if (belt[0] - 3.0..belt[0]).contains(&fy) || (belt[1]..belt[1] + 3.0).contains(&fy) {
                [0.3, 0.3, 0.32] // rails
            } else {
                [0.55, 0.56, 0.58]
            };
            back.px[y * w + x] = base.map(|v| v * k);
        }
    }
    const COLOURS: [[f32; 3]; 4] = [
        [0.62, 0.47, 0.30],
        [0.72, 0.73, 0.75],
        [0.20, 0.38, 0.78],
        [0.85, 0.55, 0.15],
    ];
    let speed = rng.range(0.2, 0.3) * wf;
    let n = 8 + rng.below(3);
    let mut parts = Vec::new();
    // Upstream of the frame's left edge, spaced by random gaps.
    let mut x = -0.05 * wf;
    for _ in 0..n {
        let half = [rng.range(0.05, 0.09) * wf, rng.range(0.1, 0.18) * hf];
        let round = rng.range(1.0, half[0].min(half[1]) * 0.9);
        x -= half[0];
        parts.push(Part {
            x0: x,
            y: 0.5 * hf + rng.sym(0.06) * hf,
            half,
            round,
            colour: COLOURS[rng.below(COLOURS.len())],
        });
        x -= half[0] + rng.range(0.06, 0.3) * wf;
    }
    let last_left = parts.last().map_or(0.0, |p| p.x0 - p.half[0]);
    let run = (wf - last_left + 0.05 * wf) / speed;
    let stop_at = LEAD_IN + rng.range(0.3, 0.7) * run;
    let stop = (stop_at, stop_at + rng.range(1.5, 2.5));
    let mut truth = Truth {
        line: Some(line),
        ..Truth::default()
    };
    let travel = run * speed;
    for p in &parts {
        let from = [p.x0 / wf, p.y / hf];
        let to = [(p.x0 + travel) / wf, p.y / hf];
        match crossing(line, from, to) {
            Some(true) => truth.up += 1,
            Some(false) => truth.down += 1,
            None => {}
        }
    }
    Built {
        backdrop: back,
        script: Box::new(Conveyor {
            parts,
            speed,
            stop,
            belt,
            seed,
        }),
        truth,
        seconds: LEAD_IN + run + (stop.1 - stop.0) + 0.5,
        fire_from: None,
        smoke_from: None,
    }
}
