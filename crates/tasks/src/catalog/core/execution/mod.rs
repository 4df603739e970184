//! `io.kestra.plugin.core.execution`: tasks that decide the execution's fate.

pub mod assert;
pub mod exit;
pub mod fail;
