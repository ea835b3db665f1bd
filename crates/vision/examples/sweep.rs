//! Research harness: image AUROC of several detector variants on one
//! MVTec-layout category, features computed once.
//! `cargo run --release -p linesight-vision --example sweep -- <set>/<category> pc:4,10 padim:4,10:100:1 …`

use std::{path::Path, time::Instant};

use linesight_vision::{
    backbone::{INPUT_SIZE, PIXEL_MEAN, PIXEL_STD},
    bundle::InputTransform,
    calibrate::auroc,
    cpu_net::FeatureMap,
    dataset::DataSet,
    inspector::input_for,
    models::Models,
    padim,
    patchcore::{AnomalyGrid, GoodSpread, ImageScoring, MemoryBank, block_embeddings, concat_channels},
    preprocess::load_rgb,
    train::split_held_out,
};

const ALL: [usize; 5] = [1, 2, 4, 7, 10];

/// A fitted variant: an embedding in, each patch's score out.
type Scorer<'a> = Box<dyn Fn(&FeatureMap) -> Vec<f32> + Sync + 'a>;

fn pick(per_block: &[FeatureMap], blocks: &[usize]) -> FeatureMap {
    let parts: Vec<FeatureMap> = blocks
        .iter()
        .map(|b| per_block[ALL.iter().position(|a| a == b).expect("cached block")].clone())
        .collect();
    concat_channels(&parts)
}

fn with_coords(m: &FeatureMap, lambda: f32) -> FeatureMap {
    let c = m.channels + 2;
    let mut data = Vec::with_capacity(m.height * m.width * c);
    for (i, px) in m.data.chunks_exact(m.channels).enumerate() {
        data.extend_from_slice(px);
        data.push(lambda * (i % m.width) as f32 / m.width as f32);
        data.push(lambda * (i / m.width) as f32 / m.height as f32);
    }
    FeatureMap {
        height: m.height,
        width: m.width,
        channels: c,
        data,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(&args[0]);
    let size: usize = std::env::var("SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(INPUT_SIZE);
    let models = Models::load(Path::new("/work/wt-vision/models")).expect("models");
    let data = DataSet::scan(dir).expect("set");
    let t = InputTransform {
        size,
        mean: PIXEL_MEAN,
        std: PIXEL_STD,
        roi: None,
    };
    let started = Instant::now();
    let embed = |p: &Path| block_embeddings(&models.net, &input_for(&load_rgb(p).unwrap(), &t), &ALL);
    let (fit, held) = split_held_out(&data.train_good);
    let fit: Vec<Vec<FeatureMap>> = fit.iter().map(|p| embed(p)).collect();
    let held: Vec<Vec<FeatureMap>> = held.iter().map(|p| embed(p)).collect();
    let mut test: Vec<(String, Vec<FeatureMap>)> =
        data.test_good.iter().map(|p| ("good".into(), embed(p))).collect();
    for (k, ps) in &data.test_defects {
        test.extend(ps.iter().map(|p| (k.clone(), embed(p))));
    }
    eprintln!("features {:.1} s", started.elapsed().as_secs_f64());

    for v in &args[1..] {
        let started = Instant::now();
        let parts: Vec<&str> = v.split(':').collect();
        let blocks: Vec<usize> = parts[1].split(',').map(|b| b.parse().unwrap()).collect();
        let emb = |x: &Vec<FeatureMap>| pick(x, &blocks);
        let scorer: Scorer<'_> = match parts[0] {
            "pc" | "pcpos" => {
                let lambda: f32 = parts.get(2).map_or(0.0, |s| s.parse().unwrap());
                let prep = move |m: FeatureMap| {
                    if parts[0] == "pcpos" {
                        with_coords(&m, lambda)
                    } else {
                        m
                    }
                };
                let mut rows = Vec::new();
                let mut dims = 0;
                for x in &fit {
                    let m = prep(emb(x));
                    dims = m.channels;
                    rows.extend(m.data);
                }
                let bank = MemoryBank::from_patches(rows, dims, 4096);
                Box::new(move |m: &FeatureMap| bank.nearest_distance(&prep(m.clone()).data))
            }
            "padim" => {
                let n: usize = parts[2].parse().unwrap();
                let radius: usize = parts[3].parse().unwrap();
                let maps: Vec<FeatureMap> = fit.iter().map(emb).collect();
                let c = maps[0].channels;
                let channels = padim::spread_channels(c, n);
                let refs: Vec<&[f32]> = maps.iter().map(|m| m.data.as_slice()).collect();
                let g = padim::PositionalGaussians::fit(
                    &refs,
                    c,
                    maps[0].height,
                    maps[0].width,
                    channels,
                    radius,
                );
                Box::new(move |m: &FeatureMap| g.distances(&m.data, m.channels))
            }
            other => panic!("unknown variant {other}"),
        };
        let fit_s = started.elapsed().as_secs_f64();
        let grid = |x: &Vec<FeatureMap>| {
            let m = emb(x);
            AnomalyGrid {
                width: m.width,
                height: m.height,
                values: scorer(&m),
            }
        };
        let held_grids: Vec<AnomalyGrid> = held.iter().map(grid).collect();
        let t0 = Instant::now();
        let test_grids: Vec<(String, AnomalyGrid)> = test.iter().map(|(k, x)| (k.clone(), grid(x))).collect();
        let per_image_ms = t0.elapsed().as_secs_f64() * 1000.0 / test.len() as f64;
        let bank = MemoryBank::new(vec![0.0], 1);
        let dummy = FeatureMap {
            height: 0,
            width: 0,
            channels: 1,
            data: vec![],
        };
        for (name, s) in [
            ("max", ImageScoring::MaxPatch),
            (
                "fused10",
                ImageScoring::Fused {
                    patches: 10,
                    worst: GoodSpread { mean: 0.0, sd: 1.0 },
                    top: GoodSpread { mean: 0.0, sd: 1.0 },
                }
                .fitted(&held_grids),
            ),
        ] {
            let sc = |g: &AnomalyGrid| s.score(&bank, &dummy, g);
            let good: Vec<f32> = test_grids
                .iter()
                .filter(|(k, _)| k == "good")
                .map(|(_, g)| sc(g))
                .collect();
            let bad: Vec<f32> = test_grids
                .iter()
                .filter(|(k, _)| k != "good")
                .map(|(_, g)| sc(g))
                .collect();
            let mut by = String::new();
            for k in data.test_defects.keys() {
                let b: Vec<f32> = test_grids
                    .iter()
                    .filter(|(kk, _)| kk == k)
                    .map(|(_, g)| sc(g))
                    .collect();
                by += &format!(" {k}={:.3}", auroc(&good, &b).unwrap());
            }
            // Self-check without defects: spread of held-out good scores.
            let hs: Vec<f32> = held_grids.iter().map(sc).collect();
            let spread = GoodSpread::of(&hs);
            println!(
                "{} {v:<22} {name:<8} AUROC {:.3} |{by} | fit {fit_s:.1}s score {per_image_ms:.1}ms/img held cv {:.3}",
                dir.file_name().unwrap().to_string_lossy(),
                auroc(&good, &bad).unwrap(),
                spread.sd / spread.mean
            );
        }
    }
}
