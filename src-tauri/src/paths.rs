//! Where the app keeps its data. The OS app-data dir by default; the
//! `--data-dir` flag or the `LINESIGHT_DATA_DIR` variable point it elsewhere
//! (a second line on one PC, tests on an empty folder).

use std::{ffi::OsString, path::PathBuf};

pub const DATA_DIR_FLAG: &str = "--data-dir";
pub const DATA_DIR_ENV: &str = "LINESIGHT_DATA_DIR";

/// The data dir asked for on the command line (first) or in the environment.
/// `args` excludes the program name.
pub fn data_dir_override(args: impl IntoIterator<Item = OsString>, env: Option<OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == DATA_DIR_FLAG {
            return args.next().filter(|v| !v.is_empty()).map(PathBuf::from);
        }
        if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            return (!value.is_empty()).then(|| PathBuf::from(value));
        }
    }
    env.filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// Files inside the data dir.
pub struct DataDir {
    pub root: PathBuf,
    pub logs: PathBuf,
}

impl DataDir {
    pub fn database(&self) -> PathBuf {
        self.root.join("linesight.db")
    }

    pub fn settings(&self) -> PathBuf {
        self.root.join("settings.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn flag_wins_over_environment() {
        let env = Some(OsString::from("/from/env"));
        assert_eq!(
            data_dir_override(args(&["--data-dir", "/from/flag"]), env.clone()),
            Some(PathBuf::from("/from/flag"))
        );
        assert_eq!(
            data_dir_override(args(&["--data-dir=/from/flag"]), env.clone()),
            Some(PathBuf::from("/from/flag"))
        );
        assert_eq!(
            data_dir_override(args(&["--other"]), env),
            Some(PathBuf::from("/from/env"))
        );
    }

    #[test]
    fn nothing_or_empty_means_default() {
        assert_eq!(data_dir_override(args(&[]), None), None);
        assert_eq!(data_dir_override(args(&["--data-dir"]), None), None);
        assert_eq!(
            data_dir_override(args(&["--data-dir="]), Some(OsString::new())),
            None
        );
    }
}
