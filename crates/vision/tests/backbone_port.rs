//! The EfficientNet-Lite0 port against an independent reference: ONNX Runtime
//! running a graph built from the same weights (models/tools/
//! reference_efficientnet_lite0.py), on real photos.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use linesight_vision::{
    backbone::{EfficientNetLite0, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD},
    cpu_net::CpuNet,
    preprocess::{to_input, to_map},
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(device: &Device) -> EfficientNetLite0 {
    EfficientNetLite0::load(
        &repo().join("models/efficientnet-lite0/backbone.safetensors"),
        device,
    )
    .expect("backbone weights load")
}

fn argmax(v: &[f32]) -> usize {
    v.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap()
}

#[test]
fn logits_match_the_reference_and_classes_are_right() {
    let device = Device::flex();
    let model = load(&device);
    let folded = CpuNet::from_burn(&model);
    let fixtures = repo().join("tests/fixtures/imagenet");
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("reference_logits.json")).unwrap())
            .unwrap();

    // ImageNet classes each photo must land in.
    let expected: [(&str, &[usize]); 2] = [
        ("chelsea_224.png", &[281, 282, 285]), // tabby, tiger cat, Egyptian cat
        ("coffee_224.png", &[967, 504, 968]),  // espresso, coffee mug, cup
    ];
    for (name, classes) in expected {
        let image = image::open(fixtures.join(name)).unwrap().to_rgb8();
        let x = to_input(&image, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD, &device);
        let burn_logits = model.logits(x).into_data().try_to_vec::<f32>().unwrap();
        let folded_logits = folded.logits(&to_map(&image, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD));
        let want: Vec<f32> = reference["images"][name]["logits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        for (path, logits) in [("burn port", &burn_logits), ("folded CPU path", &folded_logits)] {
            assert_eq!(logits.len(), want.len());
            let worst = logits
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            eprintln!(
                "{name}, {path}: top-1 {}, largest logit difference from ONNX Runtime {worst:e}",
                argmax(logits)
            );
            assert!(worst < 1e-3, "{name}, {path}: largest logit difference {worst}");
            let top = argmax(logits);
            assert!(
                classes.contains(&top),
                "{name}, {path}: top-1 class {top}, expected one of {classes:?}"
            );
        }
    }
}

/// The inspection features (blocks 4 and 10) of the folded path are the burn port's.
#[test]
fn folded_features_match_the_port() {
    let device = Device::flex();
    let model = load(&device);
    let folded = CpuNet::from_burn(&model);
    let image = image::open(repo().join("tests/fixtures/imagenet/coffee_224.png"))
        .unwrap()
        .to_rgb8();
    let burn = model.block_features(
        to_input(&image, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD, &device),
        &[4, 10],
    );
    let ours = folded.block_features(&to_map(&image, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD), &[4, 10]);
    for (b, f) in burn.into_iter().zip(ours) {
        let [_, c, h, w] = b.dims();
        assert_eq!((f.channels, f.height, f.width), (c, h, w));
        let b = b.into_data().try_to_vec::<f32>().unwrap();
        let mut worst = 0.0f32;
        for (p, px) in f.data.chunks_exact(c).enumerate() {
            for (ch, v) in px.iter().enumerate() {
                worst = worst.max((v - b[ch * h * w + p]).abs());
            }
        }
        eprintln!("{c} × {h} × {w}: largest difference {worst:e}");
        assert!(worst < 1e-3, "{c} × {h} × {w}: largest difference {worst}");
    }
}
