//! A loaded model answering for one image: score, verdict and anomaly map.

use std::sync::Arc;

use image::{RgbImage, SubImage};
use serde::Serialize;

use crate::{
    align::{Aligner, Plane, Pose, unwarp_map, warp_rgb},
    backbone::{block_channels, stage_outputs},
    bundle::{Bundle, InputTransform, Manifest},
    classifier::{DefectCall, DefectHead, descriptor},
    cpu_net::{CpuNet, FeatureMap, on_worker},
    heatmap,
    padim::PositionalGaussians,
    patchcore::{AnomalyGrid, Detector, MemoryBank, patch_embeddings},
    preprocess::{resized, to_map},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Ng,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub verdict: Verdict,
    pub score: f32,
    /// The threshold in force, after the sensitivity offset.
    pub threshold: f32,
    pub grid: AnomalyGrid,
    /// What the defect looks like, for a rejected part when the model has a classifier.
    pub defect: Option<DefectCall>,
    /// Where the part lay relative to the reference, for a model that aligns.
    pub pose: Option<Pose>,
}

/// The part of `image` the model looks at: the manifest's ROI, clamped to
/// the frame (a ROI past the edge keeps what is inside).
pub fn crop_roi(image: &RgbImage, roi: Option<[u32; 4]>) -> Option<RgbImage> {
    Some(roi_view(image, roi?).to_image())
}

/// The same region as a view into `image`, without copying it.
pub fn roi_view(image: &RgbImage, [x, y, w, h]: [u32; 4]) -> SubImage<&RgbImage> {
    let x = x.min(image.width().saturating_sub(1));
    let y = y.min(image.height().saturating_sub(1));
    let w = w.min(image.width() - x).max(1);
    let h = h.min(image.height() - y).max(1);
    image::imageops::crop_imm(image, x, y, w, h)
}

/// The network input for one image under a transform.
pub fn input_for(image: &RgbImage, t: &InputTransform) -> FeatureMap {
    aligned_input(image, t, None).0
}

/// The region the model looks at, at the network's input size (before any alignment).
pub fn sized_region(image: &RgbImage, t: &InputTransform) -> RgbImage {
    match crop_roi(image, t.roi) {
        Some(cropped) => resized(&cropped, t.size).into_owned(),
        None => resized(image, t.size).into_owned(),
    }
}

/// The grey working copy alignment estimates the pose on: the same region
/// and resize at training and at the station.
pub fn align_plane(image: &RgbImage, t: &InputTransform, side: usize) -> Plane {
    Plane::of(&sized_region(image, t), side)
}

/// The network input, brought to the reference pose first when the model
/// aligns, with the pose found.
pub fn aligned_input(
    image: &RgbImage,
    t: &InputTransform,
    aligner: Option<&Aligner>,
) -> (FeatureMap, Option<Pose>) {
    let Some(aligner) = aligner else {
        return match crop_roi(image, t.roi) {
            Some(cropped) => (to_map(&cropped, t.size, t.mean, t.std), None),
            None => (to_map(image, t.size, t.mean, t.std), None),
        };
    };
    let sized = sized_region(image, t);
    let pose = aligner.estimate(&Plane::of(&sized, aligner.side())).pose;
    (to_map(&warp_rgb(&sized, pose), t.size, t.mean, t.std), Some(pose))
}

/// The detector a bundle's bank and layout describe. A layout that does not
/// fit (which [`Bundle::load`] refuses) falls back to one joint bank.
fn detector_of(manifest: &Manifest, bank: Vec<f32>) -> Detector {
    let stages = stage_outputs();
    let widths: Vec<usize> = manifest
        .blocks
        .iter()
        .map(|&b| block_channels(&stages, b))
        .collect();
    let dims = manifest.memory_bank.dims;
    if let Some(layout) = &manifest.positional {
        let width = widths.iter().sum();
        // Checked by [`Bundle::load`]; a model that does not fit rejects every part.
        let gaussians =
            PositionalGaussians::from_stored(&bank, layout).unwrap_or_else(|| PositionalGaussians {
                height: 0,
                width: 0,
                channels: layout.channels.clone(),
                means: Vec::new(),
                factors: Vec::new(),
                standard: Vec::new(),
            });
        return Detector::positional(gaussians, width);
    }
    Detector::from_stored(bank, dims, &manifest.bank_layout, &widths)
        .unwrap_or_else(|bank| Detector::joint(MemoryBank::new(bank, dims)))
}

pub struct Inspector {
    net: Arc<CpuNet>,
    detector: Detector,
    aligner: Option<Aligner>,
    defect_head: Option<DefectHead>,
    manifest: Manifest,
}

impl Inspector {
    pub fn new(net: Arc<CpuNet>, bundle: Bundle) -> Self {
        Self {
            net,
            detector: detector_of(&bundle.manifest, bundle.memory_bank),
            // Checked by [`Bundle::load`].
            aligner: bundle.manifest.align.as_ref().and_then(|a| a.aligner().ok()),
            defect_head: bundle.defect_head,
            manifest: bundle.manifest,
        }
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The threshold moved by a sensitivity in −0.5..=0.5: positive rejects
    /// more (the threshold drops by that fraction), negative rejects less.
    pub fn threshold(&self, sensitivity: f32) -> f32 {
        self.manifest.threshold * (1.0 - sensitivity.clamp(-0.5, 0.5))
    }

    pub fn inspect(&self, image: &RgbImage, sensitivity: f32) -> Inspection {
        on_worker(|| self.inspect_here(image, sensitivity))
    }

    fn inspect_here(&self, image: &RgbImage, sensitivity: f32) -> Inspection {
        let (input, pose) = aligned_input(image, &self.manifest.input, self.aligner.as_ref());
        let embeddings = patch_embeddings(&self.net, &input, &self.manifest.blocks, self.manifest.pooling);
        let grid = self.detector.grid(&embeddings);
        let score = self.detector.score(self.manifest.scoring, &embeddings, &grid);
        let threshold = self.threshold(sensitivity);
        // Fail closed: a score that is not a number rejects the part.
        let verdict = if score <= threshold {
            Verdict::Ok
        } else {
            Verdict::Ng
        };
        let defect = match (&self.defect_head, verdict) {
            (Some(head), Verdict::Ng) => Some(head.classify(&descriptor(&embeddings, &grid))),
            _ => None,
        };
        Inspection {
            verdict,
            score,
            threshold,
            grid,
            defect,
            pose,
        }
    }

    /// The display map of an inspection at `width × height` (0 = normal, ≥ 1 = past the threshold).
    pub fn heatmap(&self, inspection: &Inspection, width: u32, height: u32) -> Vec<f32> {
        // A lower threshold (higher sensitivity) must not sink below the floor.
        let mut norm = self.manifest.normalisation;
        norm.threshold = inspection.threshold;
        norm.floor = norm.floor.min(inspection.threshold * 0.9);
        let sigma = width.max(height) as f32 / 56.0; // about a quarter of a feature cell
        let map = heatmap::smooth_map(&inspection.grid, width, height, sigma, norm);
        // The map is of the aligned part: put it back where the part lay.
        match inspection.pose {
            Some(pose) => unwarp_map(&map, width, height, pose),
            None => map,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roi_is_clamped_to_the_frame() {
        let img = RgbImage::new(100, 50);
        assert_eq!(crop_roi(&img, None), None);
        assert_eq!(
            crop_roi(&img, Some([10, 10, 20, 20])).unwrap().dimensions(),
            (20, 20)
        );
        assert_eq!(
            crop_roi(&img, Some([90, 40, 50, 50])).unwrap().dimensions(),
            (10, 10)
        );
        assert_eq!(
            crop_roi(&img, Some([500, 500, 5, 5])).unwrap().dimensions(),
            (1, 1)
        );
    }
}
