use std::{collections::BTreeMap, io::Write, path::PathBuf};

use anyhow::{Context, bail};
use linesight_vision::{
    calibrate::{Confusion, auroc},
    dataset::DataSet,
    inspector::Verdict,
    preprocess::load_rgb,
};
use serde::Serialize;

use linesight_vision::models::Models;

#[derive(clap::Args)]
pub struct Args {
    /// The model bundle to evaluate.
    #[arg(long)]
    model: PathBuf,
    /// Test set in MVTec AD layout (test/good, test/<defect>/).
    dir: PathBuf,
    /// Write one row per image (path, label, score, verdict, defect type) to this CSV file.
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
    /// AUROC of good images against each defect type alone.
    auroc_by_type: BTreeMap<String, Option<f64>>,
    false_reject_rate: f64,
    escape_rate: f64,
    confusion: Confusion,
    /// Share of rejected defect images whose type the classifier named
    /// right (only types the model knows; `None` without a classifier).
    defect_type_accuracy: Option<f64>,
}

/// One test image's result.
struct Row {
    path: PathBuf,
    label: String,
    score: f32,
    verdict: Verdict,
    called: Option<String>,
}

pub fn run(models: &Models, args: Args) -> anyhow::Result<()> {
    let inspector = models.inspector(&args.model)?;
    let data = DataSet::scan(&args.dir)?;
    if data.test_good.is_empty() || data.test_defects.is_empty() {
        bail!(
            "{} needs test/good and at least one test/<defect> folder with images",
            args.dir.display()
        );
    }
    let labelled: Vec<(PathBuf, String)> = data
        .test_good
        .iter()
        .map(|p| (p.clone(), "good".to_owned()))
        .chain(
            data.test_defects
                .iter()
                .flat_map(|(kind, images)| images.iter().map(move |p| (p.clone(), kind.clone()))),
        )
        .collect();

    let total = labelled.len();
    let mut rows = Vec::with_capacity(total);
    for (i, (path, label)) in labelled.into_iter().enumerate() {
        let inspection = inspector.inspect(&load_rgb(&path)?, 0.0);
        rows.push(Row {
            path,
            label,
            score: inspection.score,
            verdict: inspection.verdict,
            called: inspection.defect.map(|d| d.label),
        });
        eprint!("\rscored {}/{total}", i + 1);
    }
    eprintln!();

    let scores_of = |want: &dyn Fn(&str) -> bool| -> Vec<f32> {
        rows.iter().filter(|r| want(&r.label)).map(|r| r.score).collect()
    };
    let good = scores_of(&|l| l == "good");
    let defect = scores_of(&|l| l != "good");
    let threshold = inspector.threshold(0.0);
    // From the verdicts, not the scores: a score that is not a number is an NG.
    let is_ng = |want: &dyn Fn(&str) -> bool| -> Vec<f32> {
        rows.iter()
            .filter(|r| want(&r.label))
            .map(|r| if r.verdict == Verdict::Ng { 1.0 } else { 0.0 })
            .collect()
    };
    let confusion = Confusion::at(0.5, &is_ng(&|l| l == "good"), &is_ng(&|l| l != "good"));
    let known = &inspector.manifest().labels;
    let named: Vec<bool> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Ng && known.contains(&r.label))
        .filter_map(|r| r.called.as_ref().map(|c| *c == r.label))
        .collect();
    let summary = Summary {
        model: inspector.manifest().version.clone(),
        threshold,
        good_images: good.len(),
        defect_images: defect.len(),
        image_auroc: auroc(&good, &defect),
        auroc_by_type: data
            .test_defects
            .keys()
            .map(|kind| (kind.clone(), auroc(&good, &scores_of(&|l| l == kind))))
            .collect(),
        false_reject_rate: confusion.false_reject_rate(),
        escape_rate: confusion.escape_rate(),
        confusion,
        defect_type_accuracy: (!named.is_empty())
            .then(|| named.iter().filter(|&&ok| ok).count() as f64 / named.len() as f64),
    };

    if let Some(csv) = &args.csv {
        let mut out = std::fs::File::create(csv).with_context(|| format!("creating {}", csv.display()))?;
        writeln!(out, "path,label,score,verdict,defect_type")?;
        for r in &rows {
            let verdict = match r.verdict {
                Verdict::Ok => "ok",
                Verdict::Ng => "ng",
            };
            writeln!(
                out,
                "\"{}\",{},{:.6},{verdict},{}",
                r.path.display().to_string().replace('"', "\"\""),
                r.label,
                r.score,
                r.called.as_deref().unwrap_or("")
            )?;
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(())
}

fn print_summary(s: &Summary) {
    let c = &s.confusion;
    let auroc = |a: Option<f64>| a.map_or("–".to_owned(), |a| format!("{a:.4}"));
    println!("model            {}", s.model);
    println!(
        "images           {} good, {} defect",
        s.good_images, s.defect_images
    );
    println!("image AUROC      {}", auroc(s.image_auroc));
    for (kind, a) in &s.auroc_by_type {
        println!("  {kind:<14} {}", auroc(*a));
    }
    println!("threshold        {:.4}", s.threshold);
    println!(
        "false rejects    {:.2} % of good parts",
        100.0 * s.false_reject_rate
    );
    println!("escapes          {:.2} % of defects", 100.0 * s.escape_rate);
    if let Some(a) = s.defect_type_accuracy {
        println!(
            "defect types     {:.1} % of rejected defects named right",
            100.0 * a
        );
    }
    println!("                 predicted OK  predicted NG");
    println!("actual good      {:>12}  {:>12}", c.true_ok, c.false_ng);
    println!("actual defect    {:>12}  {:>12}", c.false_ok, c.true_ng);
}
