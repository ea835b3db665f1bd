//! Drawing moving things onto a frame: shapes given as a signed distance
//! (negative inside, in pixels) are anti-aliased over one pixel.

use crate::raster::{Canvas, lerp3};

/// The backdrop as seen by a camera moved by `off` pixels (bilinear, edges clamped).
pub(crate) fn shifted(b: &Canvas, off: [f32; 2]) -> Canvas {
    if off == [0.0, 0.0] {
        return b.clone();
    }
    let (w, h) = (b.w, b.h);
    // One offset for the whole frame: the same two taps and weights on every row and column.
    let taps = |n: usize, o: f32| -> (Vec<(usize, usize)>, f32) {
        let (o0, t) = (o.floor(), o - o.floor());
        let idx = (0..n as isize)
            .map(|i| {
                let a = (i + o0 as isize).clamp(0, n as isize - 1) as usize;
                let b = (i + o0 as isize + 1).clamp(0, n as isize - 1) as usize;
                (a, b)
            })
            .collect();
        (idx, t)
    };
    let (cols, tx) = taps(w, off[0]);
    let (rows, ty) = taps(h, off[1]);
    let mut c = Canvas::new(w, h, [0.0; 3]);
    for (y, &(r0, r1)) in rows.iter().enumerate() {
        let (top, bot) = (&b.px[r0 * w..(r0 + 1) * w], &b.px[r1 * w..(r1 + 1) * w]);
        for (x, &(c0, c1)) in cols.iter().enumerate() {
            let t = lerp3(top[c0], top[c1], tx);
            let d = lerp3(bot[c0], bot[c1], tx);
            c.px[y * w + x] = lerp3(t, d, ty);
        }
    }
    c
}

/// Visits the pixels whose centres lie (in world coordinates) inside
/// `bbox` = [x0, y0, x1, y1], calling `f(pixel, world x, world y)`.
pub(crate) fn visit(
    c: &mut Canvas,
    off: [f32; 2],
    bbox: [f32; 4],
    mut f: impl FnMut(&mut [f32; 3], f32, f32),
) {
    let (w, h) = (c.w as isize, c.h as isize);
    let x0 = ((bbox[0] - off[0]).floor() as isize - 1).clamp(0, w);
    let y0 = ((bbox[1] - off[1]).floor() as isize - 1).clamp(0, h);
    let x1 = ((bbox[2] - off[0]).ceil() as isize + 1).clamp(0, w);
    let y1 = ((bbox[3] - off[1]).ceil() as isize + 1).clamp(0, h);
    for y in y0..y1 {
        for x in x0..x1 {
            let (wx, wy) = (x as f32 + 0.5 + off[0], y as f32 + 0.5 + off[1]);
            f(&mut c.px[y as usize * c.w + x as usize], wx, wy);
        }
    }
}

/// Coverage of a pixel by a shape at signed distance `d`.
pub(crate) fn coverage(d: f32) -> f32 {
    (0.5 - d).clamp(0.0, 1.0)
}

/// Signed distance to an axis-aligned ellipse (approximate, exact on the axes).
pub(crate) fn ellipse(p: [f32; 2], c: [f32; 2], rx: f32, ry: f32) -> f32 {
    let (dx, dy) = ((p[0] - c[0]) / rx, (p[1] - c[1]) / ry);
    let k = (dx * dx + dy * dy).sqrt();
    (k - 1.0) * rx.min(ry)
}

/// Signed distance to a box with rounded corners (centre, half sizes, radius).
pub(crate) fn rounded_box(p: [f32; 2], c: [f32; 2], half: [f32; 2], r: f32) -> f32 {
    let q = [
        (p[0] - c[0]).abs() - half[0] + r,
        (p[1] - c[1]).abs() - half[1] + r,
    ];
    let outside = (q[0].max(0.0).powi(2) + q[1].max(0.0).powi(2)).sqrt();
    outside + q[0].max(q[1]).min(0.0) - r
}

/// Signed distance to a capsule (segment a–b of radius r).
pub(crate) fn capsule(p: [f32; 2], a: [f32; 2], b: [f32; 2], r: f32) -> f32 {
    crate::raster::seg_dist(p, a, b).0 - r
}

/// Paints a shape of colour `col(x, y)` with opacity `alpha`.
pub(crate) fn fill(
    c: &mut Canvas,
    off: [f32; 2],
    bbox: [f32; 4],
    sdf: impl Fn([f32; 2]) -> f32,
    col: impl Fn(f32, f32) -> [f32; 3],
    alpha: f32,
) {
    visit(c, off, bbox, |px, x, y| {
        let a = coverage(sdf([x, y])) * alpha;
        if a > 0.0 {
            *px = lerp3(*px, col(x, y), a);
        }
    });
}

/// Darkens under a soft shape to `k` of the light (a shadow).
pub(crate) fn darken(
    c: &mut Canvas,
    off: [f32; 2],
    bbox: [f32; 4],
    sdf: impl Fn([f32; 2]) -> f32,
    k: f32,
    soft: f32,
) {
    visit(
        c,
        off,
        [bbox[0] - soft, bbox[1] - soft, bbox[2] + soft, bbox[3] + soft],
        |px, x, y| {
            let a = ((0.5 * soft - sdf([x, y])) / soft.max(1.0)).clamp(0.0, 1.0);
            if a > 0.0 {
                let g = 1.0 - (1.0 - k) * a;
                px.iter_mut().for_each(|v| *v *= g);
            }
        },
    );
}
