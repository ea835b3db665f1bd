//! Teaching a detector from good images: patch features of most of them
//! become the memory bank; the rest, held out, set the threshold and the map
//! normalisation. Cancellable at every image; nothing is written here.

use std::{
    path::Path,
    sync::atomic::{AtomicBool, Ordering},
};

use crate::{
    align::{AlignCheck, AlignError, AlignSpec, Aligner, DEFAULT_MAX_SHIFT, WORK_SIDE},
    backbone::{INPUT_SIZE, PIXEL_MEAN, PIXEL_STD, block_channels, stage_outputs},
    bundle::{BackboneRef, FORMAT_VERSION, InputTransform, Manifest, Metrics, TrainingSummary, WeightsRef},
    calibrate::{
        CalibrationError, Confusion, MIN_HELD_OUT_GOOD, auroc, threshold_from_good, threshold_youden,
    },
    classifier::{DefectHead, HeadError, descriptor},
    cpu_net::{CpuNet, FeatureMap},
    dataset::{DataSet, hash_files},
    heatmap::MapNormalisation,
    inspector::{align_plane, aligned_input},
    padim::{PositionalGaussians, spread_channels},
    patchcore::{
        AnomalyGrid, DEFAULT_BLOCKS, Detector, EdgePooling, GoodSpread, ImageScoring, MemoryBank,
        patch_embeddings,
    },
    preprocess::{ImageError, load_rgb},
};

/// Bank size: inspection stays fast and AUROC stops improving past it on generated parts.
pub const DEFAULT_MEMORY_CAP: usize = 4096;

/// Good-part false-reject rate the threshold is set for when nobody says.
pub const DEFAULT_FALSE_REJECT_RATE: f64 = 0.01;

/// Image score of new models: the worst patch, or the mean of the 10 worst
/// (about 1 % of the grid) when that is more unusual; on generated parts it
/// catches faint wide texture defects that the worst patch alone misses.
/// The spreads are fitted on the held-out good images during training.
pub const DEFAULT_SCORING: ImageScoring = ImageScoring::Fused {
    patches: 10,
    worst: GoodSpread { mean: 0.0, sd: 1.0 },
    top: GoodSpread { mean: 0.0, sd: 1.0 },
};

/// What a model learns from the good patches (the manifest's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// A coreset memory bank: "has this patch been seen anywhere?"
    #[default]
    PatchCore,
    /// One Gaussian per grid position over `dims` of the embedding's
    /// channels ([`crate::padim`]): "has this patch been seen here?", for
    /// parts that sit in the same place in every image. Each position also
    /// learns from the patches up to `radius` cells away (more samples per
    /// Gaussian; tolerant of parts that sit a little differently, and of
    /// textures). `standardised`: each patch's distance in units of its
    /// position's spread on the held-out good images
    /// ([`PositionalGaussians::standardised`]).
    Padim {
        dims: usize,
        radius: usize,
        standardised: bool,
    },
}

/// Whether a model registers each image to the training images' pose ([`crate::align`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlignMode {
    /// Images as they come.
    #[default]
    Off,
    /// Always align.
    On,
    /// Align when the held-out good images' poses vary and registration
    /// matches them to the reference far better than leaving them be.
    Auto,
}

/// [`AlignMode::Auto`]'s tests: a pose spread worth correcting (working
/// pixels or degrees) and registration that is reliable (median correlation
/// with the reference) and better than none.
const AUTO_MIN_SHIFT_SD: f32 = 0.5;
const AUTO_MIN_ANGLE_SD_DEG: f32 = 0.5;
const AUTO_MIN_NCC: f32 = 0.85;
const AUTO_MIN_NCC_GAIN: f32 = 0.03;

impl AlignCheck {
    /// Whether [`AlignMode::Auto`] aligns, given this check.
    pub fn worth_aligning(&self) -> bool {
        let varies = self.shift_sd >= AUTO_MIN_SHIFT_SD || self.angle_sd_deg >= AUTO_MIN_ANGLE_SD_DEG;
        let reliable =
            self.ncc_aligned >= AUTO_MIN_NCC && self.ncc_aligned >= self.ncc_unaligned + AUTO_MIN_NCC_GAIN;
        varies && reliable
    }
}

#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub method: Method,
    pub input: InputTransform,
    /// Registration before the backbone.
    pub align: AlignMode,
    pub blocks: Vec<usize>,
    /// How the embedding's neighbourhood mean treats the map's edges.
    pub pooling: EdgePooling,
    /// Most patches the memory bank keeps (inspection time grows with it);
    /// with one bank per block, each block's bank.
    pub memory_cap: usize,
    /// One bank per block, each block's distance against its own spread on
    /// held-out good images ([`crate::patchcore::BankLayout::PerBlock`]);
    /// else one joint bank over the whole embedding.
    pub per_block_banks: bool,
    pub scoring: ImageScoring,
    /// Good-part false-reject rate the threshold is set for.
    pub false_reject_rate: f64,
    pub version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl TrainConfig {
    /// What every new model starts from: the whole image at the backbone's
    /// input size, and the default blocks, bank cap, scoring and reject rate.
    pub fn defaults(version: String, created_at: String) -> Self {
        Self {
            method: Method::PatchCore,
            input: InputTransform {
                size: INPUT_SIZE,
                mean: PIXEL_MEAN,
                std: PIXEL_STD,
                roi: None,
            },
            align: AlignMode::Off,
            blocks: DEFAULT_BLOCKS.to_vec(),
            pooling: EdgePooling::ZeroPadded,
            memory_cap: DEFAULT_MEMORY_CAP,
            per_block_banks: false,
            scoring: DEFAULT_SCORING,
            false_reject_rate: DEFAULT_FALSE_REJECT_RATE,
            version,
            created_at,
        }
    }
}

/// Where training is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Features {
        done: usize,
        total: usize,
    },
    Coreset {
        patches: usize,
        keep: usize,
    },
    Calibrating {
        done: usize,
        total: usize,
    },
    /// Scoring the labelled defect images (classifier and ROC threshold).
    Defects {
        done: usize,
        total: usize,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("training needs at least {needed} good images, found {found}")]
    TooFewImages { needed: usize, found: usize },
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("calibration failed: {0}")]
    Calibration(#[from] CalibrationError),
    #[error("defect classifier: {0}")]
    Classifier(#[from] HeadError),
    #[error(transparent)]
    Align(#[from] AlignError),
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

/// Decodes an image file into the network input (aligned when there is an aligner).
fn input(
    path: &Path,
    transform: &InputTransform,
    aligner: Option<&Aligner>,
) -> Result<FeatureMap, TrainError> {
    Ok(aligned_input(&load_rgb(path)?, transform, aligner).0)
}

/// The reference from the fit images and the check on the held-out ones;
/// `None` when `mode` says not to align.
fn fit_alignment(
    fit: &[std::path::PathBuf],
    held_out: &[std::path::PathBuf],
    cfg: &TrainConfig,
    check: &dyn Fn() -> Result<(), TrainError>,
) -> Result<(Option<Aligner>, Option<AlignCheck>), TrainError> {
    if cfg.align == AlignMode::Off {
        return Ok((None, None));
    }
    let plane = |p: &std::path::PathBuf| -> Result<_, TrainError> {
        check()?;
        Ok(align_plane(&load_rgb(p)?, &cfg.input, WORK_SIDE))
    };
    let planes = fit.iter().map(plane).collect::<Result<Vec<_>, _>>()?;
    let (aligner, _) = Aligner::fit(&planes, DEFAULT_MAX_SHIFT)?;
    let held = held_out.iter().map(plane).collect::<Result<Vec<_>, _>>()?;
    let estimates: Vec<_> = held.iter().map(|p| aligner.estimate(p)).collect();
    let unaligned: Vec<f32> = held.iter().map(|p| aligner.ncc_unaligned(p)).collect();
    let summary = AlignCheck::of(&estimates, &unaligned, aligner.side());
    let keep = cfg.align == AlignMode::On || summary.worth_aligning();
    Ok((keep.then_some(aligner), Some(summary)))
}

pub struct Trained {
    pub manifest: Manifest,
    /// Registration on the held-out good images, whether or not the model aligns.
    pub align_check: Option<AlignCheck>,
    pub memory_bank: MemoryBank,
    pub defect_head: Option<DefectHead>,
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

    // 0. Registration, when asked for (and, for auto, when it pays).
    let (aligner, align_check) = fit_alignment(&fit, &held_out, cfg, &check)?;
    let aligner = aligner.as_ref();

    // 1. Patch features of the fit images.
    let mut patches: Vec<f32> = Vec::new();
    let mut dims = 0;
    let mut grid = (0, 0);
    for (i, path) in fit.iter().enumerate() {
        check()?;
        let emb = patch_embeddings(net, &input(path, &cfg.input, aligner)?, &cfg.blocks, cfg.pooling);
        dims = emb.channels;
        grid = (emb.height, emb.width);
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
        keep: match cfg.method {
            Method::PatchCore => cfg.memory_cap.min(rows),
            Method::Padim { .. } => grid.0 * grid.1,
        },
    });
    let detector = if let Method::Padim {
        dims: keep, radius, ..
    } = cfg.method
    {
        let maps: Vec<&[f32]> = patches.chunks_exact(grid.0 * grid.1 * dims).collect();
        let gaussians =
            PositionalGaussians::fit(&maps, dims, grid.0, grid.1, spread_channels(dims, keep), radius);
        Detector::positional(gaussians, dims)
    } else if cfg.per_block_banks && cfg.blocks.len() > 1 {
        let stages = stage_outputs();
        let widths: Vec<usize> = cfg.blocks.iter().map(|&b| block_channels(&stages, b)).collect();
        Detector::per_block(&patches, &widths, cfg.memory_cap)
    } else {
        Detector::joint(MemoryBank::from_patches(patches, dims, cfg.memory_cap))
    };

    // 2. Held-out good images set each block's spread, the threshold and the map normalisation.
    let mut held_embeddings: Vec<FeatureMap> = Vec::new();
    for path in &held_out {
        check()?;
        held_embeddings.push(patch_embeddings(
            net,
            &input(path, &cfg.input, aligner)?,
            &cfg.blocks,
            cfg.pooling,
        ));
        progress(Progress::Calibrating {
            done: held_embeddings.len(),
            total: held_out.len(),
        });
    }
    let mut detector = detector.fitted(&held_embeddings);
    // Standardised PaDiM: the held-out grids fit each position's spread, so
    // each is calibrated as standardised without itself (leave one out); the
    // stored model uses them all.
    let mut held_grids: Option<Vec<Vec<f32>>> = None;
    if let (
        Method::Padim {
            standardised: true, ..
        },
        Some(g),
    ) = (cfg.method, detector.positional_model())
    {
        let raw: Vec<Vec<f32>> = held_embeddings.iter().map(|e| detector.grid(e).values).collect();
        held_grids = Some(g.standardised_leave_one_out(&raw));
        detector = Detector::positional(g.clone().standardised(&raw), dims);
    }
    let held: Vec<(FeatureMap, AnomalyGrid)> = match held_grids {
        Some(grids) => held_embeddings
            .into_iter()
            .zip(grids)
            .map(|(e, values)| {
                let g = AnomalyGrid {
                    width: e.width,
                    height: e.height,
                    values,
                };
                (e, g)
            })
            .collect(),
        None => held_embeddings
            .into_iter()
            .map(|e| {
                let g = detector.grid(&e);
                (e, g)
            })
            .collect(),
    };
    let grids: Vec<AnomalyGrid> = held.iter().map(|(_, g)| g.clone()).collect();
    let scoring = cfg.scoring.fitted(&grids);
    let scores: Vec<f32> = held.iter().map(|(e, g)| detector.score(scoring, e, g)).collect();

    // 3. Labelled defect images, when there are any: the ROC threshold and the classifier.
    let labels: Vec<String> = data.train_defects.keys().cloned().collect();
    let total = data.train_defects.values().map(Vec::len).sum();
    let mut defect_scores = Vec::with_capacity(total);
    let mut samples = Vec::with_capacity(total);
    for (label, paths) in data.train_defects.values().enumerate() {
        for path in paths {
            check()?;
            let emb = patch_embeddings(net, &input(path, &cfg.input, aligner)?, &cfg.blocks, cfg.pooling);
            let grid = detector.grid(&emb);
            defect_scores.push(detector.score(scoring, &emb, &grid));
            samples.push((descriptor(&emb, &grid), label));
            progress(Progress::Defects {
                done: samples.len(),
                total,
            });
        }
    }
    let (threshold, calibration) = match threshold_youden(&scores, &defect_scores) {
        Some(roc) => roc,
        None => threshold_from_good(&scores, cfg.false_reject_rate)?,
    };
    let defect_head = if labels.len() >= 2 {
        Some(DefectHead::train(&samples, labels.clone())?)
    } else {
        None
    };
    let confusion = Confusion::at(threshold, &scores, &defect_scores);
    let mut patch_values: Vec<f32> = grids.iter().flat_map(|g| g.values.iter().copied()).collect();
    patch_values.sort_by(f32::total_cmp);
    let floor = patch_values[(patch_values.len() * 99 / 100).min(patch_values.len() - 1)];

    let dataset_sha256 = hash_files(&data.root, good).map_err(|e| ImageError {
        path: data.root.display().to_string(),
        reason: e.to_string(),
    })?;
    let (bank, bank_layout) = detector.stored();
    let positional = detector.positional_model().map(PositionalGaussians::layout);
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        method: if positional.is_some() {
            "padim"
        } else {
            "patchcore"
        }
        .into(),
        positional,
        version: cfg.version.clone(),
        created_at: cfg.created_at.clone(),
        backbone: BackboneRef {
            name: "efficientnet-lite0".into(),
            sha256: backbone_sha256.into(),
        },
        input: cfg.input.clone(),
        align: aligner.zip(align_check).map(|(a, c)| AlignSpec::new(a, c)),
        blocks: cfg.blocks.clone(),
        pooling: cfg.pooling,
        bank_layout,
        scoring,
        threshold,
        calibration,
        normalisation: MapNormalisation {
            floor: floor.min(threshold * 0.9),
            threshold,
        },
        labels,
        training: TrainingSummary {
            good_images: good.len(),
            held_out_good: held_out.len(),
            defect_images: total,
            dataset_sha256,
            seconds: started.elapsed().as_secs_f64(),
        },
        memory_bank: WeightsRef {
            file: String::new(),
            rows: bank.len(),
            dims: bank.dims(),
            sha256: String::new(),
        },
        defect_head: None,
        // On the training images: `linesight eval` on unseen images is the real measure.
        metrics: Some(Metrics {
            image_auroc: auroc(&scores, &defect_scores),
            false_reject_rate: confusion.false_reject_rate(),
            escape_rate: (total > 0).then(|| confusion.escape_rate()),
        }),
    };
    Ok(Trained {
        manifest,
        align_check,
        memory_bank: bank,
        defect_head,
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
