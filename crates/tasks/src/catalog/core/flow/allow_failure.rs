//! `io.kestra.plugin.core.flow.AllowFailure`: `tasks` one after the other; when one fails, the
//! rest of them do not run and the AllowFailure ends WARNING, so the flow goes on.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.allowfailure>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use sluice_flow::model::Flowable;
use sluice_flow::schema::{Kind, TypeSpec, req};

/// The AllowFailure task.
pub static ALLOW_FAILURE: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.AllowFailure",
        &[
            "io.kestra.core.tasks.flows.AllowFailure",
            "core.flow.AllowFailure",
            "flow.AllowFailure",
            "AllowFailure",
        ],
        &[
            req(
                "tasks",
                Kind::Tasks,
                "Tasks run one after the other; a failure is only a warning.",
            ),
            ERRORS,
            FINALLY,
        ],
        "Runs its tasks; a failure among them ends it WARNING instead of failing the flow.",
    )
    .flowable(Flowable::AllowFailure),
    plan: None,
};
