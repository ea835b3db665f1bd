//! The EfficientNet-Lite0 port against an independent reference: ONNX Runtime
//! running a graph built from the same weights (models/tools/
//! reference_efficientnet_lite0.py), on real photos.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use linesight_vision::{
    backbone::{EfficientNetLite0, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD},
    preprocess::to_input,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
    let model = EfficientNetLite0::load(
        &repo().join("models/efficientnet-lite0/backbone.safetensors"),
        &device,
    )
    .expect("backbone weights load");
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
        let logits = model.logits(x).into_data().try_to_vec::<f32>().unwrap();
        let want: Vec<f32> = reference["images"][name]["logits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(logits.len(), want.len());
        let worst = logits
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        eprintln!(
            "{name}: top-1 {}, largest logit difference from ONNX Runtime {worst:e}",
            argmax(&logits)
        );
        assert!(worst < 1e-3, "{name}: largest logit difference {worst}");
        let top = argmax(&logits);
        assert!(
            classes.contains(&top),
            "{name}: top-1 class {top}, expected one of {classes:?}"
        );
    }
}
