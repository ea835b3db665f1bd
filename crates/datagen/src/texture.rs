//! Texture categories: random crops of scikit-image's CC0 sample photos
//! (`brick`, `gravel`, `grass`; see `assets/README.md`).

use std::sync::OnceLock;

use image::GrayImage;

use crate::raster::{Camera, Canvas, Field};
use crate::rng::Rng;
use crate::texture_defects::{self, Tex, grain_px};
use crate::{Category, DefectReq, TAG_CAMERA, TAG_GEOMETRY};

static BRICK_PNG: &[u8] = include_bytes!("../assets/brick.png");
static GRAVEL_PNG: &[u8] = include_bytes!("../assets/gravel.png");
static GRASS_PNG: &[u8] = include_bytes!("../assets/grass.png");

fn decode(bytes: &[u8]) -> GrayImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .expect("embedded texture photo is a valid PNG")
        .into_luma8()
}

/// The decoded photo of a texture category.
pub(crate) fn photo(category: Category) -> &'static GrayImage {
    static BRICK: OnceLock<GrayImage> = OnceLock::new();
    static GRAVEL: OnceLock<GrayImage> = OnceLock::new();
    static GRASS: OnceLock<GrayImage> = OnceLock::new();
    match category {
        Category::Brick => BRICK.get_or_init(|| decode(BRICK_PNG)),
        Category::Gravel => GRAVEL.get_or_init(|| decode(GRAVEL_PNG)),
        Category::Grass => GRASS.get_or_init(|| decode(GRASS_PNG)),
        _ => unreachable!("not a texture category"),
    }
}

pub(crate) fn sample(img: &GrayImage, x: f32, y: f32) -> f32 {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (fx, fy) = (x - 0.5, y - 0.5);
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    let raw = img.as_raw();
    let get = |xi: i64, yi: i64| raw[(yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)) as usize] as f32;
    let (xi, yi) = (x0 as i64, y0 as i64);
    let a = get(xi, yi) * (1.0 - tx) + get(xi + 1, yi) * tx;
    let b = get(xi, yi + 1) * (1.0 - tx) + get(xi + 1, yi + 1) * tx;
    (a * (1.0 - ty) + b * ty) / 255.0
}

pub(crate) fn render(category: Category, seed: u64, size: usize, req: Option<DefectReq>) -> (Canvas, Field) {
    let img = photo(category);
    let s = size as f32;
    let mut g = Rng::stream(seed, TAG_GEOMETRY);
    // Source pixels per output pixel: 1:1 up to 360 px, then shrink to keep the crop inside the photo.
    let step = (360.0 / s).min(1.0) * g.range(0.96, 1.04);
    let angle = g.sym(6f32.to_radians());
    let (ca, sa) = (angle.cos(), angle.sin());
    let half = s * step * 0.5 * (ca.abs() + sa.abs());
    let (pw, ph) = (img.width() as f32, img.height() as f32);
    let cx = g.range(half + 1.0, pw - half - 1.0);
    let cy = g.range(half + 1.0, ph - half - 1.0);
    let gain = g.range(0.93, 1.07);
    let bias = g.sym(0.03);
    let mut c = Canvas::new(size, size, [0.0; 3]);
    for y in 0..size {
        for x in 0..size {
            let (dx, dy) = (
                (x as f32 + 0.5 - s * 0.5) * step,
                (y as f32 + 0.5 - s * 0.5) * step,
            );
            let v = sample(img, cx + dx * ca - dy * sa, cy + dx * sa + dy * ca) * gain + bias;
            c.px[y * size + x] = [v, v, v];
        }
    }
    let mut mask = Field::new(size, size);
    if let Some(req) = req {
        let tex = Tex {
            category,
            size: s,
            // Small images show the texture coarser, so that every severity still fits.
            grain: (grain_px(category) / step).min(s / 12.0),
            step,
        };
        // Kind, shape and place depend on the image seed and defect type only;
        // the severity scales size and contrast (`req.seed` is not used here).
        let mut d = texture_defects::stream(seed, category, req.defect);
        mask = texture_defects::paint(&mut c, &tex, req.defect, req.severity, &mut d);
    }
    // The photo already has its own optics and noise: only a mild lighting drift and sensor noise.
    let camera = Camera {
        gradient: 0.05,
        vignette: 0.05,
        blur: 0.0,
        noise: 0.006,
    };
    camera.apply(&mut c, &mut Rng::stream(seed, TAG_CAMERA));
    (c, mask)
}
