//! Time to each backbone block's output and to the logits, one image, for
//! comparison with ONNX Runtime on graphs cut at the same blocks
//! (`models/tools/bench_onnxruntime_blocks.py`). Run from the repository root:
//! `RAYON_NUM_THREADS=1 cargo run --release -p linesight-vision --example block_times`.
use linesight_vision::{cpu_net::FeatureMap, models::Models};
use std::time::Instant;
fn main() {
    let models = Models::load(std::path::Path::new("models")).unwrap();
    let x = FeatureMap {
        height: 224,
        width: 224,
        channels: 3,
        data: (0..224 * 224 * 3)
            .map(|i| ((i * 7919) % 255) as f32 / 128.0 - 1.0)
            .collect(),
    };
    let time = |label: &str, run: &dyn Fn()| {
        (0..10).for_each(|_| run());
        let mut t: Vec<f64> = (0..200)
            .map(|_| {
                let s = Instant::now();
                run();
                s.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        t.sort_by(f64::total_cmp);
        println!("{label}: best {:.2} p50 {:.2} ms", t[0], t[100]);
    };
    for k in 0..16 {
        time(&format!("block {k}"), &|| {
            std::hint::black_box(models.net.block_features(&x, &[k]));
        });
    }
    time("logits", &|| {
        std::hint::black_box(models.net.logits(&x));
    });
}
