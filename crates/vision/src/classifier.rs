//! Defect types. When labelled defect images exist, a softmax head on the
//! backbone features of the anomalous region, trained with burn's autodiff,
//! names the defect of a rejected part, so a verdict can carry an MES defect
//! code. The anomaly detector still decides OK/NG; the head only names.

use burn::{
    module::Module,
    nn::{Initializer, Linear, LinearConfig, loss::CrossEntropyLossConfig},
    optim::{AdamWConfig, GradientsParams},
    tensor::{Device, Int, Tensor, TensorData},
};
use serde::Serialize;

use crate::{cpu_net::FeatureMap, patchcore::AnomalyGrid};

/// Patches averaged for the defect's own appearance.
const TOP_PATCHES: usize = 4;
const STEPS: usize = 300;
const LEARNING_RATE: f64 = 0.02;

/// What a defect looks like: the mean embedding of the most anomalous
/// patches, then the mean embedding of the whole image for context.
pub fn descriptor(emb: &FeatureMap, grid: &AnomalyGrid) -> Vec<f32> {
    let c = emb.channels;
    let mut order: Vec<usize> = (0..grid.values.len()).collect();
    order.sort_by(|&a, &b| grid.values[b].total_cmp(&grid.values[a]));
    let mut out = vec![0.0; 2 * c];
    let (local, global) = out.split_at_mut(c);
    let top = TOP_PATCHES.min(order.len());
    for &i in &order[..top] {
        local
            .iter_mut()
            .zip(&emb.data[i * c..][..c])
            .for_each(|(o, v)| *o += v / top as f32);
    }
    let pixels = emb.data.len() / c;
    for px in emb.data.chunks_exact(c) {
        global
            .iter_mut()
            .zip(px)
            .for_each(|(o, v)| *o += v / pixels as f32);
    }
    out
}

/// The named defect of a rejected part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefectCall {
    pub label: String,
    /// Softmax probability of `label`, 0..=1.
    pub confidence: f32,
}

/// A linear softmax head over descriptors, standardisation folded in.
#[derive(Debug, Clone, PartialEq)]
pub struct DefectHead {
    labels: Vec<String>,
    /// `[(dims + 1) × labels]`: one row per descriptor dimension, then the biases.
    weights: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeadError {
    #[error("a defect classifier needs at least two defect types with images, got {0}")]
    TooFewTypes(usize),
    #[error("the classifier weights do not fit {labels} labels: {len} values")]
    Shape { labels: usize, len: usize },
}

impl DefectHead {
    /// Trains on `(descriptor, label index)` samples: full-batch AdamW on
    /// standardised descriptors from zero weights, so the same samples
    /// always give the same head.
    pub fn train(samples: &[(Vec<f32>, usize)], labels: Vec<String>) -> Result<Self, HeadError> {
        let used = labels
            .iter()
            .enumerate()
            .filter(|(i, _)| samples.iter().any(|s| s.1 == *i))
            .count();
        if labels.len() < 2 || used < 2 {
            return Err(HeadError::TooFewTypes(used));
        }
        let dims = samples[0].0.len();
        let n = samples.len() as f32;
        let mean: Vec<f32> = (0..dims)
            .map(|d| samples.iter().map(|s| s.0[d]).sum::<f32>() / n)
            .collect();
        let std: Vec<f32> = (0..dims)
            .map(|d| {
                let var = samples.iter().map(|s| (s.0[d] - mean[d]).powi(2)).sum::<f32>() / n;
                // A floor well above float noise: an almost constant feature
                // must not get a huge folded weight that decides on noise.
                var.sqrt().max(1e-3)
            })
            .collect();
        let standardised: Vec<f32> = samples
            .iter()
            .flat_map(|s| (0..dims).map(|d| (s.0[d] - mean[d]) / std[d]).collect::<Vec<_>>())
            .collect();
        let targets: Vec<i64> = samples.iter().map(|s| s.1 as i64).collect();

        let device = Device::flex().autodiff();
        let x = Tensor::<2>::from_data(TensorData::new(standardised, [samples.len(), dims]), &device);
        let y = Tensor::<1, Int>::from_data(TensorData::new(targets, [samples.len()]), &device);
        let mut head: Linear = LinearConfig::new(dims, labels.len())
            .with_initializer(Initializer::Zeros)
            .init(&device);
        let loss_fn = CrossEntropyLossConfig::new().init(&device);
        let mut optim = AdamWConfig::new().with_weight_decay(1e-3).init();
        for _ in 0..STEPS {
            let loss = loss_fn.forward(head.forward(x.clone()), y.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &head);
            head = optim.step(LEARNING_RATE, head, grads);
        }
        let head = head.valid();
        let w = head
            .weight
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        let b = head
            .bias
            .as_ref()
            .map(|b| b.val().into_data().try_to_vec::<f32>().unwrap_or_default())
            .unwrap_or_else(|| vec![0.0; labels.len()]);
        // Fold (x − mean) / std into the weights: logits = x · W' + b'.
        let k = labels.len();
        let mut weights = vec![0.0; (dims + 1) * k];
        for c in 0..k {
            let mut bias = b[c];
            for d in 0..dims {
                let wd = w[d * k + c] / std[d];
                weights[d * k + c] = wd;
                bias -= mean[d] * wd;
            }
            weights[dims * k + c] = bias;
        }
        Ok(Self { labels, weights })
    }

    pub fn from_weights(labels: Vec<String>, weights: Vec<f32>) -> Result<Self, HeadError> {
        let k = labels.len();
        if k < 2 || !weights.len().is_multiple_of(k) || weights.len() / k < 2 {
            return Err(HeadError::Shape {
                labels: k,
                len: weights.len(),
            });
        }
        Ok(Self { labels, weights })
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// `[(dims + 1) × labels]`, biases last.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Descriptor length the head takes.
    pub fn dims(&self) -> usize {
        self.weights.len() / self.labels.len() - 1
    }

    pub fn classify(&self, descriptor: &[f32]) -> DefectCall {
        let k = self.labels.len();
        let mut logits = self.weights[self.dims() * k..].to_vec();
        for (d, v) in descriptor.iter().enumerate().take(self.dims()) {
            logits
                .iter_mut()
                .zip(&self.weights[d * k..][..k])
                .for_each(|(l, w)| *l += v * w);
        }
        let max = logits.iter().copied().fold(f32::MIN, f32::max);
        let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
        let sum: f32 = exp.iter().sum();
        let (best, p) = exp
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, e)| (i, e / sum))
            .unwrap_or((0, 0.0));
        DefectCall {
            label: self.labels[best].clone(),
            confidence: p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        vec!["scratch".into(), "stain".into(), "crack".into()]
    }

    /// Three clusters far apart in a 6-d space, with some spread.
    fn samples() -> Vec<(Vec<f32>, usize)> {
        (0..30)
            .map(|i| {
                let class = i % 3;
                let jitter = ((i * 37) % 11) as f32 / 11.0 - 0.5;
                let mut v = vec![jitter, -jitter, 0.3 * jitter, 0.0, 1.0, 2.0];
                v[class] += 4.0;
                (v, class)
            })
            .collect()
    }

    #[test]
    fn learns_separable_types_and_names_them() {
        let head = DefectHead::train(&samples(), labels()).unwrap();
        assert_eq!(head.dims(), 6);
        for (v, class) in samples() {
            let call = head.classify(&v);
            assert_eq!(call.label, labels()[class], "{v:?}");
            assert!(call.confidence > 0.8, "{call:?}");
        }
        // Deterministic: same samples, same head.
        assert_eq!(DefectHead::train(&samples(), labels()).unwrap(), head);
    }

    #[test]
    fn one_type_is_not_enough_to_classify() {
        let one: Vec<_> = samples().into_iter().filter(|s| s.1 == 0).collect();
        assert_eq!(DefectHead::train(&one, labels()), Err(HeadError::TooFewTypes(1)));
    }

    #[test]
    fn round_trips_through_its_weights() {
        let head = DefectHead::train(&samples(), labels()).unwrap();
        let back = DefectHead::from_weights(labels(), head.weights().to_vec()).unwrap();
        assert_eq!(back, head);
        assert!(DefectHead::from_weights(labels(), vec![0.0; 4]).is_err());
    }

    #[test]
    fn descriptor_is_top_patches_then_the_whole_image() {
        let emb = FeatureMap {
            height: 1,
            width: 5,
            channels: 1,
            data: vec![1.0, 2.0, 3.0, 4.0, 10.0],
        };
        let grid = AnomalyGrid {
            width: 5,
            height: 1,
            values: vec![0.0, 0.1, 0.2, 0.3, 0.9],
        };
        // Top 4 by score: 10, 4, 3, 2 → 4.75; mean of all: 4.
        assert_eq!(descriptor(&emb, &grid), [4.75, 4.0]);
    }
}
