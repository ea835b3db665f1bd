//! The MES domain of Linesight and its SQLite store. Knows no Tauri.
//!
//! Every user action is one method on [`Store`] that runs in one SQL
//! transaction together with its audit row.

pub mod audit;
pub mod auth;
mod error;
mod store;
mod validate;

pub use error::{Error, Field, Result, Rule};
pub use store::Store;
