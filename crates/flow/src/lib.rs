//! The flow language: Kestra-format YAML read with source spans, validated, and templated.
//!
//! This crate does no I/O beyond what its caller hands it: text in, typed flows and
//! diagnostics out. Everything else in Sluice builds on it.

pub mod cron;
pub mod diagnostic;
pub mod duration;
pub mod inputs;
pub mod ion;
pub mod k8s;
pub mod kv;
pub mod model;
pub mod namespace_files;
pub mod schema;
pub mod storage;
pub mod suggest;
pub mod template;
pub mod validate;
pub mod yaml;

pub use diagnostic::{Diagnostic, Pos, Severity};
pub use model::Flow;
pub use validate::{Checked, Validator};
