//! `io.kestra.plugin.core.debug`: tasks for trying flows out.

pub mod return_value;
