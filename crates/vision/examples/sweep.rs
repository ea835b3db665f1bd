//! Research harness: image AUROC of several detector variants on one
//! MVTec-layout category, features computed once.
//! `cargo run --release -p linesight-vision --example sweep -- <set>/<category> VARIANT…`
//!
//! Variants: `pc:BLOCKS[:lambda]`, `pcpos:BLOCKS:lambda`, `padim:BLOCKS:N:RADIUS`,
//! `gauss:BLOCKS:N` (one Gaussian shared by every position), and `A+B` (each
//! part's grid in units of its held-out worst-patch spread, the worse per patch).
//! Environment: `SIZE` (input side), `ALIGN=on` (registration as training
//! does it), `CACHE` (blocks whose features are kept, default 1,2,4,7,10),
//! `POOL=inside` (the edge pooling of models made before 2026-12-01).

use std::{path::Path, time::Instant};

use linesight_vision::{
    align::{Aligner, DEFAULT_MAX_SHIFT, WORK_SIDE},
    backbone::{INPUT_SIZE, PIXEL_MEAN, PIXEL_STD},
    bundle::InputTransform,
    calibrate::auroc,
    cpu_net::FeatureMap,
    dataset::DataSet,
    inspector::{align_plane, aligned_input},
    models::Models,
    padim,
    patchcore::{
        AnomalyGrid, EdgePooling, GoodSpread, ImageScoring, MemoryBank, block_embeddings, concat_channels,
    },
    preprocess::load_rgb,
    train::split_held_out,
};

/// A fitted variant: an embedding in, each patch's score out.
type Scorer<'a> = Box<dyn Fn(&[FeatureMap]) -> Vec<f32> + Sync + 'a>;

fn pick(all: &[usize], per_block: &[FeatureMap], blocks: &[usize]) -> FeatureMap {
    let parts: Vec<FeatureMap> = blocks
        .iter()
        .map(|b| per_block[all.iter().position(|a| a == b).expect("cached block")].clone())
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

fn worst(v: &[f32]) -> f32 {
    v.iter().copied().fold(f32::MIN, f32::max)
}

fn build<'a>(
    spec: &str,
    all: &'a [usize],
    fit: &'a [Vec<FeatureMap>],
    held: &'a [Vec<FeatureMap>],
) -> Scorer<'a> {
    if spec.contains('+') {
        let parts: Vec<Scorer<'a>> = spec.split('+').map(|s| build(s, all, fit, held)).collect();
        let spreads: Vec<GoodSpread> = parts
            .iter()
            .map(|p| GoodSpread::of(&held.iter().map(|x| worst(&p(x))).collect::<Vec<_>>()))
            .collect();
        return Box::new(move |x: &[FeatureMap]| {
            let mut out: Vec<f32> = Vec::new();
            for (p, s) in parts.iter().zip(&spreads) {
                let g: Vec<f32> = p(x).iter().map(|v| (v - s.mean) / s.sd).collect();
                if out.is_empty() {
                    out = g
                } else {
                    out.iter_mut().zip(g).for_each(|(o, v)| *o = o.max(v))
                }
            }
            out
        });
    }
    let parts: Vec<String> = spec.split(':').map(str::to_owned).collect();
    let blocks: Vec<usize> = if parts[0] == "var" {
        Vec::new()
    } else {
        parts[1].split(',').map(|b| b.parse().unwrap()).collect()
    };
    let emb = move |x: &[FeatureMap]| pick(all, x, &blocks);
    match parts[0].as_str() {
        "pc" | "pcpos" => {
            let lambda: f32 = parts.get(2).map_or(0.0, |s| s.parse().unwrap());
            let pos = parts[0] == "pcpos";
            let prep = move |m: FeatureMap| if pos { with_coords(&m, lambda) } else { m };
            let mut rows = Vec::new();
            let mut dims = 0;
            for x in fit {
                let m = prep(emb(x));
                dims = m.channels;
                rows.extend(m.data);
            }
            let bank = MemoryBank::from_patches(rows, dims, 4096);
            Box::new(move |x: &[FeatureMap]| bank.nearest_distance(&prep(emb(x)).data))
        }
        "padim" => {
            let n: usize = parts[2].parse().unwrap();
            let radius: usize = parts[3].parse().unwrap();
            let maps: Vec<FeatureMap> = fit.iter().map(|x| emb(x)).collect();
            let c = maps[0].channels;
            let channels = padim::spread_channels(c, n);
            let refs: Vec<&[f32]> = maps.iter().map(|m| m.data.as_slice()).collect();
            let g =
                padim::PositionalGaussians::fit(&refs, c, maps[0].height, maps[0].width, channels, radius);
            Box::new(move |x: &[FeatureMap]| {
                let m = emb(x);
                g.distances(&m.data, m.channels)
            })
        }
        "gauss" => {
            let n: usize = parts[2].parse().unwrap();
            let maps: Vec<FeatureMap> = fit.iter().map(|x| emb(x)).collect();
            let c = maps[0].channels;
            let channels = padim::spread_channels(c, n);
            // Every patch a 1 × 1 map: one Gaussian for all positions.
            let refs: Vec<&[f32]> = maps.iter().flat_map(|m| m.data.chunks_exact(c)).collect();
            let g = padim::PositionalGaussians::fit(&refs, c, 1, 1, channels, 0);
            Box::new(move |x: &[FeatureMap]| {
                let m = emb(x);
                use rayon::prelude::*;
                m.data.par_chunks(c).map(|px| g.distances(px, c)[0]).collect()
            })
        }
        "var" => {
            // Variation model on the (aligned) network input: each pixel's
            // deviation from its mean over the fit images, in units of its own
            // spread (floored at the median spread times `floor`), blurred by
            // `sigma` pixels, then the worst pixel of each grid cell.
            let sigma: f32 = parts[1].parse().unwrap();
            let floor: f32 = parts.get(2).map_or(1.0, |s| s.parse().unwrap());
            let input = |x: &[FeatureMap]| x.last().unwrap().clone();
            let first = input(&fit[0]);
            let len = first.data.len();
            let nf = fit.len() as f32;
            let mut mean = vec![0.0f32; len];
            for x in fit {
                mean.iter_mut()
                    .zip(&input(x).data)
                    .for_each(|(m, v)| *m += v / nf);
            }
            let mut var = vec![0.0f32; len];
            for x in fit {
                var.iter_mut()
                    .zip(&input(x).data)
                    .zip(&mean)
                    .for_each(|((s, v), m)| *s += (v - m) * (v - m) / nf);
            }
            let mut sds: Vec<f32> = var.iter().map(|v| v.sqrt()).collect();
            let mut sorted = sds.clone();
            sorted.sort_by(f32::total_cmp);
            let s0 = sorted[sorted.len() / 2] * floor;
            sds.iter_mut().for_each(|s| *s = (*s * *s + s0 * s0).sqrt());
            let (h, w, c) = (first.height, first.width, first.channels);
            let (gh, gw) = (fit[0][0].height, fit[0][0].width);
            Box::new(move |x: &[FeatureMap]| {
                let img = input(x);
                let z: Vec<f32> = img
                    .data
                    .chunks_exact(c)
                    .zip(mean.chunks_exact(c).zip(sds.chunks_exact(c)))
                    .map(|(px, (m, s))| {
                        (px.iter()
                            .zip(m)
                            .zip(s)
                            .map(|((v, m), s)| ((v - m) / s).powi(2))
                            .sum::<f32>()
                            / c as f32)
                            .sqrt()
                    })
                    .collect();
                let z = padim::blur(&z, h, w, sigma);
                let mut out = vec![f32::MIN; gh * gw];
                for y in 0..h {
                    for xx in 0..w {
                        let cell = (y * gh / h) * gw + xx * gw / w;
                        out[cell] = out[cell].max(z[y * w + xx]);
                    }
                }
                out
            })
        }
        other => panic!("unknown variant {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(&args[0]);
    let size: usize = std::env::var("SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(INPUT_SIZE);
    let all: Vec<usize> = std::env::var("CACHE")
        .unwrap_or_else(|_| "1,2,4,7,10".into())
        .split(',')
        .map(|b| b.parse().unwrap())
        .collect();
    let align = std::env::var("ALIGN").is_ok_and(|a| a == "on");
    let models_dir =
        Models::find(Models::candidates([std::path::PathBuf::from("models")])).expect("models dir");
    let models = Models::load(&models_dir).expect("models");
    let data = DataSet::scan(dir).expect("set");
    let t = InputTransform {
        size,
        mean: PIXEL_MEAN,
        std: PIXEL_STD,
        roi: None,
    };
    let started = Instant::now();
    let pooling = match std::env::var("POOL").as_deref() {
        Ok("inside") => EdgePooling::Inside,
        _ => EdgePooling::ZeroPadded,
    };
    let (fit_paths, held_paths) = split_held_out(&data.train_good);
    let aligner = align.then(|| {
        let planes: Vec<_> = fit_paths
            .iter()
            .map(|p| align_plane(&load_rgb(p).unwrap(), &t, WORK_SIDE))
            .collect();
        Aligner::fit(&planes, DEFAULT_MAX_SHIFT).expect("align").0
    });
    // Each block's embedding, then the network input itself (for `var`).
    let embed = |p: &Path| {
        let input = aligned_input(&load_rgb(p).unwrap(), &t, aligner.as_ref()).0;
        let mut e = block_embeddings(&models.net, &input, &all, pooling);
        e.push(input);
        e
    };
    let fit: Vec<Vec<FeatureMap>> = fit_paths.iter().map(|p| embed(p)).collect();
    let held: Vec<Vec<FeatureMap>> = held_paths.iter().map(|p| embed(p)).collect();
    let mut test: Vec<(String, Vec<FeatureMap>)> =
        data.test_good.iter().map(|p| ("good".into(), embed(p))).collect();
    for (k, ps) in &data.test_defects {
        test.extend(ps.iter().map(|p| (k.clone(), embed(p))));
    }
    let (gh, gw) = (fit[0][0].height, fit[0][0].width);
    eprintln!(
        "features {:.1} s (align {align}, size {size})",
        started.elapsed().as_secs_f64()
    );
    let cat = dir.file_name().unwrap().to_string_lossy().into_owned();

    for v in &args[1..] {
        let started = Instant::now();
        let scorer = build(v, &all, &fit, &held);
        let fit_s = started.elapsed().as_secs_f64();
        let held_grids: Vec<Vec<f32>> = held.iter().map(|x| scorer(x)).collect();
        let t0 = Instant::now();
        let test_grids: Vec<(String, Vec<f32>)> = test.iter().map(|(k, x)| (k.clone(), scorer(x))).collect();
        let per_image_ms = t0.elapsed().as_secs_f64() * 1000.0 / test.len() as f64;

        // Per-position normalisation from the held-out grids, pooled over 5 × 5 cells.
        let n = held_grids.len() as f32;
        let mean: Vec<f32> = (0..gh * gw)
            .map(|p| held_grids.iter().map(|g| g[p]).sum::<f32>() / n)
            .collect();
        let sq: Vec<f32> = (0..gh * gw)
            .map(|p| held_grids.iter().map(|g| (g[p] - mean[p]).powi(2)).sum::<f32>() / n)
            .collect();
        let mean_s = padim::blur(&mean, gh, gw, 1.5);
        let sd_s: Vec<f32> = padim::blur(&sq, gh, gw, 1.5)
            .iter()
            .map(|v| v.sqrt().max(1e-6))
            .collect();
        let pnorm = |g: &[f32]| -> Vec<f32> {
            g.iter()
                .zip(&mean_s)
                .zip(&sd_s)
                .map(|((v, m), s)| (v - m) / s)
                .collect()
        };

        type Map = Box<dyn Fn(&[f32]) -> Vec<f32> + Sync>;
        let maps: Vec<(&str, Map)> = vec![
            ("raw", Box::new(|g: &[f32]| g.to_vec())),
            ("s1", Box::new(move |g: &[f32]| padim::blur(g, gh, gw, 1.0))),
            ("s2", Box::new(move |g: &[f32]| padim::blur(g, gh, gw, 2.0))),
        ];
        let bank = MemoryBank::new(vec![0.0], 1);
        let dummy = FeatureMap {
            height: 0,
            width: 0,
            channels: 1,
            data: vec![],
        };
        let mut line = format!("{cat} {v:<26} fit {fit_s:.1}s score {per_image_ms:.0}ms |");
        for pn in [false, true] {
            for (mname, m) in &maps {
                let tf = |g: &[f32]| {
                    let g = if pn { pnorm(g) } else { g.to_vec() };
                    AnomalyGrid {
                        width: gw,
                        height: gh,
                        values: m(&g),
                    }
                };
                let held_t: Vec<AnomalyGrid> = held_grids.iter().map(|g| tf(g)).collect();
                let test_t: Vec<(String, AnomalyGrid)> =
                    test_grids.iter().map(|(k, g)| (k.clone(), tf(g))).collect();
                for (sname, s) in [
                    ("max", ImageScoring::MaxPatch),
                    (
                        "f10",
                        ImageScoring::Fused {
                            patches: 10,
                            worst: GoodSpread { mean: 0.0, sd: 1.0 },
                            top: GoodSpread { mean: 0.0, sd: 1.0 },
                        }
                        .fitted(&held_t),
                    ),
                ] {
                    let sc = |g: &AnomalyGrid| s.score(&bank, &dummy, g);
                    let good: Vec<f32> = test_t
                        .iter()
                        .filter(|(k, _)| k == "good")
                        .map(|(_, g)| sc(g))
                        .collect();
                    let bad: Vec<f32> = test_t
                        .iter()
                        .filter(|(k, _)| k != "good")
                        .map(|(_, g)| sc(g))
                        .collect();
                    let mut by = String::new();
                    for k in data.test_defects.keys() {
                        let b: Vec<f32> = test_t
                            .iter()
                            .filter(|(kk, _)| kk == k)
                            .map(|(_, g)| sc(g))
                            .collect();
                        by += &format!("{:.0}/", 100.0 * auroc(&good, &b).unwrap());
                    }
                    line += &format!(
                        " {}{mname}-{sname} {:.3} ({by})",
                        if pn { "pn-" } else { "" },
                        auroc(&good, &bad).unwrap()
                    );
                }
            }
        }
        println!("{line}");
    }
}
