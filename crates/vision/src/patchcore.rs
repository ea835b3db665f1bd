//! PatchCore-style anomaly detection, taught from good images only.
//!
//! Each image becomes a grid of patch embeddings: intermediate backbone
//! features at two scales, each averaged over its 3 × 3 neighbourhood, the
//! coarser one upsampled to the finer grid, concatenated. Training keeps a
//! greedy coreset of the good patches as a memory bank; at inspection every
//! patch scores its distance to the nearest bank entry. The grid of distances
//! is the anomaly map, its maximum the image score.

use burn::tensor::{
    Tensor, TensorData,
    module::{avg_pool2d, interpolate},
    ops::{AvgPoolOptions, InterpolateMode, InterpolateOptions},
};

use crate::{backbone::EfficientNetLite0, coreset::greedy_k_center};

/// Blocks whose outputs form the patch embedding: the ends of stage 3
/// (40 channels, stride 8) and stage 5 (112 channels, stride 16).
pub const DEFAULT_BLOCKS: [usize; 2] = [4, 10];

/// Patch embeddings of a batch: `[batch, grid_h, grid_w, dims]`.
pub fn patch_embeddings(backbone: &EfficientNetLite0, x: Tensor<4>, blocks: &[usize]) -> Tensor<4> {
    let features = backbone.block_features(x, blocks);
    let [_, _, h, w] = features[0].dims();
    let pooled: Vec<Tensor<4>> = features
        .into_iter()
        .map(|f| {
            let f = avg_pool2d(
                f,
                AvgPoolOptions::new([3, 3])
                    .with_stride([1, 1])
                    .with_padding([1, 1])
                    .with_count_include_pad(false),
            );
            if f.dims()[2..] == [h, w] {
                f
            } else {
                interpolate(
                    f,
                    InterpolateOptions::new(InterpolateMode::Bilinear)
                        .with_align_corners(false)
                        .with_output_size([h, w]),
                )
            }
        })
        .collect();
    Tensor::cat(pooled, 1).permute([0, 2, 3, 1])
}

/// The memory bank of good patches and the nearest-neighbour scorer over it.
#[derive(Debug, Clone)]
pub struct MemoryBank {
    /// `[entries, dims]`
    bank: Tensor<2>,
    /// Squared norm of each entry, `[1, entries]`, kept for the distance expansion.
    bank_sq: Tensor<2>,
}

impl MemoryBank {
    /// Keeps at most `cap` of `patches` (`[n, dims]`) by greedy coreset.
    pub fn from_patches(patches: Tensor<2>, cap: usize) -> Self {
        let [n, dims] = patches.dims();
        let bank = if n <= cap {
            patches
        } else {
            let rows = patches
                .clone()
                .into_data()
                .try_to_vec::<f32>()
                .unwrap_or_default();
            let picked = greedy_k_center(&rows, dims, cap);
            let kept: Vec<f32> = picked
                .iter()
                .flat_map(|&i| rows[i * dims..(i + 1) * dims].iter().copied())
                .collect();
            Tensor::from_data(TensorData::new(kept, [picked.len(), dims]), &patches.device())
        };
        Self::new(bank)
    }

    pub fn new(bank: Tensor<2>) -> Self {
        let bank_sq = bank.clone().powi_scalar(2).sum_dim(1).transpose();
        Self { bank, bank_sq }
    }

    pub fn len(&self) -> usize {
        self.bank.dims()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dims(&self) -> usize {
        self.bank.dims()[1]
    }

    pub fn tensor(&self) -> &Tensor<2> {
        &self.bank
    }

    /// Distance from each query row (`[n, dims]`) to its nearest bank entry, `[n]`.
    pub fn nearest_distance(&self, queries: Tensor<2>) -> Tensor<1> {
        // |q − b|² = |q|² − 2 q·b + |b|²: one matrix product instead of n × m loops.
        let q_sq = queries.clone().powi_scalar(2).sum_dim(1);
        let cross = queries.matmul(self.bank.clone().transpose());
        let d2 = q_sq - cross * 2.0 + self.bank_sq.clone();
        d2.min_dim(1).clamp_min(0.0).sqrt().flatten(0, 1)
    }
}

/// Per-patch anomaly scores of one image on its feature grid.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyGrid {
    pub width: usize,
    pub height: usize,
    /// Row-major, `width × height` distances.
    pub values: Vec<f32>,
}

impl AnomalyGrid {
    /// The image score: the worst patch. NaN if any patch is NaN, so that a
    /// broken computation can never pass a part.
    pub fn score(&self) -> f32 {
        self.values.iter().copied().fold(f32::MIN, |m, v| {
            if m.is_nan() || v.is_nan() {
                f32::NAN
            } else {
                m.max(v)
            }
        })
    }
}

/// Scores every patch of each image in `x` against the bank.
pub fn score_batch(
    backbone: &EfficientNetLite0,
    bank: &MemoryBank,
    x: Tensor<4>,
    blocks: &[usize],
) -> Vec<AnomalyGrid> {
    let emb = patch_embeddings(backbone, x, blocks);
    let [b, h, w, d] = emb.dims();
    let dist = bank.nearest_distance(emb.reshape([b * h * w, d]));
    let values = dist.into_data().try_to_vec::<f32>().unwrap_or_default();
    values
        .chunks_exact(h * w)
        .map(|v| AnomalyGrid {
            width: w,
            height: h,
            values: v.to_vec(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn tensor(rows: &[[f32; 2]], device: &Device) -> Tensor<2> {
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        Tensor::from_data(TensorData::new(flat, [rows.len(), 2]), device)
    }

    #[test]
    fn nearest_distance_is_euclidean_to_the_closest_entry() {
        let device = Device::flex();
        let bank = MemoryBank::new(tensor(&[[0.0, 0.0], [10.0, 0.0]], &device));
        let d = bank.nearest_distance(tensor(&[[3.0, 4.0], [10.0, 1.0], [0.0, 0.0]], &device));
        let d = d.into_data().try_to_vec::<f32>().unwrap();
        let want = [5.0, 1.0, 0.0];
        for (got, want) in d.iter().zip(want) {
            assert!((got - want).abs() < 1e-3, "{d:?}");
        }
    }

    #[test]
    fn a_nan_patch_makes_the_score_nan() {
        let grid = AnomalyGrid {
            width: 3,
            height: 1,
            values: vec![1.0, f32::NAN, 2.0],
        };
        assert!(grid.score().is_nan());
        assert_eq!(
            AnomalyGrid {
                width: 2,
                height: 1,
                values: vec![1.0, 2.0]
            }
            .score(),
            2.0
        );
    }

    #[test]
    fn capped_bank_keeps_the_spread() {
        let device = Device::flex();
        let rows: Vec<[f32; 2]> = (0..100).map(|i| [(i % 10) as f32, (i / 10) as f32]).collect();
        let bank = MemoryBank::from_patches(tensor(&rows, &device), 20);
        assert_eq!(bank.len(), 20);
        // Every original point stays within reach of the coreset.
        let d = bank
            .nearest_distance(tensor(&rows, &device))
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert!(d.iter().all(|&v| v <= 2.0), "{d:?}");
    }

    #[test]
    fn embeddings_sit_on_the_stage_3_grid() {
        let device = Device::flex();
        let backbone = EfficientNetLite0::new(&device);
        let x = Tensor::<4>::zeros([2, 3, 224, 224], &device);
        assert_eq!(
            patch_embeddings(&backbone, x, &DEFAULT_BLOCKS).dims(),
            [2, 28, 28, 40 + 112]
        );
    }
}
