//! What managers read (대시보드, 품질, 경영정보): aggregates over the store,
//! shaped to answer in milliseconds on years of data. Nothing here writes.

pub mod daily;
pub mod dashboard;
pub mod monthly;
pub mod quality;

#[cfg(test)]
mod tests;
