//! Logs to a daily-rotated file in the app's log dir (two weeks kept), and
//! panics into the same file before the default hook runs.

use std::{backtrace::Backtrace, path::Path};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};

pub fn init(log_dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(log_dir)?;
    // Written synchronously: a line is on disk before a crash can lose it.
    let file = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("linesight")
        .filename_suffix("log")
        .max_log_files(14)
        .build(log_dir)?;
    let filter = EnvFilter::try_from_env("LINESIGHT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(file).with_ansi(false))
        .with(fmt::layer().with_writer(std::io::stderr))
        .try_init()?;

    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(target: "panic", "{info}\n{}", Backtrace::force_capture());
        default_hook(info);
    }));
    Ok(())
}
