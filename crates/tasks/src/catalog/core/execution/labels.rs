//! `io.kestra.plugin.core.execution.Labels`: adds labels to the running execution, or gives
//! existing ones a new value; `system.` labels are refused. The engine does it at once.
//!
//! Kestra: <https://kestra.io/plugins/core/execution/io.kestra.plugin.core.execution.labels>

use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The Labels task.
pub static LABELS: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.execution.Labels",
        &[
            "io.kestra.core.tasks.executions.Labels",
            "core.execution.Labels",
            "execution.Labels",
            "Labels",
        ],
        &[req(
            "labels",
            Kind::Any,
            "A mapping of keys to values, a list of `key`/`value`, or a string giving either as JSON.",
        )],
        "Adds or changes labels of the running execution.",
    )
    .flowable(Flowable::Labels),
    plan: None,
};
