//! The whole loop an engineer runs: generate a set, `linesight train`,
//! `linesight eval`, `linesight infer`, on real decoded images.

use std::{path::Path, process::Command};

use linesight_datagen::{Category, SetSpec, generate};

fn linesight(args: &[&str]) -> std::process::Output {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    Command::new(env!("CARGO_BIN_EXE_linesight"))
        .arg("--models")
        .arg(models)
        .args(args)
        .output()
        .expect("linesight runs")
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn train_then_eval_then_infer_on_generated_washers() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = SetSpec {
        category: Category::Washer,
        train_good: 30,
        test_good: 10,
        test_defect_per_type: 4,
        size: 224,
        seed: 7,
    };
    generate(&spec, tmp.path()).unwrap();
    let set = tmp.path().join("washer");
    let bundle = tmp.path().join("washer-model");
    let bundle_s = bundle.to_str().unwrap();

    ok(&linesight(&[
        "train",
        set.to_str().unwrap(),
        "--out",
        bundle_s,
        "--memory-cap",
        "2000",
    ]));
    assert!(bundle.join("manifest.json").is_file() && bundle.join("memory_bank.bin").is_file());

    let eval: serde_json::Value = serde_json::from_str(&ok(&linesight(&[
        "eval",
        "--model",
        bundle_s,
        set.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    let auroc = eval["image_auroc"].as_f64().unwrap();
    eprintln!("washer: AUROC {auroc:.4}, {eval}");
    // 30 training images give about 0.89 here; 200 give about 0.98 (see README).
    assert!(auroc >= 0.85, "AUROC {auroc}");

    // One good and one defect image: the defect scores higher and gets its heatmap.
    let good = set.join("test/good/000.png");
    let defect_dir = std::fs::read_dir(set.join("test"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap() != "good")
        .unwrap();
    let defect = defect_dir.join("000.png");
    let heat = tmp.path().join("heat");
    let out = ok(&linesight(&[
        "infer",
        "--model",
        bundle_s,
        "--json",
        "--heatmap-dir",
        heat.to_str().unwrap(),
        good.to_str().unwrap(),
        defect.to_str().unwrap(),
    ]));
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let score = |row: &serde_json::Value| row["score"].as_f64().expect("a numeric score");
    assert!(score(&rows[1]) > score(&rows[0]), "{rows:?}");
    assert_eq!(rows[1]["verdict"], "ng", "{rows:?}");
    // Both images are named 000.png: each still gets its own heatmap.
    assert!(heat.join("000-000.heatmap.png").is_file() && heat.join("001-000.heatmap.png").is_file());
}

#[test]
fn a_corrupt_bundle_is_refused_with_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("bundle")).unwrap();
    std::fs::write(tmp.path().join("bundle/manifest.json"), "{ not json").unwrap();
    let image = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/imagenet/coffee_224.png");
    let out = linesight(&[
        "infer",
        "--model",
        tmp.path().join("bundle").to_str().unwrap(),
        image.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Linesight model manifest"), "{err}");
}

#[test]
fn the_shipped_demo_bundle_loads_and_tells_a_defect_from_a_good_part() {
    use linesight_datagen::{Defect, render_defect, render_good};
    let tmp = tempfile::tempdir().unwrap();
    // Seeds the demo set was not generated from.
    let good = tmp.path().join("good.png");
    render_good(Category::Washer, 91_001, 256).save(&good).unwrap();
    let defect = tmp.path().join("crack.png");
    render_defect(Category::Washer, Defect::Crack, 3, 91_002, 256)
        .unwrap()
        .0
        .save(&defect)
        .unwrap();
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/demo-washer");
    let out = ok(&linesight(&[
        "infer",
        "--model",
        bundle.to_str().unwrap(),
        "--json",
        good.to_str().unwrap(),
        defect.to_str().unwrap(),
    ]));
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows[0]["verdict"], "ok", "{rows:?}");
    assert_eq!(rows[1]["verdict"], "ng", "{rows:?}");
}

/// Labelled defect images in train/<type>/ give a ROC threshold and a
/// classifier that names the type of rejected parts it has not seen.
#[test]
fn labelled_defects_teach_the_defect_types() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = |seed, test_defect_per_type| SetSpec {
        category: Category::Washer,
        train_good: 30,
        test_good: 10,
        test_defect_per_type,
        size: 224,
        seed,
    };
    // Examples to learn from come from another generated batch than the test set.
    let examples = tmp.path().join("examples");
    generate(&spec(3, 8), &examples).unwrap();
    generate(&spec(7, 6), tmp.path()).unwrap();
    let set = tmp.path().join("washer");
    for entry in std::fs::read_dir(examples.join("washer/test")).unwrap() {
        let dir = entry.unwrap().path();
        let kind = dir.file_name().unwrap().to_owned();
        if kind != "good" {
            let to = set.join("train").join(&kind);
            std::fs::create_dir_all(&to).unwrap();
            for image in std::fs::read_dir(&dir).unwrap() {
                let image = image.unwrap().path();
                std::fs::copy(&image, to.join(image.file_name().unwrap())).unwrap();
            }
        }
    }
    let bundle = tmp.path().join("model");
    ok(&linesight(&[
        "train",
        set.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["calibration"]["method"], "roc_youden", "{manifest}");
    assert_eq!(manifest["labels"].as_array().unwrap().len(), 4, "{manifest}");
    assert!(bundle.join("defect_head.bin").is_file());

    let eval: serde_json::Value = serde_json::from_str(&ok(&linesight(&[
        "eval",
        "--model",
        bundle.to_str().unwrap(),
        set.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    eprintln!("washer with labelled defects: {eval}");
    let named = eval["defect_type_accuracy"]
        .as_f64()
        .expect("the classifier named rejected parts");
    // Four types: chance is 0.25.
    assert!(named >= 0.6, "defect types named right: {named}");
}
