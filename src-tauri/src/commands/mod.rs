//! Typed commands, one module per domain. Each checks the caller before it
//! touches data; the TypeScript bindings are generated from these signatures.

pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod company;
pub mod detectors;
pub mod inspections;
pub mod master;
pub mod production;
pub mod reports;
pub mod sales;
pub mod settings;
pub mod stations;
pub mod teach;
pub mod users;
