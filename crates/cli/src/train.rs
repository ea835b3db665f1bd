use std::{
    io::Write,
    path::PathBuf,
    sync::{Arc, atomic::AtomicBool},
};

use anyhow::Context;
use linesight_vision::{
    backbone::{INPUT_SIZE, PIXEL_MEAN, PIXEL_STD},
    bundle::{Bundle, InputTransform},
    dataset::DataSet,
    patchcore::{DEFAULT_BLOCKS, GoodSpread, ImageScoring},
    train::{AlignMode, Method, Progress, TrainConfig, train},
};

use linesight_vision::models::Models;

const DEFAULT_MEMORY_CAP: u32 = linesight_vision::train::DEFAULT_MEMORY_CAP as u32;

/// [`linesight_vision::train::DEFAULT_SCORING`], as the option is written.
const DEFAULT_SCORING: &str = "fused:10";

#[derive(clap::Args)]
pub struct Args {
    /// Good images: MVTec AD layout (train/good/…) or a plain folder.
    dir: PathBuf,
    /// Where to write the model bundle (a folder; replaced only when training succeeds).
    #[arg(long)]
    out: PathBuf,
    /// What the model learns: `patchcore` (a memory bank of good patches,
    /// for parts anywhere in the image and textures) or `padim:N[:R]` (a
    /// Gaussian per grid position over N of the embedding's channels, each
    /// also learning from the patches up to R cells away, for parts that sit
    /// in the same place; the manifest's `method` says which).
    #[arg(long, default_value = "patchcore", value_parser = parse_method)]
    method: Method,
    /// Most patches the memory bank keeps (each block's bank, with one per block).
    #[arg(long, default_value_t = DEFAULT_MEMORY_CAP, value_parser = clap::value_parser!(u32).range(1..))]
    memory_cap: u32,
    /// Image score from the patch distances: max, reweighted:B, top:K or fused:K.
    #[arg(long, default_value = DEFAULT_SCORING, value_parser = parse_scoring)]
    scoring: ImageScoring,
    /// Good-part false-reject rate the threshold is set for.
    #[arg(long, default_value_t = linesight_vision::train::DEFAULT_FALSE_REJECT_RATE, value_parser = parse_rate)]
    false_reject_rate: f64,
    /// Side the image (or ROI) is resized to before the backbone: larger sees finer detail, slower.
    #[arg(long, default_value_t = INPUT_SIZE, value_parser = parse_size)]
    input_size: usize,
    /// Backbone blocks whose features form the patch embedding (ascending, 0..=15).
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_BLOCKS)]
    blocks: Vec<usize>,
    /// One memory bank per block, each block's distance measured against its
    /// own spread on held-out good images (default: one joint bank).
    #[arg(long)]
    per_block_banks: bool,
    /// Register every image to the training images' pose before the backbone
    /// (for parts placed a little differently each time): off, on, or auto
    /// (on when the good images' poses vary and registration is reliable).
    #[arg(long, default_value = "off", value_parser = parse_align)]
    align: AlignMode,
    /// With padim: score each patch in units of its grid position's spread on
    /// the held-out good images (image borders and print edges, which vary
    /// more in good parts, then no longer decide the image score).
    #[arg(long)]
    standardise: bool,
    /// Region of interest in the image: x,y,width,height.
    #[arg(long, value_parser = parse_roi)]
    roi: Option<[u32; 4]>,
}

fn parse_method(s: &str) -> Result<Method, String> {
    match s.split_once(':') {
        None if s == "patchcore" => Ok(Method::PatchCore),
        Some(("padim", rest)) => {
            let (n, r) = rest.split_once(':').unwrap_or((rest, "0"));
            match (n.parse::<usize>(), r.parse::<usize>()) {
                (Ok(dims), Ok(radius)) if dims > 0 && radius <= 8 => Ok(Method::Padim {
                    dims,
                    radius,
                    standardised: false,
                }),
                _ => Err(
                    "padim:N[:R] needs a channel count above 0 and a radius of 0 to 8 cells, e.g. padim:64 or padim:160:2"
                        .into(),
                ),
            }
        }
        _ => Err("expected patchcore or padim:N[:R]".into()),
    }
}

fn parse_align(s: &str) -> Result<AlignMode, String> {
    match s {
        "off" => Ok(AlignMode::Off),
        "on" => Ok(AlignMode::On),
        "auto" => Ok(AlignMode::Auto),
        _ => Err("expected off, on or auto".into()),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 0.5 => Ok(r),
        _ => Err("expected a rate above 0 and at most 0.5, e.g. 0.01".into()),
    }
}

fn parse_scoring(s: &str) -> Result<ImageScoring, String> {
    let count = |n: &str| n.parse::<usize>().map_err(|e| e.to_string());
    match s.split_once(':') {
        None if s == "max" => Ok(ImageScoring::MaxPatch),
        Some(("reweighted", b)) => Ok(ImageScoring::Reweighted {
            neighbours: count(b)?.max(2),
        }),
        Some(("top", k)) => Ok(ImageScoring::TopMean {
            patches: count(k)?.max(1),
        }),
        // The spreads are fitted on the held-out good images during training.
        Some(("fused", k)) => Ok(ImageScoring::Fused {
            patches: count(k)?.max(1),
            worst: GoodSpread { mean: 0.0, sd: 1.0 },
            top: GoodSpread { mean: 0.0, sd: 1.0 },
        }),
        _ => Err("expected max, reweighted:B, top:K or fused:K".into()),
    }
}

fn parse_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (64..=1024).contains(&n) && n % 32 == 0 => Ok(n),
        _ => Err("expected a multiple of 32 from 64 to 1024, e.g. 224".into()),
    }
}

fn parse_roi(s: &str) -> Result<[u32; 4], String> {
    let parts: Vec<u32> = s
        .split(',')
        .map(|p| p.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    match parts[..] {
        [x, y, w, h] if w > 0 && h > 0 => Ok([x, y, w, h]),
        _ => Err("expected x,y,width,height with width and height above 0".into()),
    }
}

pub fn run(models: &Models, args: Args) -> anyhow::Result<()> {
    let data = DataSet::scan(&args.dir)?;
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::Relaxed))
        .context("installing the Ctrl-C handler")?;
    let now = chrono::Utc::now();
    let name = args
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    if matches!(args.method, Method::Padim { .. })
        && (args.per_block_banks || matches!(args.scoring, ImageScoring::Reweighted { .. }))
    {
        anyhow::bail!("--per-block-banks and reweighted scoring need a memory bank: use --method patchcore");
    }
    let method = match args.method {
        Method::Padim { dims, radius, .. } => Method::Padim {
            dims,
            radius,
            standardised: args.standardise,
        },
        _ if args.standardise => anyhow::bail!("--standardise needs --method padim:N"),
        other => other,
    };
    let cfg = TrainConfig {
        method,
        input: InputTransform {
            size: args.input_size,
            mean: PIXEL_MEAN,
            std: PIXEL_STD,
            roi: args.roi,
        },
        align: args.align,
        blocks: args.blocks,
        memory_cap: args.memory_cap as usize,
        per_block_banks: args.per_block_banks,
        scoring: args.scoring,
        false_reject_rate: args.false_reject_rate,
        ..TrainConfig::defaults(
            format!("{name}-{}", now.format("%Y%m%dT%H%M%SZ")),
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    };
    eprintln!(
        "training on {} good images from {}",
        data.train_good.len(),
        args.dir.display()
    );
    let mut stderr = std::io::stderr();
    let mut report = |p: Progress| {
        let line = match p {
            Progress::Features { done, total } => format!("features   {done}/{total}"),
            Progress::Coreset { patches, keep } => format!("coreset    {patches} patches → {keep}"),
            Progress::Calibrating { done, total } => format!("calibrating {done}/{total}"),
            Progress::Defects { done, total } => format!("defects    {done}/{total}"),
        };
        let _ = write!(stderr, "\r{line:<40}");
        let _ = stderr.flush();
    };
    let trained = train(
        &models.net,
        &models.backbone_sha256,
        &data,
        &cfg,
        &mut report,
        &cancel,
    )?;
    eprintln!();
    Bundle::save(
        &args.out,
        trained.manifest.clone(),
        &trained.memory_bank,
        trained.defect_head.as_ref(),
    )?;
    if let Some(c) = trained.align_check {
        println!(
            "alignment {}{}: held-out good images shift sd {:.2} px (of {}), rotation sd {:.2}°, correlation {:.3} aligned vs {:.3} as they came",
            if trained.manifest.align.is_some() {
                "on"
            } else {
                "off"
            },
            match &trained.manifest.align {
                Some(a) if !a.rotation => " (shift only: a round part)",
                _ => "",
            },
            c.shift_sd,
            linesight_vision::align::WORK_SIDE,
            c.angle_sd_deg,
            c.ncc_aligned,
            c.ncc_unaligned
        );
    }
    let m = &trained.manifest;
    println!(
        "wrote {} ({}, threshold {:.4}, {} rows, {:.1} s)",
        args.out.display(),
        m.method,
        m.threshold,
        m.memory_bank.rows,
        m.training.seconds
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_roi;

    #[test]
    fn roi_parses_four_numbers() {
        assert_eq!(parse_roi("10, 20,30,40"), Ok([10, 20, 30, 40]));
        assert!(parse_roi("1,2,3").is_err());
        assert!(parse_roi("1,2,0,4").is_err());
        assert!(parse_roi("a,b,c,d").is_err());
    }

    #[test]
    fn the_default_scoring_option_is_the_librarys_default() {
        assert_eq!(
            super::parse_scoring(super::DEFAULT_SCORING),
            Ok(linesight_vision::train::DEFAULT_SCORING)
        );
    }

    #[test]
    fn scoring_parses_each_kind() {
        use linesight_vision::patchcore::ImageScoring;
        assert_eq!(super::parse_scoring("max"), Ok(ImageScoring::MaxPatch));
        assert_eq!(
            super::parse_scoring("reweighted:9"),
            Ok(ImageScoring::Reweighted { neighbours: 9 })
        );
        assert!(matches!(
            super::parse_scoring(super::DEFAULT_SCORING),
            Ok(ImageScoring::Fused { patches: 10, .. })
        ));
        assert!(super::parse_scoring("top:x").is_err() && super::parse_scoring("mean").is_err());
    }

    #[test]
    fn method_parses_each_kind() {
        use linesight_vision::train::Method;
        assert_eq!(super::parse_method("patchcore"), Ok(Method::PatchCore));
        assert_eq!(
            super::parse_method("padim:64"),
            Ok(Method::Padim {
                dims: 64,
                radius: 0,
                standardised: false
            })
        );
        assert_eq!(
            super::parse_method("padim:160:2"),
            Ok(Method::Padim {
                dims: 160,
                radius: 2,
                standardised: false
            })
        );
        assert!(super::parse_method("padim:160:x").is_err());
        assert!(super::parse_method("padim:0").is_err() && super::parse_method("padim").is_err());
    }

    #[test]
    fn input_size_is_a_multiple_of_32() {
        assert_eq!(super::parse_size("320"), Ok(320));
        assert!(
            super::parse_size("300").is_err()
                && super::parse_size("32").is_err()
                && super::parse_size("x").is_err()
        );
    }

    #[test]
    fn align_parses_each_mode() {
        use linesight_vision::train::AlignMode;
        assert_eq!(super::parse_align("off"), Ok(AlignMode::Off));
        assert_eq!(super::parse_align("on"), Ok(AlignMode::On));
        assert_eq!(super::parse_align("auto"), Ok(AlignMode::Auto));
        assert!(super::parse_align("yes").is_err());
    }

    #[test]
    fn rate_is_checked_before_any_work() {
        assert_eq!(super::parse_rate("0.01"), Ok(0.01));
        assert!(
            super::parse_rate("0").is_err()
                && super::parse_rate("0.9").is_err()
                && super::parse_rate("x").is_err()
        );
    }
}
