//! Teaching a detector from good images: patch features of most of them
//! become the memory bank; the rest, held out, set the threshold and the map
//! normalisation. Cancellable at every image; nothing is written here.

use std::{
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
};

use crate::{
    bundle::{BackboneRef, FORMAT_VERSION, InputTransform, Manifest, Metrics, TrainingSummary, WeightsRef},
    calibrate::{CalibrationError, Confusion, MIN_HELD_OUT_GOOD, threshold_from_good},
    cpu_net::{CpuNet, FeatureMap},
    dataset::{DataSet, hash_files},
    heatmap::MapNormalisation,
    inspector::input_for,
    patchcore::{self, AnomalyGrid, MemoryBank, patch_embeddings},
    preprocess::{ImageError, load_rgb},
};

#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub input: InputTransform,
    pub blocks: Vec<usize>,
    /// Most patches the memory bank keeps (inspection time grows with it).
    pub memory_cap: usize,
    /// Good-part false-reject rate the threshold is set for.
    pub false_reject_rate: f64,
    pub version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// Where training is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Features { done: usize, total: usize },
    Coreset { patches: usize, keep: usize },
    Calibrating { done: usize, total: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("training needs at least {needed} good images, found {found}")]
    TooFewImages { needed: usize, found: usize },
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("calibration failed: {0}")]
    Calibration(#[from] CalibrationError),
    #[error("training was cancelled")]
    Cancelled,
}

/// Fewest good images a model is taught from (bank + held-out).
pub const MIN_GOOD_IMAGES: usize = 2 * MIN_HELD_OUT_GOOD;

/// Splits good images into (fit, held out): every fifth image, at least
/// [`MIN_HELD_OUT_GOOD`], spread over the whole set.
pub fn split_held_out<T: Clone>(images: &[T]) -> (Vec<T>, Vec<T>) {
    let held = (images.len() / 5).max(MIN_HELD_OUT_GOOD);
    let step = images.len() as f64 / held as f64;
    let picks: Vec<usize> = (0..held).map(|k| ((k as f64 + 0.5) * step) as usize).collect();
    let mut fit = Vec::new();
    let mut out = Vec::new();
    for (i, img) in images.iter().enumerate() {
        if picks.contains(&i) {
            out.push(img.clone())
        } else {
            fit.push(img.clone())
        }
    }
    (fit, out)
}

/// Decodes an image file into the network input.
fn input(path: &Path, transform: &InputTransform) -> Result<FeatureMap, TrainError> {
    Ok(input_for(&load_rgb(path)?, transform))
}

pub struct Trained {
    pub manifest: Manifest,
    pub memory_bank: MemoryBank,
}

pub fn train(
    net: &CpuNet,
    backbone_sha256: &str,
    data: &DataSet,
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Trained, TrainError> {
    let started = std::time::Instant::now();
    let good = &data.train_good;
    if good.len() < MIN_GOOD_IMAGES {
        return Err(TrainError::TooFewImages {
            needed: MIN_GOOD_IMAGES,
            found: good.len(),
        });
    }
    let (fit, held_out) = split_held_out(good);
    let check = || {
        if cancel.load(Ordering::Relaxed) {
            Err(TrainError::Cancelled)
        } else {
            Ok(())
        }
    };

    // 1. Patch features of the fit images.
    let mut patches: Vec<f32> = Vec::new();
    let mut dims = 0;
    for (i, path) in fit.iter().enumerate() {
        check()?;
        let emb = patch_embeddings(net, &input(path, &cfg.input)?, &cfg.blocks);
        dims = emb.channels;
        patches.extend_from_slice(&emb.data);
        progress(Progress::Features {
            done: i + 1,
            total: fit.len(),
        });
    }
    check()?;
    let rows = patches.len() / dims;
    progress(Progress::Coreset {
        patches: rows,
        keep: cfg.memory_cap.min(rows),
    });
    let bank = MemoryBank::from_patches(patches, dims, cfg.memory_cap);

    // 2. Held-out good images set the threshold and the map normalisation.
    let mut grids: Vec<AnomalyGrid> = Vec::new();
    for path in &held_out {
        check()?;
        grids.push(patchcore::score(
            net,
            &bank,
            &input(path, &cfg.input)?,
            &cfg.blocks,
        ));
        progress(Progress::Calibrating {
            done: grids.len(),
            total: held_out.len(),
        });
    }
    let scores: Vec<f32> = grids.iter().map(AnomalyGrid::score).collect();
    let (threshold, calibration) = threshold_from_good(&scores, cfg.false_reject_rate)?;
    let mut patch_values: Vec<f32> = grids.iter().flat_map(|g| g.values.iter().copied()).collect();
    patch_values.sort_by(f32::total_cmp);
    let floor = patch_values[(patch_values.len() * 99 / 100).min(patch_values.len() - 1)];

    let dataset_sha256 = hash_files(&data.root, good).map_err(|e| ImageError {
        path: data.root.display().to_string(),
        reason: e.to_string(),
    })?;
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        method: "patchcore".into(),
        version: cfg.version.clone(),
        created_at: cfg.created_at.clone(),
        backbone: BackboneRef {
            name: "efficientnet-lite0".into(),
            sha256: backbone_sha256.into(),
        },
        input: cfg.input.clone(),
        blocks: cfg.blocks.clone(),
        threshold,
        calibration,
        normalisation: MapNormalisation {
            floor: floor.min(threshold * 0.9),
            threshold,
        },
        labels: Vec::new(),
        training: TrainingSummary {
            good_images: good.len(),
            held_out_good: held_out.len(),
            defect_images: 0,
            dataset_sha256,
            seconds: started.elapsed().as_secs_f64(),
        },
        memory_bank: WeightsRef {
            file: String::new(),
            rows: bank.len(),
            dims: bank.dims(),
            sha256: String::new(),
        },
        metrics: Some(Metrics {
            image_auroc: None,
            false_reject_rate: Confusion::at(threshold, &scores, &[]).false_reject_rate(),
            escape_rate: None,
        }),
    };
    Ok(Trained {
        manifest,
        memory_bank: bank,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_out_images_are_spread_and_at_least_five() {
        let images: Vec<usize> = (0..50).collect();
        let (fit, out) = split_held_out(&images);
        assert_eq!(out.len(), 10);
        assert_eq!(fit.len(), 40);
        assert!(out[0] < 10 && *out.last().unwrap() >= 40, "{out:?}");
        let (fit, out) = split_held_out(&(0..12).collect::<Vec<_>>());
        assert_eq!((fit.len(), out.len()), (7, 5));
    }
}
