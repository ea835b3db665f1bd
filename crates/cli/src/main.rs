//! `linesight`: train, evaluate and run inspection models from a terminal,
//! over the same crates as the app. No UI, no network, no Python.

mod bench;
mod bench_station;
mod eval;
mod infer;
mod models;
mod synth;
mod train;
mod video;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "linesight",
    version,
    about = "Linesight inspection models: train, evaluate, infer"
)]
struct Cli {
    /// Folder with the shipped backbone (efficientnet-lite0/backbone.safetensors).
    /// Default: $LINESIGHT_MODELS, ./models, or the repository's models/ next to the binary.
    #[arg(long, global = true)]
    models: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Teach a model from good images: DIR in MVTec AD layout (train/good/…) or a plain folder.
    Train(train::Args),
    /// Measure a model on an MVTec AD layout test set: AUROC, false rejects, escapes.
    Eval(eval::Args),
    /// Inspect images with a model: verdict, score and optionally the heatmap.
    Infer(infer::Args),
    /// Generate synthetic inspection sets in MVTec AD layout (parts and textures with defects).
    Synth(synth::Args),
    /// Time inference and training on this machine (see BENCHMARKS.md).
    Bench(bench::Args),
    /// Run a station in real time into a SQLite store: verdict latency, drops, CPU.
    BenchStation(bench_station::Args),
    /// Write a generated camera sequence (people at an entrance, fire, smoke…)
    /// as an MJPEG recording, to rehearse a station's detectors.
    Video(video::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Synth(args) => synth::run(args),
        Command::Video(args) => video::run(args),
        command => models::locate(cli.models.as_deref()).and_then(|models| match command {
            Command::Train(args) => train::run(&models, args),
            Command::Eval(args) => eval::run(&models, args),
            Command::Infer(args) => infer::run(&models, args),
            Command::Bench(args) => bench::run(&models, args),
            Command::BenchStation(args) => bench_station::run(&models, args),
            Command::Synth(_) | Command::Video(_) => unreachable!("handled above"),
        }),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
