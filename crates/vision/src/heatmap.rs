//! The anomaly map as the operator sees it: upsampled to the inspected
//! region, smoothed, and normalised with statistics of good images so that a
//! good part stays dark and only what crosses the threshold glows.

use image::{ImageBuffer, Luma, Rgba, RgbaImage, imageops};

use crate::patchcore::AnomalyGrid;

/// How raw patch distances map to display intensity: `floor` (typical good
/// patch) → 0, `threshold` (the model's decision threshold) → 1.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapNormalisation {
    pub floor: f32,
    pub threshold: f32,
}

impl MapNormalisation {
    pub fn apply(&self, value: f32) -> f32 {
        let span = (self.threshold - self.floor).max(f32::EPSILON);
        ((value - self.floor) / span).max(0.0)
    }
}

/// The grid upsampled to `width × height` (bilinear), blurred with `sigma`
/// pixels, and normalised. Values: 0 = normal, ≥ 1 = at or past the threshold.
pub fn smooth_map(
    grid: &AnomalyGrid,
    width: u32,
    height: u32,
    sigma: f32,
    norm: MapNormalisation,
) -> Vec<f32> {
    // The image crate clamps f32 pixels to 0..=1: scale into that range and
    // back (resizing and blurring are linear, so this is exact).
    let scale = grid.values.iter().fold(f32::EPSILON, |m, v| m.max(v.abs()));
    let unit: Vec<f32> = grid.values.iter().map(|v| (v / scale).max(0.0)).collect();
    let raw: ImageBuffer<Luma<f32>, Vec<f32>> =
        ImageBuffer::from_raw(grid.width as u32, grid.height as u32, unit)
            .expect("grid values match its size");
    let up = imageops::resize(&raw, width, height, imageops::FilterType::Triangle);
    let smooth = if sigma > 0.0 {
        imageops::blur(&up, sigma)
    } else {
        up
    };
    smooth
        .into_raw()
        .into_iter()
        .map(|v| norm.apply(v * scale))
        .collect()
}

/// An overlay for the live view: transparent where normal, yellow to red
/// and increasingly opaque as the map nears and passes the threshold.
pub fn overlay(map: &[f32], width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        let v = map[(y * width + x) as usize];
        if v < 0.25 {
            return Rgba([0, 0, 0, 0]);
        }
        let t = ((v - 0.25) / 0.75).clamp(0.0, 1.0);
        let green = (255.0 * (1.0 - t)) as u8;
        let alpha = (80.0 + 140.0 * t) as u8;
        Rgba([255, green, 0, alpha])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(values: Vec<f32>, w: usize) -> AnomalyGrid {
        AnomalyGrid {
            width: w,
            height: values.len() / w,
            values,
        }
    }

    #[test]
    fn good_levels_stay_dark_and_the_threshold_maps_to_one() {
        let norm = MapNormalisation {
            floor: 2.0,
            threshold: 6.0,
        };
        assert_eq!(norm.apply(1.0), 0.0);
        assert_eq!(norm.apply(2.0), 0.0);
        assert_eq!(norm.apply(4.0), 0.5);
        assert_eq!(norm.apply(6.0), 1.0);
        let flat = smooth_map(&grid(vec![2.0; 16], 4), 32, 32, 2.0, norm);
        assert_eq!(flat.len(), 32 * 32);
        assert!(flat.iter().all(|&v| v < 1e-4));
        let over = overlay(&flat, 32, 32);
        assert!(over.pixels().all(|p| p[3] == 0), "a good part draws nothing");
    }

    #[test]
    fn a_hot_patch_glows_where_it_is() {
        let mut values = vec![1.0; 64];
        values[8 * 6 + 6] = 20.0; // row 6, column 6 of 8 × 8
        let norm = MapNormalisation {
            floor: 1.0,
            threshold: 5.0,
        };
        let map = smooth_map(&grid(values, 8), 64, 64, 1.5, norm);
        let (hot, _) = map.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        let (x, y) = (hot % 64, hot / 64);
        assert!(
            (48..=56).contains(&x) && (48..=56).contains(&y),
            "peak at {x},{y}"
        );
        assert!(map[hot] > 1.0);
        assert!(map[0] < 0.05, "far corner stays dark");
        assert!(overlay(&map, 64, 64).get_pixel(x as u32, y as u32)[3] > 150);
    }
}
