//! `linesight bench`: how fast the inspection path runs on this machine.
//! Latencies are per call after warm-up, over the same decoded images every
//! time; `--peer` adds the ONNX Runtime figures of models/tools/bench_onnxruntime.py
//! measured on the same images, so the table compares like with like.

use std::{
    path::{Path, PathBuf},
    sync::atomic::AtomicBool,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use image::RgbImage;
use linesight_datagen::{Category, SetSpec, generate};
use linesight_vision::{
    backbone::{INPUT_SIZE, PIXEL_MEAN, PIXEL_STD},
    dataset::{DataSet, images_in},
    inspector::aligned_input,
    patchcore::DEFAULT_BLOCKS,
    preprocess::{load_rgb, to_map},
    train::{TrainConfig, train},
};
use serde::{Deserialize, Serialize};

use linesight_vision::models::Models;

#[derive(clap::Args)]
pub struct Args {
    /// Images to time on (PNG or JPEG); the first `--images` of them are used.
    #[arg(long)]
    dir: PathBuf,
    /// Model bundle for the whole-inspection figure.
    #[arg(long)]
    model: PathBuf,
    /// How many images of DIR to cycle through.
    #[arg(long, default_value_t = 20)]
    images: usize,
    /// Timed calls per figure (after 5 warm-up calls).
    #[arg(long, default_value_t = 100)]
    runs: usize,
    /// Good images the training figure is taught from (generated washers; 0 skips it).
    #[arg(long, default_value_t = 200)]
    train_images: usize,
    /// ONNX Runtime figures (JSON from bench_onnxruntime.py) to set beside ours.
    #[arg(long)]
    peer: Option<PathBuf>,
    /// Also write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// One timed figure: latency per call and the images it handles per call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub batch: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub images_per_s: f64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Peer {
    runtime: String,
    threads: usize,
    figures: Vec<Figure>,
}

#[derive(Serialize)]
struct Report {
    machine: String,
    threads: usize,
    figures: Vec<Figure>,
    train_images: usize,
    train_seconds: Option<f64>,
}

const WARM_UP: usize = 5;

fn time(name: &str, batch: usize, runs: usize, mut call: impl FnMut(usize)) -> Figure {
    for i in 0..WARM_UP {
        call(i);
    }
    let mut samples: Vec<Duration> = (0..runs)
        .map(|i| {
            let start = Instant::now();
            call(i);
            start.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    let total: f64 = samples.iter().map(Duration::as_secs_f64).sum();
    let figure = Figure {
        name: name.into(),
        batch,
        p50_ms: ms(0.5),
        p95_ms: ms(0.95),
        images_per_s: (batch * runs) as f64 / total,
    };
    eprintln!(
        "{name:<44} batch {batch}: p50 {:.1} ms, p95 {:.1} ms, {:.1} images/s",
        figure.p50_ms, figure.p95_ms, figure.images_per_s
    );
    figure
}

fn load_images(dir: &Path, count: usize) -> anyhow::Result<Vec<RgbImage>> {
    let mut paths = images_in(dir)?;
    paths.truncate(count);
    if paths.is_empty() {
        bail!("no PNG or JPEG images in {}", dir.display());
    }
    Ok(paths.iter().map(|p| load_rgb(p)).collect::<Result<_, _>>()?)
}

pub fn run(models: &Models, args: Args) -> anyhow::Result<()> {
    let images = load_images(&args.dir, args.images.max(1))?;
    let inspector = models.inspector(&args.model)?;
    let net = &models.net;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Backbone figures start from the network input, as the peer's do.
    let inputs: Vec<_> = images
        .iter()
        .map(|img| to_map(img, INPUT_SIZE, PIXEL_MEAN, PIXEL_STD))
        .collect();
    let input = |i: usize| &inputs[i % inputs.len()];

    let runs = args.runs.max(1);
    let mut figures = vec![
        time("backbone to logits (ImageNet head)", 1, runs, |i| {
            std::hint::black_box(net.logits(input(i)));
        }),
        time("backbone to logits (ImageNet head)", 8, runs.div_ceil(8), |i| {
            for k in 0..8 {
                std::hint::black_box(net.logits(input(i * 8 + k)));
            }
        }),
        time("backbone to block 10 (anomaly features)", 1, runs, |i| {
            std::hint::black_box(net.block_features(input(i), &DEFAULT_BLOCKS));
        }),
        time(
            "whole inspection: preprocess + backbone + scoring",
            1,
            runs,
            |i| {
                std::hint::black_box(inspector.inspect(&images[i % images.len()], 0.0));
            },
        ),
    ];
    // What registration adds, for a model that aligns: the same preprocessing with and without it.
    if let Some(spec) = &inspector.manifest().align {
        let aligner = spec.aligner()?;
        let t = &inspector.manifest().input;
        let image = |i: usize| &images[i % images.len()];
        figures.push(time(
            "preprocess without alignment (model's input)",
            1,
            runs,
            |i| {
                std::hint::black_box(aligned_input(image(i), t, None));
            },
        ));
        figures.push(time("preprocess with alignment (pose + warp)", 1, runs, |i| {
            std::hint::black_box(aligned_input(image(i), t, Some(&aligner)));
        }));
    }

    let train_seconds = (args.train_images > 0)
        .then(|| time_training(models, args.train_images))
        .transpose()?;
    let report = Report {
        machine: machine(),
        threads,
        figures,
        train_images: args.train_images,
        train_seconds,
    };
    let peer: Option<Peer> = match &args.peer {
        Some(path) => Some(
            serde_json::from_slice(
                &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            )
            .with_context(|| format!("{} is not bench_onnxruntime.py output", path.display()))?,
        ),
        None => None,
    };
    print!("{}", markdown(&report, peer.as_ref()));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}

fn time_training(models: &Models, count: usize) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir()?;
    let spec = SetSpec {
        category: Category::Washer,
        train_good: count,
        test_good: 0,
        test_defect_per_type: 0,
        size: 256,
        seed: 7,
    };
    let set = generate(&spec, dir.path())?;
    let data = DataSet::scan(&set.root)?;
    let cfg = TrainConfig::defaults("bench".into(), chrono::Utc::now().to_rfc3339());
    let start = Instant::now();
    train(
        &models.net,
        &models.backbone_sha256,
        &data,
        &cfg,
        &mut |_| {},
        &AtomicBool::new(false),
    )?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("training on {count} good images (decode included): {seconds:.1} s");
    Ok(seconds)
}

/// The CPU model, for the record.
fn machine() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.into())
}

fn markdown(report: &Report, peer: Option<&Peer>) -> String {
    let mut out = format!(
        "Machine: {}, {} threads.\n\n| Figure | Batch | Linesight p50 ms | p95 ms | images/s |",
        report.machine, report.threads
    );
    if let Some(p) = peer {
        out += &format!(
            " {} p50 ms | p95 ms | images/s | Linesight / peer (p50) |",
            p.runtime
        );
    }
    out += "\n|---|---|---|---|---|";
    if peer.is_some() {
        out += "---|---|---|---|";
    }
    out += "\n";
    for f in &report.figures {
        out += &format!(
            "| {} | {} | {:.1} | {:.1} | {:.1} |",
            f.name, f.batch, f.p50_ms, f.p95_ms, f.images_per_s
        );
        if let Some(p) = peer {
            match p.figures.iter().find(|g| g.name == f.name && g.batch == f.batch) {
                Some(g) => {
                    out += &format!(
                        " {:.1} | {:.1} | {:.1} | {:.2} × |",
                        g.p50_ms,
                        g.p95_ms,
                        g.images_per_s,
                        f.p50_ms / g.p50_ms
                    )
                }
                None => out += " – | – | – | – |",
            }
        }
        out += "\n";
    }
    if let Some(s) = report.train_seconds {
        out += &format!(
            "\nTraining on {} good images (decode, features, coreset, calibration): {s:.1} s.\n",
            report.train_images
        );
    }
    out
}
