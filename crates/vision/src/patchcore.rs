//! PatchCore-style anomaly detection, taught from good images only.
//!
//! Each image becomes a grid of patch embeddings: intermediate backbone
//! features at two scales, each averaged over its 3 × 3 neighbourhood, the
//! coarser one upsampled to the finer grid, concatenated. Training keeps a
//! greedy coreset of the good patches as a memory bank; at inspection every
//! patch scores its distance to the nearest bank entry. The grid of distances
//! is the anomaly map, its maximum the image score.

use rayon::prelude::*;

use crate::{
    coreset::greedy_k_center,
    cpu_net::{CpuNet, FeatureMap, matmul},
};

/// Blocks whose outputs form the patch embedding: the ends of stage 3
/// (40 channels, stride 8) and stage 5 (112 channels, stride 16).
pub const DEFAULT_BLOCKS: [usize; 2] = [4, 10];

/// Input pixels per patch: the grid of stage 3 (28 × 28 at 224 × 224).
pub const PATCH_STRIDE: usize = 8;

/// Patch embeddings of one image: a map on the stride-8 grid whose channels
/// are each block's features averaged over their 3 × 3 neighbourhood, then
/// resized to the grid (finer blocks averaged down, coarser ones upsampled).
pub fn patch_embeddings(net: &CpuNet, input: &FeatureMap, blocks: &[usize]) -> FeatureMap {
    let features = net.block_features(input, blocks);
    let (h, w) = (
        input.height.div_ceil(PATCH_STRIDE),
        input.width.div_ceil(PATCH_STRIDE),
    );
    let parts: Vec<FeatureMap> = features
        .iter()
        .map(|f| {
            let pooled = avg_pool_3x3(f);
            if (pooled.height, pooled.width) == (h, w) {
                pooled
            } else {
                resize_bilinear(&pooled, h, w)
            }
        })
        .collect();
    concat_channels(&parts)
}

/// 3 × 3 mean, stride 1, over the neighbours inside the map only (edges are
/// not dragged towards zero by padding).
fn avg_pool_3x3(f: &FeatureMap) -> FeatureMap {
    let c = f.channels;
    let mut out = FeatureMap::zeros(f.height, f.width, c);
    for y in 0..f.height {
        for x in 0..f.width {
            let acc = &mut out.data[(y * f.width + x) * c..][..c];
            let ys = y.saturating_sub(1)..(y + 2).min(f.height);
            let xs = x.saturating_sub(1)..(x + 2).min(f.width);
            let count = (ys.len() * xs.len()) as f32;
            for iy in ys {
                for ix in xs.clone() {
                    let px = &f.data[(iy * f.width + ix) * c..][..c];
                    acc.iter_mut().zip(px).for_each(|(a, p)| *a += p);
                }
            }
            acc.iter_mut().for_each(|a| *a /= count);
        }
    }
    out
}

/// Bilinear resize with half-pixel centres (`align_corners = false`).
fn resize_bilinear(f: &FeatureMap, height: usize, width: usize) -> FeatureMap {
    let c = f.channels;
    let source = |i: usize, from: usize, to: usize| {
        let s = ((i as f32 + 0.5) * from as f32 / to as f32 - 0.5).max(0.0);
        let i0 = (s as usize).min(from - 1);
        (i0, (i0 + 1).min(from - 1), s - i0 as f32)
    };
    let mut out = FeatureMap::zeros(height, width, c);
    for y in 0..height {
        let (y0, y1, fy) = source(y, f.height, height);
        for x in 0..width {
            let (x0, x1, fx) = source(x, f.width, width);
            let px = |yy: usize, xx: usize| &f.data[(yy * f.width + xx) * c..][..c];
            let weights = [
                ((1.0 - fy) * (1.0 - fx), px(y0, x0)),
                ((1.0 - fy) * fx, px(y0, x1)),
                (fy * (1.0 - fx), px(y1, x0)),
                (fy * fx, px(y1, x1)),
            ];
            let acc = &mut out.data[(y * width + x) * c..][..c];
            for (wt, p) in weights {
                acc.iter_mut().zip(p).for_each(|(a, v)| *a += wt * v);
            }
        }
    }
    out
}

fn concat_channels(parts: &[FeatureMap]) -> FeatureMap {
    let channels = parts.iter().map(|p| p.channels).sum();
    let mut out = FeatureMap::zeros(parts[0].height, parts[0].width, channels);
    for (i, px) in out.data.chunks_exact_mut(channels).enumerate() {
        let mut at = 0;
        for p in parts {
            px[at..at + p.channels].copy_from_slice(&p.data[i * p.channels..][..p.channels]);
            at += p.channels;
        }
    }
    out
}

/// The memory bank of good patches and the nearest-neighbour scorer over it.
#[derive(Debug, Clone)]
pub struct MemoryBank {
    /// `[entries, dims]`, row-major.
    values: Vec<f32>,
    dims: usize,
    /// The same entries as `[dims, entries]`: the right-hand side of the distance product.
    transposed: Vec<f32>,
    /// Squared norm of each entry, kept for the distance expansion.
    squared: Vec<f32>,
}

/// Query rows per task of the distance product (a 64 × 4096 scratch is 1 MB).
const QUERY_TILE: usize = 64;

impl MemoryBank {
    /// Keeps at most `cap` of the `patches` rows (`dims` wide) by greedy coreset.
    pub fn from_patches(patches: Vec<f32>, dims: usize, cap: usize) -> Self {
        if patches.len() / dims <= cap {
            return Self::new(patches, dims);
        }
        let picked = greedy_k_center(&patches, dims, cap);
        let kept = picked
            .iter()
            .flat_map(|&i| patches[i * dims..(i + 1) * dims].iter().copied())
            .collect();
        Self::new(kept, dims)
    }

    pub fn new(values: Vec<f32>, dims: usize) -> Self {
        let entries = values.len() / dims;
        let mut transposed = vec![0.0; values.len()];
        for (e, row) in values.chunks_exact(dims).enumerate() {
            for (d, v) in row.iter().enumerate() {
                transposed[d * entries + e] = *v;
            }
        }
        let squared = values
            .chunks_exact(dims)
            .map(|r| r.iter().map(|v| v * v).sum())
            .collect();
        Self {
            values,
            dims,
            transposed,
            squared,
        }
    }

    pub fn len(&self) -> usize {
        self.squared.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The entries, `[len, dims]` row-major.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// Distance from each query row (`dims` wide) to its nearest bank entry.
    pub fn nearest_distance(&self, queries: &[f32]) -> Vec<f32> {
        let (m, d) = (self.len(), self.dims);
        let mut out = vec![0.0; queries.len() / d];
        out.par_chunks_mut(QUERY_TILE)
            .zip(queries.par_chunks(QUERY_TILE * d))
            .for_each(|(nearest, tile)| {
                // |q − b|² = |q|² − 2 q·b + |b|²: one matrix product instead of n × m loops.
                let mut dots = vec![0.0; nearest.len() * m];
                matmul(nearest.len(), m, d, &mut dots, false, tile, &self.transposed);
                for ((best, row), q) in nearest
                    .iter_mut()
                    .zip(dots.chunks_exact(m))
                    .zip(tile.chunks_exact(d))
                {
                    let q_sq: f32 = q.iter().map(|v| v * v).sum();
                    let closest = row
                        .iter()
                        .zip(&self.squared)
                        .fold(f32::INFINITY, |c, (dot, b_sq)| c.min(b_sq - 2.0 * dot));
                    *best = (q_sq + closest).max(0.0).sqrt();
                }
            });
        out
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
    /// Each patch embedding's distance to the bank.
    pub fn of(bank: &MemoryBank, embeddings: &FeatureMap) -> Self {
        Self {
            width: embeddings.width,
            height: embeddings.height,
            values: bank.nearest_distance(&embeddings.data),
        }
    }

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

/// Scores every patch of one image against the bank.
pub fn score(net: &CpuNet, bank: &MemoryBank, input: &FeatureMap, blocks: &[usize]) -> AnomalyGrid {
    AnomalyGrid::of(bank, &patch_embeddings(net, input, blocks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backbone::EfficientNetLite0;
    use burn::tensor::{
        Device, Tensor, TensorData,
        module::{avg_pool2d, interpolate},
        ops::{AvgPoolOptions, InterpolateMode, InterpolateOptions},
    };

    fn flat(rows: &[[f32; 2]]) -> Vec<f32> {
        rows.iter().flatten().copied().collect()
    }

    #[test]
    fn nearest_distance_is_euclidean_to_the_closest_entry() {
        let bank = MemoryBank::new(flat(&[[0.0, 0.0], [10.0, 0.0]]), 2);
        let d = bank.nearest_distance(&flat(&[[3.0, 4.0], [10.0, 1.0], [0.0, 0.0]]));
        for (got, want) in d.iter().zip([5.0, 1.0, 0.0]) {
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
        let grid = AnomalyGrid {
            width: 2,
            height: 1,
            values: vec![1.0, 2.0],
        };
        assert_eq!(grid.score(), 2.0);
    }

    #[test]
    fn capped_bank_keeps_the_spread() {
        let rows: Vec<[f32; 2]> = (0..100).map(|i| [(i % 10) as f32, (i / 10) as f32]).collect();
        let bank = MemoryBank::from_patches(flat(&rows), 2, 20);
        assert_eq!(bank.len(), 20);
        // Every original point stays within reach of the coreset.
        let d = bank.nearest_distance(&flat(&rows));
        assert!(d.iter().all(|&v| v <= 2.0), "{d:?}");
    }

    #[test]
    fn embeddings_sit_on_the_stage_3_grid() {
        let net = CpuNet::from_burn(&EfficientNetLite0::new(&Device::flex()));
        let emb = patch_embeddings(&net, &FeatureMap::zeros(224, 224, 3), &DEFAULT_BLOCKS);
        assert_eq!((emb.height, emb.width, emb.channels), (28, 28, 40 + 112));
    }

    /// A map with distinct values everywhere, and the same values as a burn NCHW tensor.
    fn sample_map(h: usize, w: usize, c: usize) -> (FeatureMap, Tensor<4>) {
        let mut map = FeatureMap::zeros(h, w, c);
        for (i, v) in map.data.iter_mut().enumerate() {
            *v = ((i * 7919) % 101) as f32 / 10.0;
        }
        let mut nchw = vec![0.0; h * w * c];
        for (p, px) in map.data.chunks_exact(c).enumerate() {
            for (ch, v) in px.iter().enumerate() {
                nchw[ch * h * w + p] = *v;
            }
        }
        let t = Tensor::from_data(TensorData::new(nchw, [1, c, h, w]), &Device::flex());
        (map, t)
    }

    fn assert_same(map: &FeatureMap, t: Tensor<4>) {
        let [_, c, h, w] = t.dims();
        assert_eq!((map.channels, map.height, map.width), (c, h, w));
        let want = t.into_data().try_to_vec::<f32>().unwrap();
        for (p, px) in map.data.chunks_exact(c).enumerate() {
            for (ch, v) in px.iter().enumerate() {
                let b = want[ch * h * w + p];
                assert!((v - b).abs() < 1e-4, "pixel {p} channel {ch}: {v} vs burn {b}");
            }
        }
    }

    #[test]
    fn pooling_and_resizing_match_burn() {
        let (map, t) = sample_map(7, 5, 3);
        let pooled = avg_pool2d(
            t,
            AvgPoolOptions::new([3, 3])
                .with_stride([1, 1])
                .with_padding([1, 1])
                .with_count_include_pad(false),
        );
        assert_same(&avg_pool_3x3(&map), pooled);
        let (map, t) = sample_map(4, 3, 2);
        let up = interpolate(
            t,
            InterpolateOptions::new(InterpolateMode::Bilinear)
                .with_align_corners(false)
                .with_output_size([8, 6]),
        );
        assert_same(&resize_bilinear(&map, 8, 6), up);
    }
}
