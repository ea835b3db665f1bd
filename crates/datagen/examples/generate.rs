//! Writes data sets in MVTec AD layout.
//!
//! `cargo run --release -p linesight-datagen --example generate -- OUT_DIR [CATEGORY|all]
//!  [--size N] [--seed N] [--train N] [--test-good N] [--per-type N]`

use std::path::PathBuf;
use std::process::ExitCode;

use linesight_datagen::{Category, SetSpec, generate};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut pos = Vec::new();
    let mut opts = std::collections::HashMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(k) = a.strip_prefix("--") {
            opts.insert(k.to_string(), it.next().cloned().unwrap_or_default());
        } else {
            pos.push(a.clone());
        }
    }
    let Some(out) = pos.first().map(PathBuf::from) else {
        eprintln!(
            "usage: generate OUT_DIR [CATEGORY|all] [--size N] [--seed N] [--train N] [--test-good N] [--per-type N]"
        );
        return ExitCode::from(2);
    };
    let cats: Vec<Category> = match pos.get(1).map(String::as_str) {
        None | Some("all") => Category::ALL.to_vec(),
        Some(name) => match name.parse() {
            Ok(c) => vec![c],
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
    };
    let num = |k: &str| opts.get(k).and_then(|v| v.parse::<u64>().ok());
    for c in cats {
        let mut spec = SetSpec::new(c, num("seed").unwrap_or(0));
        spec.size = num("size").map_or(spec.size, |v| v as u32);
        spec.train_good = num("train").map_or(spec.train_good, |v| v as usize);
        spec.test_good = num("test-good").map_or(spec.test_good, |v| v as usize);
        spec.test_defect_per_type = num("per-type").map_or(spec.test_defect_per_type, |v| v as usize);
        match generate(&spec, &out) {
            Ok(s) => {
                let counts: Vec<String> = s
                    .folders
                    .iter()
                    .map(|f| format!("{} {}", f.folder, f.count))
                    .collect();
                println!("{}: {}", s.root.display(), counts.join(", "));
            }
            Err(e) => {
                eprintln!("{c}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
