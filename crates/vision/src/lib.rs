//! Frame sources, preprocessing and inspection models of Linesight.
//! Knows no Tauri and no SQL.

pub mod backbone;
pub mod bundle;
pub mod calibrate;
pub mod camera;
mod coreset;
pub mod heatmap;
pub mod patchcore;
pub mod preprocess;
