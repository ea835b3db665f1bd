//! Frame sources, preprocessing and inspection models of Linesight.
//! Knows no Tauri and no SQL.

pub mod camera;
