//! Frame sources, preprocessing and inspection models of Linesight.
//! Knows no Tauri and no SQL.

pub mod align;
pub mod archive;
pub mod backbone;
pub mod bundle;
pub mod calibrate;
pub mod camera;
pub mod classifier;
pub mod convert;
mod coreset;
mod cpu_kernels;
pub mod cpu_net;
pub mod dataset;
pub mod flow;
pub mod heatmap;
pub mod inspector;
pub mod mjpeg_file;
pub mod models;
pub mod padim;
pub mod patchcore;
pub mod pipeline;
pub mod preprocess;
pub mod source;
pub mod train;
pub mod trigger;
