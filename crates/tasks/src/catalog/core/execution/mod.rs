//! `io.kestra.plugin.core.execution`: tasks that decide the execution's fate.

pub mod assert;
pub mod exit;
pub mod fail;
pub mod labels;
pub mod resume;
pub mod set_variables;
pub mod unset_variables;
