//! Greedy coreset (k-center) selection: the fewest patches that still cover
//! every normal patch seen in training, so nearest-neighbour scoring stays
//! fast without forgetting rare normal appearance.

use rayon::prelude::*;

/// Dimensions rows are projected to before selection: distances between
/// patches survive a random projection well (Johnson–Lindenstrauss), and the
/// selection runs several times faster.
pub const PROJECTED_DIMS: usize = 64;

/// Picks `target` row indices of `rows` (n × dim, row-major) by greedy
/// k-center: each pick is the row farthest from everything picked so far,
/// measured after a fixed random projection. Deterministic: starts from row 0.
pub fn greedy_k_center(rows: &[f32], dim: usize, target: usize) -> Vec<usize> {
    assert!(dim > 0 && rows.len().is_multiple_of(dim), "rows must be n × dim");
    let n = rows.len() / dim;
    if target >= n {
        return (0..n).collect();
    }
    if dim > PROJECTED_DIMS {
        return k_center(&project(rows, dim, PROJECTED_DIMS), PROJECTED_DIMS, target);
    }
    k_center(rows, dim, target)
}

/// Sparse random projection (Achlioptas): entries ±√3 with probability 1/6
/// each, else 0, from a fixed seed.
fn project(rows: &[f32], dim: usize, to: usize) -> Vec<f32> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let scale = (3.0f32 / to as f32).sqrt();
    let matrix: Vec<f32> = (0..dim * to)
        .map(|_| match next() % 6 {
            0 => scale,
            1 => -scale,
            _ => 0.0,
        })
        .collect();
    let mut out = vec![0.0; rows.len() / dim * to];
    for (row, o) in rows.chunks_exact(dim).zip(out.chunks_exact_mut(to)) {
        for (x, m) in row.iter().zip(matrix.chunks_exact(to)) {
            for (acc, w) in o.iter_mut().zip(m) {
                *acc += x * w;
            }
        }
    }
    out
}

fn k_center(rows: &[f32], dim: usize, target: usize) -> Vec<usize> {
    let n = rows.len() / dim;
    let mut picked = Vec::with_capacity(target);
    let mut min_dist = vec![f32::INFINITY; n];
    let mut next = 0;
    while picked.len() < target {
        picked.push(next);
        let center = &rows[next * dim..(next + 1) * dim];
        // Chunks in parallel; ties go to the lowest index, as in one pass.
        next = rows
            .par_chunks(CHUNK * dim)
            .zip(min_dist.par_chunks_mut(CHUNK))
            .enumerate()
            .map(|(c, (rows, mins))| farthest_after(rows, mins, center, c * CHUNK))
            .reduce(
                || (0, f32::MIN),
                |a, b| {
                    if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) {
                        b
                    } else {
                        a
                    }
                },
            )
            .0;
    }
    picked
}

/// Rows per parallel task of a k-center step.
const CHUNK: usize = 4096;

/// Lowers each row's distance to the picks by `center`'s; returns the
/// farthest row (index from `first`) and its distance.
fn farthest_after(rows: &[f32], mins: &mut [f32], center: &[f32], first: usize) -> (usize, f32) {
    let mut farthest = (first, f32::MIN);
    for (i, (row, best)) in rows.chunks_exact(center.len()).zip(mins).enumerate() {
        let d = squared_distance(row, center);
        if d < *best {
            *best = d;
        }
        if *best > farthest.1 {
            farthest = (first + i, *best);
        }
    }
    farthest
}

fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_every_cluster_before_repeating_one() {
        // Three tight clusters of 10 points in 2-D; three picks hit all three.
        let mut rows = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for k in 0..10 {
                rows.extend([cx + k as f32 * 0.01, cy - k as f32 * 0.01]);
            }
        }
        let picked = greedy_k_center(&rows, 2, 3);
        let clusters: std::collections::BTreeSet<usize> = picked.iter().map(|i| i / 10).collect();
        assert_eq!(clusters.len(), 3, "picked {picked:?}");
    }

    #[test]
    fn asking_for_more_than_there_is_returns_all() {
        assert_eq!(greedy_k_center(&[1.0, 2.0, 3.0], 1, 5), [0, 1, 2]);
    }

    #[test]
    fn projection_keeps_far_points_far() {
        // Two groups far apart in 100-D stay far apart after projection.
        let mut rows = vec![0.0f32; 2 * 100];
        rows[100..].iter_mut().for_each(|v| *v = 5.0);
        let p = project(&rows, 100, PROJECTED_DIMS);
        let d = squared_distance(&p[..PROJECTED_DIMS], &p[PROJECTED_DIMS..]).sqrt();
        assert!(d > 30.0 && d < 70.0, "projected distance {d}, true 50");
    }

    #[test]
    fn parallel_chunks_pick_as_one_pass_would() {
        let rows: Vec<f32> = (0..2 * (2 * CHUNK + 77))
            .map(|i| ((i * 7919) % 1009) as f32)
            .collect();
        let mut min_dist = vec![f32::INFINITY; rows.len() / 2];
        let (mut want, mut next) = (Vec::new(), 0);
        while want.len() < 30 {
            want.push(next);
            next = farthest_after(&rows, &mut min_dist, &rows[next * 2..next * 2 + 2], 0).0;
        }
        assert_eq!(k_center(&rows, 2, 30), want);
    }

    #[test]
    fn picks_are_distinct() {
        let rows: Vec<f32> = (0..200).map(|i| ((i * 37) % 101) as f32).collect();
        let picked = greedy_k_center(&rows, 2, 50);
        let unique: std::collections::BTreeSet<_> = picked.iter().collect();
        assert_eq!(unique.len(), 50);
    }
}
