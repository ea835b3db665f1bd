//! A contact sheet of a generated video: every `step`-th frame side by side.
//!
//! ```text
//! cargo run -p linesight-datagen --example video_sheet -- <scene> <seed> <noisy 0|1> <step> <out.png>
//! ```

use image::{RgbImage, imageops};
use linesight_datagen::video::{Scene, Video, VideoSpec};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scene = Scene::ALL
        .into_iter()
        .find(|s| format!("{s:?}").eq_ignore_ascii_case(args.get(1).map_or("entrance", |s| s)))
        .unwrap_or(Scene::Entrance);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let noisy = args.get(3).is_some_and(|s| s == "1");
    let step: u32 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(15).max(1);
    let out = args.get(5).map_or("sheet.png", |s| s);
    let v = Video::new(VideoSpec::new(scene, seed).noisy(noisy)).unwrap_or_else(|e| panic!("{e}"));
    let picks: Vec<u32> = (0..v.len()).step_by(step as usize).collect();
    let cols = 8u32;
    let rows = (picks.len() as u32).div_ceil(cols);
    let (w, h) = v.frame(0).dimensions();
    let mut sheet = RgbImage::new(cols * w, rows * h);
    for (k, &i) in picks.iter().enumerate() {
        let k = k as u32;
        imageops::replace(
            &mut sheet,
            &v.frame(i),
            ((k % cols) * w) as i64,
            ((k / cols) * h) as i64,
        );
    }
    sheet.save(out).unwrap_or_else(|e| panic!("{out}: {e}"));
    println!(
        "{scene:?} seed {seed}: {} frames, truth {:?}; wrote {out}",
        v.len(),
        v.truth()
    );
}
