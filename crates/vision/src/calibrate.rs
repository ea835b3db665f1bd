//! Thresholds that hold up on the line.
//!
//! With good images only, the threshold is set on held-out good images at a
//! target false-reject rate: the rate the line accepts of good parts sent to
//! rework. With labelled defect images, [`threshold_youden`] takes it from
//! the ROC instead: Youden's J (true-reject rate − false-reject rate) does not
//! depend on how many defect examples there are against good ones, where F1
//! would buy recall with false rejects as soon as defects outnumber goods. Either way the method travels in the model manifest.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// How a threshold was chosen, recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibration {
    /// Good images only: the (1 − rate) quantile of held-out good scores;
    /// beyond what the sample can show, a normal fit of the scores' tail.
    GoodQuantile {
        false_reject_rate: f64,
        held_out_good: usize,
    },
    /// Good and defect images: the ROC point with the largest Youden's J.
    RocYouden { good: usize, defect: usize, j: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("calibration needs at least {needed} held-out good images, got {got}")]
    TooFewGood { needed: usize, got: usize },
    #[error("the false-reject rate must be between 0 and 0.5, got {0}")]
    BadRate(f64),
    #[error("a score is not a finite number")]
    NotFinite,
}

/// Fewest held-out good images a threshold is set from.
pub const MIN_HELD_OUT_GOOD: usize = 5;

/// The threshold above which a part is rejected, from good scores only.
pub fn threshold_from_good(
    scores: &[f32],
    false_reject_rate: f64,
) -> Result<(f32, Calibration), CalibrationError> {
    if !(false_reject_rate > 0.0 && false_reject_rate <= 0.5) {
        return Err(CalibrationError::BadRate(false_reject_rate));
    }
    if scores.len() < MIN_HELD_OUT_GOOD {
        return Err(CalibrationError::TooFewGood {
            needed: MIN_HELD_OUT_GOOD,
            got: scores.len(),
        });
    }
    if scores.iter().any(|s| !s.is_finite()) {
        return Err(CalibrationError::NotFinite);
    }
    let mut sorted: Vec<f64> = scores.iter().map(|&s| s as f64).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let threshold = if n * false_reject_rate >= 1.0 {
        quantile(&sorted, 1.0 - false_reject_rate)
    } else {
        // The sample cannot resolve so small a rate: extrapolate the tail with
        // a normal fit, never below the largest good score seen.
        let mean = sorted.iter().sum::<f64>() / n;
        let var = sorted.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let z = Normal::standard().inverse_cdf(1.0 - false_reject_rate);
        (mean + z * var.sqrt()).max(sorted[sorted.len() - 1])
    };
    Ok((
        threshold as f32,
        Calibration::GoodQuantile {
            false_reject_rate,
            held_out_good: scores.len(),
        },
    ))
}

/// Linear-interpolated quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Area under the ROC curve: the chance that a random defect scores above a
/// random good part (ties count half).
pub fn auroc(good: &[f32], defect: &[f32]) -> Option<f64> {
    if good.is_empty() || defect.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for &d in defect {
        for &g in good {
            wins += if d > g {
                1.0
            } else if d == g {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(wins / (good.len() * defect.len()) as f64)
}

/// The threshold with the largest Youden's J over every cut between observed
/// scores; on a tie, the lower one (fewer escapes). `None` without both kinds
/// of score.
pub fn threshold_youden(good: &[f32], defect: &[f32]) -> Option<(f32, Calibration)> {
    if good.is_empty() || defect.is_empty() {
        return None;
    }
    let mut all: Vec<(f32, bool)> = good
        .iter()
        .map(|&s| (s, false))
        .chain(defect.iter().map(|&s| (s, true)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best = (f64::MIN, 0.0f32);
    // Cut k: everything at index >= k is rejected. Candidate thresholds sit
    // halfway between neighbours so that equal scores are never split.
    for k in 0..all.len() {
        if k > 0 && all[k].0 == all[k - 1].0 {
            continue;
        }
        let tp = all[k..].iter().filter(|(_, d)| *d).count() as f64;
        let fp = (all.len() - k) as f64 - tp;
        let j = tp / defect.len() as f64 - fp / good.len() as f64;
        if j > best.0 {
            // Reject means score > t: t just below the lowest score, or halfway
            // to the previous one unless rounding lands it on the cut score.
            let t = if k == 0 {
                all[0].0.next_down()
            } else {
                let mid = (all[k - 1].0 + all[k].0) / 2.0;
                if mid < all[k].0 { mid } else { all[k - 1].0 }
            };
            best = (j, t);
        }
    }
    Some((
        best.1,
        Calibration::RocYouden {
            good: good.len(),
            defect: defect.len(),
            j: best.0,
        },
    ))
}

/// Counts at a threshold: a score above it is a reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Confusion {
    /// Good parts passed.
    pub true_ok: usize,
    /// Good parts rejected (false rejects).
    pub false_ng: usize,
    /// Defects passed (escapes).
    pub false_ok: usize,
    /// Defects rejected.
    pub true_ng: usize,
}

impl Confusion {
    pub fn at(threshold: f32, good: &[f32], defect: &[f32]) -> Self {
        let false_ng = good.iter().filter(|&&s| s > threshold).count();
        let true_ng = defect.iter().filter(|&&s| s > threshold).count();
        Self {
            true_ok: good.len() - false_ng,
            false_ng,
            false_ok: defect.len() - true_ng,
            true_ng,
        }
    }

    pub fn false_reject_rate(&self) -> f64 {
        ratio(self.false_ng, self.true_ok + self.false_ng)
    }

    pub fn escape_rate(&self) -> f64 {
        ratio(self.false_ok, self.false_ok + self.true_ng)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_quantile_interpolates_when_the_sample_allows() {
        let scores: Vec<f32> = (1..=100).map(|i| i as f32).collect();
        let (t, how) = threshold_from_good(&scores, 0.05).unwrap();
        // 95 % quantile of 1..=100 by linear interpolation: 95.05.
        assert!((t - 95.05).abs() < 1e-4, "{t}");
        assert_eq!(
            how,
            Calibration::GoodQuantile {
                false_reject_rate: 0.05,
                held_out_good: 100
            }
        );
        // At that threshold the measured false-reject rate is the target.
        assert_eq!(Confusion::at(t, &scores, &[]).false_reject_rate(), 0.05);
    }

    #[test]
    fn small_samples_extrapolate_the_tail_above_the_largest_good_score() {
        let scores = [1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98, 1.01, 0.99];
        let (t, _) = threshold_from_good(&scores, 0.001).unwrap();
        assert!(t > 1.1, "threshold {t} must clear every good score");
        // mean 1.0, sd ≈ 0.0537, z(0.999) ≈ 3.09 → ≈ 1.166
        assert!((t - 1.166).abs() < 0.01, "{t}");
    }

    #[test]
    fn degenerate_inputs_are_refused() {
        assert_eq!(
            threshold_from_good(&[1.0, 2.0], 0.01),
            Err(CalibrationError::TooFewGood {
                needed: MIN_HELD_OUT_GOOD,
                got: 2
            })
        );
        assert_eq!(
            threshold_from_good(&[1.0; 10], 0.0),
            Err(CalibrationError::BadRate(0.0))
        );
        assert_eq!(
            threshold_from_good(&[1.0, 2.0, 3.0, f32::NAN, 4.0], 0.1),
            Err(CalibrationError::NotFinite)
        );
    }

    #[test]
    fn auroc_counts_pairs_and_ties() {
        assert_eq!(auroc(&[1.0, 2.0], &[3.0, 4.0]), Some(1.0));
        assert_eq!(auroc(&[3.0, 4.0], &[1.0, 2.0]), Some(0.0));
        assert_eq!(auroc(&[1.0, 3.0], &[2.0, 3.0]), Some(0.625));
        assert_eq!(auroc(&[], &[1.0]), None);
    }

    #[test]
    fn youden_separates_separable_scores() {
        let good = [0.1, 0.2, 0.3, 0.35];
        let defect = [0.5, 0.6, 0.9];
        let (t, how) = threshold_youden(&good, &defect).unwrap();
        assert!(t > 0.35 && t < 0.5, "{t}");
        assert_eq!(
            how,
            Calibration::RocYouden {
                good: 4,
                defect: 3,
                j: 1.0
            }
        );
        let c = Confusion::at(t, &good, &defect);
        assert_eq!(
            c,
            Confusion {
                true_ok: 4,
                false_ng: 0,
                false_ok: 0,
                true_ng: 3
            }
        );
    }

    #[test]
    fn youden_with_overlap_prefers_fewer_escapes_on_a_tie() {
        let good = [0.1, 0.2, 0.6];
        let defect = [0.5, 0.7, 0.8];
        let (t, how) = threshold_youden(&good, &defect).unwrap();
        let Calibration::RocYouden { j, .. } = how else {
            panic!()
        };
        // From 0.5 up: 3/3 − 1/3; from 0.7 up: 2/3 − 0/3. Equal: the lower cut wins.
        assert!((j - 2.0 / 3.0).abs() < 1e-9);
        assert!(t > 0.2 && t < 0.5);
        let c = Confusion::at(t, &good, &defect);
        assert_eq!(c.escape_rate(), 0.0);
        assert!((c.false_reject_rate() - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn youden_ignores_how_many_defect_examples_there_are() {
        // Many defect examples against few goods: F1 would reject the 0.6 good part too.
        let good = [0.1, 0.2, 0.3, 0.4, 0.6];
        let defect: Vec<f32> = (0..40).map(|i| if i == 0 { 0.5 } else { 0.9 }).collect();
        let (t, _) = threshold_youden(&good, &defect).unwrap();
        assert!(t > 0.6 && t < 0.9, "{t}");
    }
}
