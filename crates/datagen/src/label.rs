//! `label`: a printed product label (coloured header, text, 2D code, barcode)
//! stuck on a corrugated cardboard box.
//!
//! The print ("artwork") is laid out once in the label's own pixel frame,
//! identical for every good label, and then mapped into the image with the
//! label's pose. Print defects change the artwork.

use std::f32::consts::PI;

use crate::common::{Backdrop, background};
use crate::raster::{Camera, Canvas, Field, P, blur_field, fbm, smoothstep};
use crate::rng::Rng;
use crate::surface::{self, Material, Surface};
use crate::{Defect, DefectReq, TAG_CAMERA, TAG_GEOMETRY};

/// 3×5 pixel font, rows top to bottom, 3 bits each (MSB = left).
fn glyph(ch: char) -> [u8; 5] {
    match ch {
        'A' => [0b010, 0b101, 0b111, 0b101, 0b101],
        'B' => [0b110, 0b101, 0b110, 0b101, 0b110],
        'C' => [0b011, 0b100, 0b100, 0b100, 0b011],
        'D' => [0b110, 0b101, 0b101, 0b101, 0b110],
        'E' => [0b111, 0b100, 0b110, 0b100, 0b111],
        'F' => [0b111, 0b100, 0b110, 0b100, 0b100],
        'G' => [0b011, 0b100, 0b101, 0b101, 0b011],
        'H' => [0b101, 0b101, 0b111, 0b101, 0b101],
        'I' => [0b111, 0b010, 0b010, 0b010, 0b111],
        'K' => [0b101, 0b101, 0b110, 0b101, 0b101],
        'L' => [0b100, 0b100, 0b100, 0b100, 0b111],
        'M' => [0b101, 0b111, 0b111, 0b101, 0b101],
        'N' => [0b110, 0b101, 0b101, 0b101, 0b101],
        'O' => [0b010, 0b101, 0b101, 0b101, 0b010],
        'P' => [0b110, 0b101, 0b110, 0b100, 0b100],
        'Q' => [0b010, 0b101, 0b101, 0b110, 0b011],
        'R' => [0b110, 0b101, 0b110, 0b101, 0b101],
        'S' => [0b011, 0b100, 0b010, 0b001, 0b110],
        'T' => [0b111, 0b010, 0b010, 0b010, 0b010],
        'U' => [0b101, 0b101, 0b101, 0b101, 0b111],
        'W' => [0b101, 0b101, 0b111, 0b111, 0b101],
        'Y' => [0b101, 0b101, 0b010, 0b010, 0b010],
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b110, 0b001, 0b010, 0b100, 0b111],
        '3' => [0b110, 0b001, 0b010, 0b001, 0b110],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b110, 0b001, 0b110],
        '6' => [0b011, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b010, 0b010, 0b010],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b110],
        '-' => [0b000, 0b000, 0b111, 0b000, 0b000],
        '.' => [0b000, 0b000, 0b000, 0b000, 0b010],
        _ => [0; 5],
    }
}

const HEADER: &str = "LINESIGHT";
const LINES: [&str; 4] = [
    "PART NO 4711-203-B",
    "STEEL WASHER M8 DIN125",
    "QTY 500 PCS LOT 24A7",
    "MFD 2025-03 QC PASS",
];
const DIGITS: &str = "4 006381 333931";
/// The barcode (bar/space widths in modules), fixed for the product.
const BAR_MODULES: usize = 67;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Group {
    Border,
    Header,
    HeaderText,
    /// (line, word, glyph index within the line)
    Text(usize, usize, usize),
    Code,
    Bar(usize),
    Digits,
}

/// One printed rectangle in label pixels.
#[derive(Clone, Copy, Debug)]
struct Item {
    r: [f32; 4],
    /// 0 = black ink, 1 = spot colour.
    layer: usize,
    /// 1 = ink, 0 = knock-out (paper shows through).
    ink: f32,
    group: Group,
}

struct Layout {
    items: Vec<Item>,
    w: f32,
    h: f32,
    bars: usize,
}

fn text(
    items: &mut Vec<Item>,
    s: &str,
    at: P,
    unit: f32,
    layer: usize,
    ink: f32,
    mk: &dyn Fn(usize, usize) -> Group,
) {
    let [x, y] = at;
    let mut word = 0;
    for (gi, ch) in s.chars().enumerate() {
        if ch == ' ' {
            word += 1;
            continue;
        }
        let rows = glyph(ch);
        let gx = x + gi as f32 * unit * 4.0;
        for (ry, bits) in rows.iter().enumerate() {
            for cx in 0..3 {
                if bits & (0b100 >> cx) != 0 {
                    let x0 = gx + cx as f32 * unit;
                    let y0 = y + ry as f32 * unit;
                    items.push(Item {
                        r: [x0, y0, x0 + unit, y0 + unit],
                        layer,
                        ink,
                        group: mk(word, gi),
                    });
                }
            }
        }
    }
}

fn layout(w: f32, h: f32, sc: f32) -> Layout {
    let mut items = Vec::new();
    let u = |v: f32| v * sc;
    // Thin border.
    let (b0, bw) = (u(3.5), u(0.9));
    for r in [
        [b0, b0, w - b0, b0 + bw],
        [b0, h - b0 - bw, w - b0, h - b0],
        [b0, b0, b0 + bw, h - b0],
        [w - b0 - bw, b0, w - b0, h - b0],
    ] {
        items.push(Item {
            r,
            layer: 0,
            ink: 1.0,
            group: Group::Border,
        });
    }
    // Header band with knocked-out product name and a round logo.
    let (hx0, hy0, hy1) = (u(7.0), u(7.0), u(28.0));
    items.push(Item {
        r: [hx0, hy0, w - hx0, hy1],
        layer: 1,
        ink: 1.0,
        group: Group::Header,
    });
    let hu = u(2.4);
    text(
        &mut items,
        HEADER,
        [u(14.0), (hy0 + hy1) * 0.5 - hu * 2.5],
        hu,
        1,
        0.0,
        &|_, _| Group::HeaderText,
    );
    let lc = [w - u(22.0), (hy0 + hy1) * 0.5];
    for k in 0..7 {
        // Logo: a stepped disc.
        let dy = (k as f32 - 3.0) * u(1.6);
        let half = (u(6.0).powi(2) - dy * dy).max(0.0).sqrt();
        items.push(Item {
            r: [
                lc[0] - half,
                lc[1] + dy - u(0.8),
                lc[0] + half,
                lc[1] + dy + u(0.8),
            ],
            layer: 1,
            ink: 0.0,
            group: Group::HeaderText,
        });
    }
    // Text block.
    let tu = u(1.25);
    for (li, line) in LINES.iter().enumerate() {
        text(
            &mut items,
            line,
            [u(11.0), u(35.0) + li as f32 * u(9.0)],
            tu,
            0,
            1.0,
            &|wd, gi| Group::Text(li, wd, gi),
        );
    }
    // 2D code: 16×16 modules, L-shaped finder plus timing pattern.
    let m = u(2.3);
    let (cx0, cy0) = (w - u(11.0) - 16.0 * m, u(33.0));
    let mut design = Rng::new(0x1AB3_1D35_16A7);
    for row in 0..16 {
        for col in 0..16 {
            let on = if col == 0 || row == 15 {
                true
            } else if row == 0 {
                col % 2 == 0
            } else if col == 15 {
                row % 2 == 1
            } else {
                design.chance(0.5)
            };
            if on {
                let (x0, y0) = (cx0 + col as f32 * m, cy0 + row as f32 * m);
                items.push(Item {
                    r: [x0, y0, x0 + m, y0 + m],
                    layer: 0,
                    ink: 1.0,
                    group: Group::Code,
                });
            }
        }
    }
    // Barcode: guards, then bars and spaces of 1..=4 modules.
    let bx0 = u(14.0);
    let mw = (w - 2.0 * bx0) / BAR_MODULES as f32;
    let (by0, by1) = (u(76.0), u(106.0));
    let mut widths: Vec<usize> = vec![1, 1];
    let mut used = 2;
    while used < BAR_MODULES - 3 {
        let wdt = (1 + design.below(4)).min(BAR_MODULES - 3 - used);
        widths.push(wdt);
        used += wdt;
    }
    if widths.len() % 2 == 1 {
        // End on a space so the end guard starts with a bar.
        widths.push(1);
        used += 1;
    }
    widths.extend([1, 1, 1]);
    let _ = used;
    let mut x = bx0;
    let mut bars = 0;
    for (k, wdt) in widths.iter().enumerate() {
        let x1 = x + *wdt as f32 * mw;
        if k % 2 == 0 {
            let guard = k < 2 || k + 3 >= widths.len();
            let y1 = if guard { by1 + u(3.0) } else { by1 };
            items.push(Item {
                r: [x, by0, x1, y1],
                layer: 0,
                ink: 1.0,
                group: Group::Bar(bars),
            });
            bars += 1;
        }
        x = x1;
    }
    let du = u(1.1);
    let dw = DIGITS.len() as f32 * 4.0 * du;
    text(
        &mut items,
        DIGITS,
        [(w - dw) * 0.5, by1 + u(4.5)],
        du,
        0,
        1.0,
        &|_, _| Group::Digits,
    );
    Layout { items, w, h, bars }
}

/// Ink coverage per layer at 1 sample per label pixel (box-filtered from 3×).
struct Art {
    layers: [Field; 2],
}

const SS: usize = 3;

fn rasterize(lay: &Layout, keep: &dyn Fn(&Item) -> bool, offset: &dyn Fn(&Item) -> P) -> Art {
    let (w, h) = (lay.w.ceil() as usize, lay.h.ceil() as usize);
    let (w3, h3) = (w * SS, h * SS);
    let mut hi = [vec![0.0f32; w3 * h3], vec![0.0f32; w3 * h3]];
    for it in lay.items.iter().filter(|it| keep(it)) {
        let o = offset(it);
        let x0 = (((it.r[0] + o[0]) * SS as f32).round().max(0.0) as usize).min(w3);
        let x1 = (((it.r[2] + o[0]) * SS as f32).round().max(0.0) as usize).min(w3);
        let y0 = (((it.r[1] + o[1]) * SS as f32).round().max(0.0) as usize).min(h3);
        let y1 = (((it.r[3] + o[1]) * SS as f32).round().max(0.0) as usize).min(h3);
        let buf = &mut hi[it.layer];
        for y in y0..y1 {
            buf[y * w3 + x0..y * w3 + x1].fill(it.ink);
        }
    }
    let down = |buf: &Vec<f32>| {
        let mut f = Field::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for dy in 0..SS {
                    let row = (y * SS + dy) * w3 + x * SS;
                    s += buf[row..row + SS].iter().sum::<f32>();
                }
                f.v[y * w + x] = s / (SS * SS) as f32;
            }
        }
        f
    };
    Art {
        layers: [down(&hi[0]), down(&hi[1])],
    }
}

fn bbox(lay: &Layout, pred: &dyn Fn(&Item) -> bool) -> [f32; 4] {
    let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    for it in lay.items.iter().filter(|it| pred(it)) {
        b = [
            b[0].min(it.r[0]),
            b[1].min(it.r[1]),
            b[2].max(it.r[2]),
            b[3].max(it.r[3]),
        ];
    }
    b
}

fn rect_field(w: usize, h: usize, rects: &[[f32; 4]], pad: f32) -> Field {
    let mut f = Field::new(w, h);
    for r in rects {
        let x0 = (r[0] - pad).floor().max(0.0) as usize;
        let y0 = (r[1] - pad).floor().max(0.0) as usize;
        let x1 = ((r[2] + pad).ceil().max(0.0) as usize).min(w);
        let y1 = ((r[3] + pad).ceil().max(0.0) as usize).min(h);
        for y in y0..y1 {
            f.v[y * w + x0..y * w + x1].fill(1.0);
        }
    }
    f
}

fn art_diff(a: &Art, b: &Art, thr: f32) -> Field {
    let mut m = Field::new(a.layers[0].w, a.layers[0].h);
    for i in 0..m.v.len() {
        let d = (a.layers[0].v[i] - b.layers[0].v[i])
            .abs()
            .max((a.layers[1].v[i] - b.layers[1].v[i]).abs());
        if d > thr {
            m.v[i] = 1.0;
        }
    }
    m.dilate(1)
}

/// A print block to remove or disturb, by severity.
fn pick_block(lay: &Layout, d: &mut Rng, sev: usize) -> Box<dyn Fn(&Item) -> bool> {
    match sev {
        0 => {
            let line = d.below(LINES.len());
            let glyphs: Vec<usize> = lay
                .items
                .iter()
                .filter_map(|it| match it.group {
                    Group::Text(l, _, g) if l == line => Some(g),
                    _ => None,
                })
                .collect();
            let g = glyphs[d.below(glyphs.len())];
            Box::new(move |it: &Item| matches!(it.group, Group::Text(l, _, gg) if l == line && gg == g))
        }
        1 => {
            let line = d.below(LINES.len());
            let words = LINES[line].split(' ').count();
            let wd = d.below(words);
            Box::new(move |it: &Item| matches!(it.group, Group::Text(l, ww, _) if l == line && ww == wd))
        }
        _ => match d.below(3) {
            0 => {
                let line = d.below(LINES.len());
                Box::new(move |it: &Item| matches!(it.group, Group::Text(l, _, _) if l == line))
            }
            1 => Box::new(|it: &Item| it.group == Group::Code),
            _ => Box::new(|it: &Item| it.group == Group::Digits),
        },
    }
}

struct Pose {
    c: P,
    cos: f32,
    sin: f32,
    w: f32,
    h: f32,
    radius: f32,
}

impl Pose {
    /// Image point to label pixel coordinates (origin at the label's top-left corner).
    fn local(&self, p: P) -> P {
        let (dx, dy) = (p[0] - self.c[0], p[1] - self.c[1]);
        [
            dx * self.cos + dy * self.sin + self.w * 0.5,
            -dx * self.sin + dy * self.cos + self.h * 0.5,
        ]
    }

    /// Signed distance to the rounded label outline (negative inside).
    fn sdf(&self, q: P) -> f32 {
        let (hx, hy) = (self.w * 0.5 - self.radius, self.h * 0.5 - self.radius);
        let (dx, dy) = ((q[0] - self.w * 0.5).abs() - hx, (q[1] - self.h * 0.5).abs() - hy);
        let out = (dx.max(0.0).powi(2) + dy.max(0.0).powi(2)).sqrt();
        out + dx.max(dy).min(0.0) - self.radius
    }
}

pub(crate) fn render(seed: u64, size: usize, req: Option<DefectReq>) -> (Canvas, Field) {
    let s = size as f32;
    let sc = s / 256.0;
    let mut g = Rng::stream(seed, TAG_GEOMETRY);
    let bg = background(Backdrop::Cardboard, size, &mut g);
    let th = g.sym(3f32.to_radians());
    let pose = Pose {
        c: [s * (0.5 + g.sym(0.03)), s * (0.5 + g.sym(0.03))],
        cos: th.cos(),
        sin: th.sin(),
        w: (0.72 * s).round(),
        h: (0.50 * s).round(),
        radius: 3.0 * sc,
    };
    let paper_k = g.range(0.95, 1.02);
    let paper = [0.935 * paper_k, 0.928 * paper_k, 0.895 * paper_k];
    let density = g.range(0.9, 1.0);
    let black = [0.085, 0.085, 0.095];
    let spot = [0.09 + g.sym(0.01), 0.22 + g.sym(0.015), 0.50 + g.sym(0.02)];
    let fibre_seed = g.next_u64() as u32;
    let curl = [g.sym(0.04), g.sym(0.04)];

    let lay = layout(pose.w, pose.h, sc);
    let keep_all = |_: &Item| true;
    let no_offset = |_: &Item| [0.0, 0.0];
    let good_art = rasterize(&lay, &keep_all, &no_offset);
    let (aw, ah) = (good_art.layers[0].w, good_art.layers[0].h);
    let mut art_mask: Option<Field> = None;
    let mut art = None;
    let mut d = req.map(|r| Rng::new(r.seed));
    if let (Some(req), Some(d)) = (req, d.as_mut()) {
        let sev = req.severity as usize - 1;
        match req.defect {
            Defect::Missing => {
                let (bad, removed) = if d.chance(0.5) {
                    // Barcode bar(s) not printed.
                    let n = [1, 2, 4][sev];
                    let first = 1 + d.below(lay.bars - n - 2);
                    let wide = sev > 0;
                    // Prefer a wide bar at higher severities.
                    let first = if wide {
                        (first..lay.bars - n - 1)
                            .find(|&b| {
                                lay.items
                                    .iter()
                                    .any(|it| it.group == Group::Bar(b) && it.r[2] - it.r[0] > 2.5 * sc)
                            })
                            .unwrap_or(first)
                    } else {
                        first
                    };
                    let gone =
                        move |it: &Item| matches!(it.group, Group::Bar(b) if b >= first && b < first + n);
                    (
                        rasterize(&lay, &|it: &Item| !gone(it), &no_offset),
                        bbox(&lay, &gone),
                    )
                } else {
                    let block = pick_block(&lay, d, sev);
                    (
                        rasterize(&lay, &|it: &Item| !block(it), &no_offset),
                        bbox(&lay, &*block),
                    )
                };
                // Annotated as a person would: the box where the print should be.
                let mut m = rect_field(aw, ah, &[removed], 1.0);
                let diff = art_diff(&good_art, &bad, 0.1);
                for (v, dv) in m.v.iter_mut().zip(&diff.v) {
                    *v = v.max(*dv);
                }
                art_mask = Some(m);
                art = Some(bad);
            }
            Defect::Print => match d.below(3) {
                0 => {
                    // Shifted print block.
                    let block = pick_block(&lay, d, sev.max(1));
                    let dist = [1.3, 2.3, 3.6][sev] * sc * d.range(0.9, 1.15);
                    let a = d.below(4) as f32 * PI * 0.5 + d.sym(0.3);
                    let off = [a.cos() * dist, a.sin() * dist];
                    let b0 = bbox(&lay, &*block);
                    let b1 = [b0[0] + off[0], b0[1] + off[1], b0[2] + off[0], b0[3] + off[1]];
                    let bad = rasterize(&lay, &keep_all, &|it: &Item| {
                        if block(it) { off } else { [0.0, 0.0] }
                    });
                    art_mask = Some(rect_field(aw, ah, &[b0, b1], 1.0));
                    art = Some(bad);
                }
                1 => {
                    // Blurred print (head out of focus / ink bleed) over one block.
                    let b = match d.below(3) {
                        0 => bbox(
                            &lay,
                            &|it: &Item| matches!(it.group, Group::Text(l, _, _) if l == 1 || l == 2),
                        ),
                        1 => bbox(&lay, &|it: &Item| it.group == Group::Code),
                        _ => bbox(&lay, &|it: &Item| matches!(it.group, Group::Bar(_))),
                    };
                    // Only part of the block for the lower severities.
                    let frac = [0.35, 0.6, 1.0][sev];
                    let span = (b[2] - b[0]) * frac;
                    let x0 = b[0] + d.range(0.0, (b[2] - b[0]) - span + 1e-3);
                    let r = [x0, b[1], x0 + span, b[3]];
                    let sigma = [0.75, 1.2, 2.0][sev] * sc;
                    let region = rect_field(aw, ah, &[r], 1.0);
                    let mut bad = rasterize(&lay, &keep_all, &no_offset);
                    for layer in bad.layers.iter_mut() {
                        let mut blurred = layer.clone();
                        blur_field(&mut blurred, sigma);
                        for i in 0..layer.v.len() {
                            if region.v[i] > 0.5 {
                                // Blurred ink also spreads: slightly more coverage.
                                layer.v[i] = (blurred.v[i] * 1.12).min(1.0);
                            }
                        }
                    }
                    art_mask = Some(region);
                    art = Some(bad);
                }
                _ => {
                    // Smudge: wet ink dragged across the print.
                    let on_bars = d.chance(0.5);
                    let b = if on_bars {
                        bbox(&lay, &|it: &Item| matches!(it.group, Group::Bar(_)))
                    } else {
                        bbox(&lay, &|it: &Item| matches!(it.group, Group::Text(..)))
                    };
                    // Start on ink: that is what gets dragged.
                    let mut c = [0.0, 0.0];
                    for _ in 0..200 {
                        c = [
                            d.range(b[0] + 4.0 * sc, b[2] - 4.0 * sc),
                            d.range(b[1] + 2.0 * sc, b[3] - 2.0 * sc),
                        ];
                        if good_art.layers[0].bilinear(c[0], c[1]) > 0.6 {
                            break;
                        }
                    }
                    let rad = [5.5, 8.5, 13.0][sev] * sc * d.range(0.9, 1.15);
                    let len = [4.0, 7.0, 11.0][sev] * sc;
                    // Dragged across the bars (a drag along a bar would hardly show).
                    let a = if on_bars {
                        d.below(2) as f32 * PI + d.sym(0.5)
                    } else {
                        d.range(0.0, 2.0 * PI)
                    };
                    let dir = [a.cos(), a.sin()];
                    let strength = [0.55, 0.75, 0.9][sev];
                    let nseed = d.next_u64() as u32;
                    let mut bad = rasterize(&lay, &keep_all, &no_offset);
                    for li in 0..2 {
                        let src = bad.layers[li].clone();
                        let layer = &mut bad.layers[li];
                        let x0 = (c[0] - rad - len).floor().max(0.0) as usize;
                        let y0 = (c[1] - rad - len).floor().max(0.0) as usize;
                        let x1 = ((c[0] + rad + len).ceil() as usize).min(aw);
                        let y1 = ((c[1] + rad + len).ceil() as usize).min(ah);
                        for y in y0..y1 {
                            for x in x0..x1 {
                                let p = [x as f32 + 0.5, y as f32 + 0.5];
                                let (dx, dy) = (p[0] - c[0], p[1] - c[1]);
                                let q = (dx * dx + dy * dy).sqrt() / rad
                                    + 0.25 * fbm(p[0] / (rad * 0.4), p[1] / (rad * 0.4), nseed, 2);
                                let fall = smoothstep(1.0, 0.5, q);
                                if fall <= 0.0 {
                                    continue;
                                }
                                let mut acc = 0.0;
                                let n = 10;
                                for k in 0..n {
                                    let t = len * k as f32 / (n - 1) as f32;
                                    acc += src.bilinear(p[0] - dir[0] * t, p[1] - dir[1] * t)
                                        * (1.0 - 0.5 * k as f32 / n as f32);
                                }
                                let smear = acc / n as f32 * 1.5;
                                let i = y * aw + x;
                                // Dragged ink plus a grey haze of ink residue.
                                let haze = if li == 0 {
                                    0.14 * strength * fall.sqrt()
                                } else {
                                    0.0
                                };
                                layer.v[i] = layer.v[i].max(smear.min(1.0) * strength * fall).max(haze);
                            }
                        }
                    }
                    art_mask = Some(art_diff(&good_art, &bad, 0.08));
                    art = Some(bad);
                }
            },
            _ => {}
        }
    }
    let art = art.unwrap_or(good_art);

    // Compose: cardboard, label shadow, paper, ink.
    let mut c = bg.clone();
    let mut part = Field::new(size, size);
    let mut mask = Field::new(size, size);
    let soft = 1.8 * sc;
    let sh_off = [0.9 * sc, 1.2 * sc];
    for y in 0..size {
        for x in 0..size {
            let p = [x as f32 + 0.5, y as f32 + 0.5];
            let i = y * size + x;
            let q = pose.local(p);
            if q[0] < -6.0 * sc || q[1] < -6.0 * sc || q[0] > pose.w + 6.0 * sc || q[1] > pose.h + 6.0 * sc {
                continue;
            }
            let qs = pose.local([p[0] - sh_off[0], p[1] - sh_off[1]]);
            let sh = smoothstep(soft, -soft, pose.sdf(qs)) * 0.35;
            let bgp = [
                c.px[i][0] * (1.0 - sh),
                c.px[i][1] * (1.0 - sh),
                c.px[i][2] * (1.0 - sh),
            ];
            let cov = (0.5 - pose.sdf(q)).clamp(0.0, 1.0);
            if cov <= 0.0 {
                c.px[i] = bgp;
                continue;
            }
            let (nx, ny) = (q[0] / pose.w - 0.5, q[1] / pose.h - 0.5);
            let fib = 1.0
                + 0.012 * fbm(q[0] / (2.5 * sc), q[1] / (2.5 * sc), fibre_seed, 2)
                + curl[0] * nx
                + curl[1] * ny;
            let mut col = [paper[0] * fib, paper[1] * fib, paper[2] * fib];
            let a1 = art.layers[1].bilinear(q[0], q[1]) * density;
            let a0 = art.layers[0].bilinear(q[0], q[1]) * density;
            for ch in 0..3 {
                col[ch] += (spot[ch] * fib - col[ch]) * a1;
                col[ch] += (black[ch] * fib - col[ch]) * a0;
            }
            c.px[i] = [
                bgp[0] + (col[0] - bgp[0]) * cov,
                bgp[1] + (col[1] - bgp[1]) * cov,
                bgp[2] + (col[2] - bgp[2]) * cov,
            ];
            part.v[i] = cov;
            if let Some(am) = &art_mask
                && am.bilinear(q[0], q[1]) >= 0.5
                && cov > 0.5
            {
                mask.v[i] = 1.0;
            }
        }
    }
    if let (Some(req), Some(d)) = (req, d.as_mut()) {
        let surf = Surface {
            part: &part,
            material: Material::Paper,
            size: s,
        };
        match req.defect {
            Defect::Scratch => mask = surface::scratch(&mut c, &surf, req.severity, d),
            Defect::Stain => mask = surface::stain(&mut c, &surf, req.severity, d),
            _ => {}
        }
    }
    let camera = Camera {
        gradient: 0.1,
        vignette: 0.14,
        blur: 0.65 * sc,
        noise: 0.009,
    };
    camera.apply(&mut c, &mut Rng::stream(seed, TAG_CAMERA));
    (c, mask)
}
