//! `io.kestra.plugin.core.output`: tasks that only give outputs.

pub mod output_values;
