//! Connected regions of a mask (8-connectivity) with their area, box and
//! centroid: the objects the tracker follows.

use super::plane::Mask;

#[derive(Debug, Clone, PartialEq)]
pub struct Blob {
    /// Pixels in the region.
    pub area: u32,
    /// `[x0, y0, x1, y1]`, end exclusive, in pixels of the mask.
    pub bbox: [u32; 4],
    pub centroid: [f32; 2],
}

impl Blob {
    /// Length of the box diagonal: the blob's size for gating matches.
    pub fn size(&self) -> f32 {
        let w = (self.bbox[2] - self.bbox[0]) as f32;
        let h = (self.bbox[3] - self.bbox[1]) as f32;
        (w * w + h * h).sqrt()
    }
}

/// Every region of at least `min_area` pixels, largest first.
pub fn find_blobs(mask: &Mask, min_area: u32) -> Vec<Blob> {
    let (w, h) = (mask.w, mask.h);
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut blobs = Vec::new();
    for start in 0..w * h {
        if mask.v[start] == 0 || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut area, mut sx, mut sy) = (0u32, 0u64, 0u64);
        let mut bbox = [u32::MAX, u32::MAX, 0, 0];
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            area += 1;
            sx += x as u64;
            sy += y as u64;
            bbox[0] = bbox[0].min(x as u32);
            bbox[1] = bbox[1].min(y as u32);
            bbox[2] = bbox[2].max(x as u32 + 1);
            bbox[3] = bbox[3].max(y as u32 + 1);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let j = ny * w + nx;
                    if mask.v[j] != 0 && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if area >= min_area.max(1) {
            // Pixel centres are at +0.5.
            blobs.push(Blob {
                area,
                bbox,
                centroid: [sx as f32 / area as f32 + 0.5, sy as f32 / area as f32 + 0.5],
            });
        }
    }
    blobs.sort_by_key(|b| std::cmp::Reverse(b.area));
    blobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_regions_with_area_box_and_centroid() {
        let mut m = Mask::new(10, 8);
        let mut set = |x: usize, y: usize| m.v[y * 10 + x] = 1;
        for y in 1..4 {
            for x in 1..5 {
                set(x, y); // 12 px at x 1..5, y 1..4
            }
        }
        set(7, 6);
        set(8, 7); // diagonal neighbours: one region of 2
        set(9, 0); // a speck
        let blobs = find_blobs(&m, 2);
        assert_eq!(blobs.len(), 2);
        assert_eq!(blobs[0].area, 12);
        assert_eq!(blobs[0].bbox, [1, 1, 5, 4]);
        assert_eq!(blobs[0].centroid, [3.0, 2.5]);
        assert_eq!((blobs[1].area, blobs[1].bbox), (2, [7, 6, 9, 8]));
        assert_eq!(find_blobs(&m, 1).len(), 3);
    }
}
