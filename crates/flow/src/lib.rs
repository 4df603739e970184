//! The flow language: Kestra-format YAML read with source spans, validated, and templated.
//!
//! This crate does no I/O beyond what its caller hands it: text in, typed flows and
//! diagnostics out. Everything else in Sluice builds on it.

pub mod cron;
pub mod duration;
pub mod template;
