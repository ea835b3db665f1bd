//! Renders contact sheets for eyeballing the generator.
//!
//! `cargo run -p linesight-datagen --example contact_sheet -- [OUT.png] [SIZE] [SEED]`
//!
//! Writes OUT.png (every category: good samples, then each defect at
//! severities 1..3, at half size) and OUT-<category>.png per category at full
//! size: first row good samples, then one row per defect type with severities
//! 1, 2, 3 followed by the same images with the ground-truth outline in red.

use std::path::PathBuf;

use image::imageops::{self, FilterType};
use image::{GrayImage, Rgb, RgbImage};
use linesight_datagen::{Category, render_defect, render_good};

fn outline(img: &RgbImage, mask: &GrayImage) -> RgbImage {
    let mut out = img.clone();
    let (w, h) = mask.dimensions();
    for y in 0..h {
        for x in 0..w {
            if mask.get_pixel(x, y)[0] == 0 {
                continue;
            }
            let edge = [(-1i32, 0i32), (1, 0), (0, -1), (0, 1)].iter().any(|(dx, dy)| {
                let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                nx < 0
                    || ny < 0
                    || nx >= w as i32
                    || ny >= h as i32
                    || mask.get_pixel(nx as u32, ny as u32)[0] == 0
            });
            if edge {
                out.put_pixel(x, y, Rgb([255, 32, 32]));
            }
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("/tmp/datagen-sheet.png"),
    );
    let size: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(256);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let gap = 4;
    let thumb = size / 2;
    let most = Category::ALL.iter().map(|c| c.defects().len()).max().unwrap_or(0) as u32;
    let cols = 2 + 3 * most;
    let mut overview = RgbImage::from_pixel(cols * (thumb + gap), 6 * (thumb + gap), Rgb([255, 255, 255]));
    for (row, cat) in Category::ALL.into_iter().enumerate() {
        let defects = cat.defects();
        let mut sheet = RgbImage::from_pixel(
            6 * (size + gap),
            (1 + defects.len() as u32) * (size + gap),
            Rgb([255, 255, 255]),
        );
        let mut put = |img: &RgbImage, c: u32, r: u32| {
            imageops::replace(
                &mut sheet,
                img,
                (c * (size + gap)) as i64,
                (r * (size + gap)) as i64,
            );
        };
        let mut col = 0;
        for k in 0..6u64 {
            let g = render_good(cat, seed * 1000 + k, size);
            put(&g, k as u32, 0);
            if k < 2 {
                let t = imageops::resize(&g, thumb, thumb, FilterType::Triangle);
                imageops::replace(
                    &mut overview,
                    &t,
                    (col * (thumb + gap)) as i64,
                    (row as u32 * (thumb + gap)) as i64,
                );
                col += 1;
            }
        }
        for (r, &d) in defects.iter().enumerate() {
            for sev in 1..=3u8 {
                let (img, mask) =
                    render_defect(cat, d, sev, seed * 1000 + 10 * r as u64 + sev as u64, size).unwrap();
                let area = mask.pixels().filter(|p| p[0] > 0).count() as f32 / (size * size) as f32 * 100.0;
                println!("{cat:>7} {d:>8} sev{sev}: mask {area:.2}%");
                put(&img, sev as u32 - 1, r as u32 + 1);
                put(&outline(&img, &mask), sev as u32 + 2, r as u32 + 1);
                let t = imageops::resize(&img, thumb, thumb, FilterType::Triangle);
                imageops::replace(
                    &mut overview,
                    &t,
                    (col * (thumb + gap)) as i64,
                    (row as u32 * (thumb + gap)) as i64,
                );
                col += 1;
            }
        }
        let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("sheet");
        let path = out.with_file_name(format!("{stem}-{cat}.png"));
        sheet.save(&path).unwrap();
    }
    overview.save(&out).unwrap();
    println!("wrote {} and per-category sheets beside it", out.display());
}
