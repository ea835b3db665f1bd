//! The MES domain of Linesight and its SQLite store. Knows no Tauri.
//!
//! Every user action is one method on [`Store`] that runs in one SQL
//! transaction together with its audit row. What a station records on its
//! own ([`Store::record_inspection`]) is not a user action and has none.

pub mod alarms;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod company;
pub mod demo;
pub mod detectors;
mod error;
pub mod inspections;
pub mod master;
pub mod money;
pub mod production;
pub mod purchasing;
pub mod reports;
pub mod sales;
pub mod security;
mod store;
pub mod users;
mod validate;

pub use error::{Error, Field, Result, Rule};
pub use store::Store;
