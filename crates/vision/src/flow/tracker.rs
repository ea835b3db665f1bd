//! Multi-object tracking of blobs: each track predicts where its object is
//! next (constant velocity), and tracks and blobs are paired greedily,
//! nearest first, within a gate that scales with the object's size. A track
//! that finds no blob coasts on its prediction for a few frames, which
//! carries it through a short occlusion. When objects meet and their blobs
//! merge, every track whose prediction falls inside the merged blob coasts
//! on its own velocity until they part, rather than one track taking the
//! merged blob's centroid (which would throw its velocity, and swap
//! identities when they part).

use super::blobs::Blob;

#[derive(Debug, Clone, PartialEq)]
pub struct TrackerConfig {
    /// Frames a confirmed track may go unseen before it is dropped.
    pub max_misses: u32,
    /// Observations before a track is confirmed; unconfirmed tracks die at
    /// their first miss (noise rarely persists).
    pub min_hits: u32,
    /// Smallest match gate, in pixels.
    pub min_gate: f32,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            max_misses: 8,
            min_hits: 3,
            min_gate: 6.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub id: u64,
    /// Where the object is: observed this frame, or predicted while unseen.
    pub centroid: [f32; 2],
    /// Pixels per frame.
    pub velocity: [f32; 2],
    /// `[x0, y0, x1, y1]` in pixels.
    pub bbox: [f32; 4],
    pub area: u32,
    /// Frames it was observed in.
    pub hits: u32,
    /// Frames since it was last observed on its own (0: observed in this frame).
    pub misses: u32,
    /// Inside a blob merged with other objects in this frame: `centroid` is predicted.
    pub merged: bool,
    last_seen: [f32; 2],
}

impl Track {
    /// Observed on its own in this frame: `centroid` is measured.
    pub fn observed(&self) -> bool {
        self.misses == 0
    }

    pub fn confirmed(&self, min_hits: u32) -> bool {
        self.hits >= min_hits
    }

    fn size(&self) -> f32 {
        let (w, h) = (self.bbox[2] - self.bbox[0], self.bbox[3] - self.bbox[1]);
        (w * w + h * h).sqrt()
    }

    fn predicted(&self) -> [f32; 2] {
        [
            self.centroid[0] + self.velocity[0],
            self.centroid[1] + self.velocity[1],
        ]
    }
}

#[derive(Debug, Clone)]
pub struct Tracker {
    cfg: TrackerConfig,
    tracks: Vec<Track>,
    next_id: u64,
}

impl Tracker {
    pub fn new(cfg: TrackerConfig) -> Self {
        Self {
            cfg,
            tracks: Vec::new(),
            next_id: 1,
        }
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// Pairs this frame's blobs with the tracks, on a `w` × `h` plane;
    /// returns the ids of the tracks dropped.
    pub fn update(&mut self, blobs: &[Blob], w: usize, h: usize) -> Vec<u64> {
        let mut pairs = Vec::new();
        for (ti, t) in self.tracks.iter().enumerate() {
            let p = t.predicted();
            for (bi, b) in blobs.iter().enumerate() {
                let d = ((p[0] - b.centroid[0]).powi(2) + (p[1] - b.centroid[1]).powi(2)).sqrt();
                // An unseen track is less sure where it is: its gate widens.
                let gate =
                    (0.6 * t.size().max(b.size())).max(self.cfg.min_gate) * (1.0 + 0.15 * t.misses as f32);
                if d <= gate {
                    pairs.push((d, ti, bi));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut track_of_blob = vec![None; blobs.len()];
        let mut matched = vec![false; self.tracks.len()];
        for (_, ti, bi) in pairs {
            if !matched[ti] && track_of_blob[bi].is_none() {
                matched[ti] = true;
                track_of_blob[bi] = Some(ti);
            }
        }
        // Each blob's group: its matched track, and unmatched tracks whose
        // prediction lies inside it (objects that merged into it).
        let mut group: Vec<Vec<usize>> = track_of_blob
            .iter()
            .map(|t| t.iter().copied().collect())
            .collect();
        for (ti, t) in self.tracks.iter().enumerate() {
            if matched[ti] {
                continue;
            }
            let [px, py] = t.predicted();
            let inside = |b: &Blob| {
                px >= b.bbox[0] as f32 - 2.0
                    && py >= b.bbox[1] as f32 - 2.0
                    && px <= b.bbox[2] as f32 + 2.0
                    && py <= b.bbox[3] as f32 + 2.0
            };
            if let Some(bi) = blobs.iter().position(inside) {
                group[bi].push(ti);
            }
        }
        let mut seen = vec![false; self.tracks.len()];
        for (bi, g) in group.iter().enumerate() {
            match g.as_slice() {
                [] => {}
                [ti] => {
                    observe(&mut self.tracks[*ti], &blobs[bi]);
                    seen[*ti] = true;
                }
                many => {
                    for &ti in many {
                        coast(&mut self.tracks[ti], true);
                        seen[ti] = true;
                    }
                }
            }
        }
        let mut dropped = Vec::new();
        let (min_hits, max_misses) = (self.cfg.min_hits, self.cfg.max_misses);
        for (t, seen) in self.tracks.iter_mut().zip(&seen) {
            if !seen {
                coast(t, false);
            }
        }
        self.tracks.retain(|t| {
            let [x, y] = t.centroid;
            let inside = x >= 0.0 && y >= 0.0 && x < w as f32 && y < h as f32;
            let alive = if t.confirmed(min_hits) {
                t.merged || t.misses <= max_misses
            } else {
                t.misses == 0 || t.merged
            };
            if !(alive && inside) {
                dropped.push(t.id);
            }
            alive && inside
        });
        for (bi, b) in blobs.iter().enumerate() {
            if group[bi].is_empty() {
                self.tracks.push(Track {
                    id: self.next_id,
                    centroid: b.centroid,
                    velocity: [0.0, 0.0],
                    bbox: b.bbox.map(|v| v as f32),
                    area: b.area,
                    hits: 1,
                    misses: 0,
                    merged: false,
                    last_seen: b.centroid,
                });
                self.next_id += 1;
            }
        }
        dropped
    }
}

fn observe(t: &mut Track, b: &Blob) {
    let k = (t.misses + 1) as f32;
    let inst = [
        (b.centroid[0] - t.last_seen[0]) / k,
        (b.centroid[1] - t.last_seen[1]) / k,
    ];
    // Smoothed, so that one frame of a merged or split blob does not throw it.
    t.velocity = if t.hits == 1 {
        inst
    } else {
        [
            0.5 * t.velocity[0] + 0.5 * inst[0],
            0.5 * t.velocity[1] + 0.5 * inst[1],
        ]
    };
    t.centroid = b.centroid;
    t.last_seen = b.centroid;
    t.bbox = b.bbox.map(|v| v as f32);
    t.area = b.area;
    t.hits += 1;
    t.misses = 0;
    t.merged = false;
}

/// Moves an unseen track on by its velocity.
fn coast(t: &mut Track, merged: bool) {
    let v = t.velocity;
    t.centroid = [t.centroid[0] + v[0], t.centroid[1] + v[1]];
    t.bbox = [
        t.bbox[0] + v[0],
        t.bbox[1] + v[1],
        t.bbox[2] + v[0],
        t.bbox[3] + v[1],
    ];
    t.misses += 1;
    t.merged = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(x: f32, y: f32) -> Blob {
        Blob {
            area: 64,
            bbox: [
                (x - 4.0) as u32,
                (y - 4.0) as u32,
                (x + 4.0) as u32,
                (y + 4.0) as u32,
            ],
            centroid: [x, y],
        }
    }

    #[test]
    fn keeps_identities_through_a_crossing_with_occlusion() {
        // Two objects on one row moving towards each other 3 px per frame;
        // around the meeting point only one blob is seen for 4 frames.
        let mut tr = Tracker::new(TrackerConfig::default());
        let mut ids_at_end = Vec::new();
        for f in 0..30 {
            let a = 10.0 + 3.0 * f as f32;
            let b = 100.0 - 3.0 * f as f32;
            let blobs = if (b - a).abs() < 14.0 {
                let (lo, hi) = (a.min(b), a.max(b));
                vec![Blob {
                    area: 100,
                    bbox: [(lo - 4.0) as u32, 16, (hi + 4.0) as u32, 24],
                    centroid: [(a + b) / 2.0, 20.0],
                }]
            } else {
                vec![blob(a, 20.0), blob(b, 20.0)]
            };
            tr.update(&blobs, 120, 40);
            if f == 29 {
                for t in tr.tracks() {
                    ids_at_end.push((t.id, t.centroid[0].round() as i32));
                }
            }
        }
        ids_at_end.sort();
        // Track 1 started left and is now right (97), track 2 the other way (13).
        assert_eq!(ids_at_end, [(1, 97), (2, 13)]);
    }

    #[test]
    fn unseen_tracks_coast_then_die_and_noise_dies_at_once() {
        let mut tr = Tracker::new(TrackerConfig::default());
        for f in 0..5 {
            tr.update(&[blob(10.0 + 2.0 * f as f32, 20.0)], 120, 40);
        }
        // A one-frame speck far away.
        tr.update(&[blob(18.0, 20.0), blob(90.0, 10.0)], 120, 40);
        assert_eq!(tr.tracks().len(), 2);
        let mut dropped = Vec::new();
        for _ in 0..9 {
            dropped.extend(tr.update(&[], 120, 40));
        }
        assert_eq!(dropped, [2, 1], "the speck at the first miss, the object after 8");
    }
}
