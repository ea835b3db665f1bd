//! Image → network input: the transform the model manifest names, applied
//! the same way in training, calibration and at the station.

use std::{borrow::Cow, path::Path};

use burn::tensor::{Device, Tensor, TensorData};

use image::{RgbImage, imageops::FilterType};

use crate::cpu_net::FeatureMap;

#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot read the image: {reason}")]
pub struct ImageError {
    pub path: String,
    pub reason: String,
}

/// Decodes an image file (PNG or JPEG) to 8-bit RGB.
pub fn load_rgb(path: &Path) -> Result<RgbImage, ImageError> {
    image::open(path).map(|i| i.to_rgb8()).map_err(|e| ImageError {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// `size` × `size`: any aspect ratio is squeezed, the ROI is already cut to the part.
pub(crate) fn resized(image: &RgbImage, size: usize) -> Cow<'_, RgbImage> {
    if image.dimensions() == (size as u32, size as u32) {
        Cow::Borrowed(image)
    } else {
        Cow::Owned(image::imageops::resize(
            image,
            size as u32,
            size as u32,
            FilterType::Triangle,
        ))
    }
}

/// The inspection input: resized and normalised to (v − mean) / std,
/// channels last (the pixel bytes' own order, so one pass).
pub fn to_map(image: &RgbImage, size: usize, mean: f32, std: f32) -> FeatureMap {
    let scale = 1.0 / std;
    FeatureMap {
        height: size,
        width: size,
        channels: 3,
        data: resized(image, size)
            .as_raw()
            .iter()
            .map(|&v| (v as f32 - mean) * scale)
            .collect(),
    }
}

/// The same input for the burn port, NCHW.
pub fn to_input(image: &RgbImage, size: usize, mean: f32, std: f32, device: &Device) -> Tensor<4> {
    Tensor::from_data(
        TensorData::new(planar(&resized(image, size), mean, std), [1, 3, size, size]),
        device,
    )
}

/// Interleaved RGB bytes → three normalised planes (R, G, B).
fn planar(image: &RgbImage, mean: f32, std: f32) -> Vec<f32> {
    let pixels = (image.width() * image.height()) as usize;
    let mut out = vec![0.0; 3 * pixels];
    let (r, rest) = out.split_at_mut(pixels);
    let (g, b) = rest.split_at_mut(pixels);
    let scale = 1.0 / std;
    for (i, px) in image.as_raw().chunks_exact(3).enumerate() {
        r[i] = (px[0] as f32 - mean) * scale;
        g[i] = (px[1] as f32 - mean) * scale;
        b[i] = (px[2] as f32 - mean) * scale;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_are_rgb_in_order_and_normalised() {
        let mut img = RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([255, 127, 0]));
        img.put_pixel(1, 0, image::Rgb([127, 255, 127]));
        let v = planar(&img, 127.0, 128.0);
        assert_eq!(v, [1.0, 0.0, 0.0, 1.0, -127.0 / 128.0, 0.0]);
    }

    #[test]
    fn input_has_nchw_shape_after_resize() {
        let img = RgbImage::from_pixel(64, 48, image::Rgb([127, 127, 127]));
        let x = to_input(&img, 32, 127.0, 128.0, &Device::flex());
        assert_eq!(x.dims(), [1, 3, 32, 32]);
        let values = x.into_data().try_to_vec::<f32>().unwrap();
        assert!(values.iter().all(|v| v.abs() < 1e-6));
    }

    #[test]
    fn map_is_channels_last_and_agrees_with_the_planes() {
        let mut img = RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([255, 127, 0]));
        img.put_pixel(1, 0, image::Rgb([127, 255, 127]));
        let map = to_map(&img, 2, 127.0, 128.0);
        assert_eq!((map.height, map.width, map.channels), (2, 2, 3));
        let squeezed = image::imageops::resize(&img, 2, 2, FilterType::Triangle);
        let planes = planar(&squeezed, 127.0, 128.0);
        for (p, px) in map.data.chunks_exact(3).enumerate() {
            for c in 0..3 {
                assert_eq!(px[c], planes[c * 4 + p]);
            }
        }
    }
}
