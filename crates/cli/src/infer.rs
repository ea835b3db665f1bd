use std::path::PathBuf;

use anyhow::Context;
use image::imageops;
use linesight_vision::{
    classifier::DefectCall,
    heatmap::overlay,
    inspector::{Verdict, crop_roi},
    preprocess::load_rgb,
};
use serde::Serialize;

use linesight_vision::models::Models;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    model: PathBuf,
    /// Images to inspect.
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// Print one JSON object per image.
    #[arg(long)]
    json: bool,
    /// Write each image with its heatmap overlaid as <n>-<name>.heatmap.png into this folder
    /// (n: the image's position on the command line, so equal names do not collide).
    #[arg(long)]
    heatmap_dir: Option<PathBuf>,
    /// Sensitivity offset, −0.5 (fewer rejects) to 0.5 (more rejects).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    sensitivity: f32,
}

#[derive(Serialize)]
struct Row<'a> {
    image: String,
    verdict: Verdict,
    score: f32,
    threshold: f32,
    /// The defect type a rejected part looks like, when the model names types.
    defect: Option<DefectCall>,
    model: &'a str,
    heatmap: Option<String>,
}

pub fn run(models: &Models, args: Args) -> anyhow::Result<()> {
    let inspector = models.inspector(&args.model)?;
    if let Some(dir) = &args.heatmap_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    for (n, path) in args.images.iter().enumerate() {
        let image = load_rgb(path)?;
        let inspection = inspector.inspect(&image, args.sensitivity);
        let heatmap = match &args.heatmap_dir {
            Some(dir) => {
                let view = crop_roi(&image, inspector.manifest().input.roi).unwrap_or_else(|| image.clone());
                let (w, h) = view.dimensions();
                let map = inspector.heatmap(&inspection, w, h);
                let mut canvas = image::DynamicImage::ImageRgb8(view).to_rgba8();
                imageops::overlay(&mut canvas, &overlay(&map, w, h), 0, 0);
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                let out = dir.join(format!("{n:03}-{stem}.heatmap.png"));
                canvas
                    .save(&out)
                    .with_context(|| format!("writing {}", out.display()))?;
                Some(out.display().to_string())
            }
            None => None,
        };
        let row = Row {
            image: path.display().to_string(),
            verdict: inspection.verdict,
            score: inspection.score,
            threshold: inspection.threshold,
            defect: inspection.defect,
            model: &inspector.manifest().version,
            heatmap,
        };
        if args.json {
            println!("{}", serde_json::to_string(&row)?);
        } else {
            let verdict = match row.verdict {
                Verdict::Ok => "OK",
                Verdict::Ng => "NG",
            };
            let defect = row
                .defect
                .as_ref()
                .map(|d| format!("  {} ({:.0} %)", d.label, 100.0 * d.confidence))
                .unwrap_or_default();
            println!(
                "{verdict}  score {:.4}  threshold {:.4}{defect}  {}",
                row.score, row.threshold, row.image
            );
        }
    }
    Ok(())
}
