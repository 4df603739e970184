//! `io.kestra.plugin.core.flow.WorkingDirectory`: `tasks` one after the other in one shared
//! working directory, so a file one task writes (a `git.Clone`, a dbt project, a script's
//! output) is there for the next.
//!
//! The engine walks it as Sequential; the worker keeps the directory, under its data folder per
//! execution and WorkingDirectory task run: before each child it hands the directory's files to
//! the child's runner (Process, Docker or Kubernetes alike) and after it takes back everything
//! the child left, deletions included. `inputFiles` seed the directory before the first child.
//!
//! Kestra: <https://kestra.io/plugins/core/flow/io.kestra.plugin.core.flow.workingdirectory>

use super::{ERRORS, FINALLY};
use crate::catalog::TaskType;
use crate::{PlanContext, TaskError};
use sluice_flow::model::{Flowable, Task};
use sluice_flow::schema::{Kind, TypeSpec, no_effect, opt, req};
use std::collections::BTreeMap;

/// The WorkingDirectory task.
pub static WORKING_DIRECTORY: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.flow.WorkingDirectory",
        &[
            "io.kestra.core.tasks.flows.WorkingDirectory",
            "io.kestra.core.tasks.flows.Worker",
            "core.flow.WorkingDirectory",
            "flow.WorkingDirectory",
            "WorkingDirectory",
        ],
        &[
            req(
                "tasks",
                Kind::Tasks,
                "Tasks run one after the other in the shared directory.",
            ),
            opt(
                "inputFiles",
                Kind::Files,
                "Files written into the directory before the first task: name to content.",
            ),
            ERRORS,
            FINALLY,
            no_effect(
                "outputFiles",
                Kind::StringList,
                "Files of the directory kept as the task's outputs.",
                "Sluice ignores it here; list `outputFiles` on the task inside that writes them",
            ),
            opt(
                "namespaceFiles",
                Kind::Map,
                "Namespace files copied into the directory: `{enabled, include, exclude, namespaces, folderPerNamespace}`.",
            ),
            no_effect(
                "cache",
                Kind::Map,
                "Files kept from one execution to the next.",
                "Sluice starts every execution with an empty directory",
            ),
        ],
        "Runs its tasks one after the other in one shared working directory.",
    )
    .flowable(Flowable::WorkingDirectory),
    plan: None,
};

/// The files a WorkingDirectory starts with: its `inputFiles`, rendered for its first child.
pub fn seed_files(working_directory: &Task, cx: &PlanContext<'_>) -> Result<BTreeMap<String, Vec<u8>>, TaskError> {
    crate::props::input_files(working_directory, cx)
}
