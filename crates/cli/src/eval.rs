use std::{io::Write, path::PathBuf};

use anyhow::{Context, bail};
use linesight_vision::{
    calibrate::{Confusion, auroc},
    dataset::DataSet,
    preprocess::load_rgb,
};
use serde::Serialize;

use crate::models::Models;

#[derive(clap::Args)]
pub struct Args {
    /// The model bundle to evaluate.
    #[arg(long)]
    model: PathBuf,
    /// Test set in MVTec AD layout (test/good, test/<defect>/).
    dir: PathBuf,
    /// Write one row per image (path, label, score, verdict) to this CSV file.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Summary {
    model: String,
    threshold: f32,
    good_images: usize,
    defect_images: usize,
    image_auroc: Option<f64>,
    false_reject_rate: f64,
    escape_rate: f64,
    confusion: Confusion,
}

pub fn run(models: &Models, args: Args) -> anyhow::Result<()> {
    let inspector = models.inspector(&args.model)?;
    let data = DataSet::scan(&args.dir)?;
    let mut labelled: Vec<(PathBuf, String)> = data
        .test_good
        .iter()
        .map(|p| (p.clone(), "good".to_owned()))
        .collect();
    for (kind, images) in &data.test_defects {
        labelled.extend(images.iter().map(|p| (p.clone(), kind.clone())));
    }
    if data.test_good.is_empty() || data.test_defects.is_empty() {
        bail!(
            "{} needs test/good and at least one test/<defect> folder with images",
            args.dir.display()
        );
    }

    let mut scores = Vec::with_capacity(labelled.len());
    for (i, (path, _)) in labelled.iter().enumerate() {
        scores.push(inspector.score(&load_rgb(path)?).score());
        eprint!("\rscored {}/{}", i + 1, labelled.len());
    }
    eprintln!();

    let threshold = inspector.threshold(0.0);
    let good: Vec<f32> = labelled
        .iter()
        .zip(&scores)
        .filter(|((_, l), _)| l == "good")
        .map(|(_, s)| *s)
        .collect();
    let defect: Vec<f32> = labelled
        .iter()
        .zip(&scores)
        .filter(|((_, l), _)| l != "good")
        .map(|(_, s)| *s)
        .collect();
    let confusion = Confusion::at(threshold, &good, &defect);
    let summary = Summary {
        model: inspector.manifest().version.clone(),
        threshold,
        good_images: good.len(),
        defect_images: defect.len(),
        image_auroc: auroc(&good, &defect),
        false_reject_rate: confusion.false_reject_rate(),
        escape_rate: confusion.escape_rate(),
        confusion,
    };

    if let Some(csv) = &args.csv {
        let mut out = std::fs::File::create(csv).with_context(|| format!("creating {}", csv.display()))?;
        writeln!(out, "path,label,score,verdict")?;
        for ((path, label), score) in labelled.iter().zip(&scores) {
            let verdict = if *score > threshold { "ng" } else { "ok" };
            writeln!(
                out,
                "\"{}\",{label},{score:.6},{verdict}",
                path.display().to_string().replace('"', "\"\"")
            )?;
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        let c = &summary.confusion;
        println!("model            {}", summary.model);
        println!(
            "images           {} good, {} defect",
            summary.good_images, summary.defect_images
        );
        println!("image AUROC      {:.4}", summary.image_auroc.unwrap_or(f64::NAN));
        println!("threshold        {:.4}", summary.threshold);
        println!(
            "false rejects    {:.2} % of good parts",
            100.0 * summary.false_reject_rate
        );
        println!("escapes          {:.2} % of defects", 100.0 * summary.escape_rate);
        println!("                 predicted OK  predicted NG");
        println!("actual good      {:>12}  {:>12}", c.true_ok, c.false_ng);
        println!("actual defect    {:>12}  {:>12}", c.false_ok, c.true_ng);
    }
    Ok(())
}
