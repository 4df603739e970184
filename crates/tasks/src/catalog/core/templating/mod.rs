//! `io.kestra.plugin.core.templating`: tasks whose own definition is a template.

pub mod templated_task;
