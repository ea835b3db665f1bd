use std::path::PathBuf;

use linesight_datagen::{Category, SetSpec, generate};

#[derive(clap::Args)]
pub struct Args {
    /// Folder to write <category>/train/good, test/…, ground_truth/… into.
    out: PathBuf,
    /// Categories to generate (washer, bolt, label, brick, gravel, grass); all when none.
    categories: Vec<Category>,
    #[arg(long, default_value_t = 256)]
    size: u32,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Good training images per category.
    #[arg(long, default_value_t = 200)]
    train: usize,
    #[arg(long, default_value_t = 40)]
    test_good: usize,
    /// Test images per defect type.
    #[arg(long, default_value_t = 15)]
    per_type: usize,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let categories = if args.categories.is_empty() {
        Category::ALL.to_vec()
    } else {
        args.categories
    };
    for category in categories {
        let spec = SetSpec {
            category,
            train_good: args.train,
            test_good: args.test_good,
            test_defect_per_type: args.per_type,
            size: args.size,
            seed: args.seed,
        };
        let summary = generate(&spec, &args.out)?;
        let counts: Vec<String> = summary
            .folders
            .iter()
            .map(|f| format!("{} {}", f.folder, f.count))
            .collect();
        println!("{}: {}", summary.root.display(), counts.join(", "));
    }
    Ok(())
}
