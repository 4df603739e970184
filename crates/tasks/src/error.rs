//! Why a task could not be planned, said so a user can fix the flow.

/// A task that cannot run as written.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// A template did not render.
    #[error("task `{task}`: property `{property}` could not be rendered: {message}")]
    Render {
        /// Task id.
        task: String,
        /// Property holding the template.
        property: String,
        /// What went wrong.
        message: String,
    },
    /// A property has a shape the task cannot use (after rendering).
    #[error("task `{task}`: {message}")]
    Invalid {
        /// Task id.
        task: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A type Sluice validates but cannot run yet.
    #[error("task `{task}`: running `{type_name}` tasks is not supported by this version of Sluice yet")]
    Unsupported {
        /// Task id.
        task: String,
        /// The type.
        type_name: String,
    },
    /// A task runner that this build cannot use yet.
    #[error(
        "task `{task}`: the `{runner}` task runner is not available in this version of Sluice yet; use `taskRunner: {{type: io.kestra.plugin.core.runner.Process}}` to run on this machine"
    )]
    RunnerUnavailable {
        /// Task id.
        task: String,
        /// The runner kind.
        runner: String,
    },
}
