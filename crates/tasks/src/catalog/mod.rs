//! Every task and trigger type Sluice knows, one module each, grouped as Kestra's plugins are.
//!
//! A type's module holds its [`TypeSpec`] (names, aliases, properties with their docs) and its
//! behaviour: a plan function for a task a worker runs, or the [`Flowable`] walk the engine
//! does. Adding a type is one new module and one line in [`TASKS`], [`TRIGGERS`] or, for a
//! trigger condition, `core::condition::CONDITIONS`.
//!
//! [`Flowable`]: sluice_flow::model::Flowable

pub mod core;
pub mod dbt;
pub mod email;
pub mod git;
pub mod jdbc;
pub mod kubernetes;
pub mod notifications;
pub mod openai;
pub mod scripts;
pub mod serdes;
pub mod terraform;

use crate::{Plan, PlanContext, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Catalog, TypeSpec};
use sluice_flow::{Checked, Validator};
use std::sync::LazyLock;

/// Plans one attempt of a task a worker runs.
pub type PlanFn = fn(&Task, &PlanContext<'_>) -> Result<Plan, TaskError>;

/// A task type: what the validator checks, and what running it means.
#[derive(Debug)]
pub struct TaskType {
    /// Names, aliases, properties, and for flowable tasks the engine's walk.
    pub spec: TypeSpec,
    /// How a worker runs it; `None` for a flowable task, which the engine walks itself.
    pub plan: Option<PlanFn>,
}

/// Every task type.
pub static TASKS: &[&TaskType] = &[
    &core::log::LOG,
    &core::log::fetch::FETCH,
    &core::flow::sequential::SEQUENTIAL,
    &core::flow::parallel::PARALLEL,
    &core::flow::if_then::IF,
    &core::flow::switch::SWITCH,
    &core::flow::for_each::FOR_EACH,
    &core::flow::each_sequential::EACH_SEQUENTIAL,
    &core::flow::each_parallel::EACH_PARALLEL,
    &core::flow::dag::DAG,
    &core::flow::loop_until::LOOP_UNTIL,
    &core::flow::working_directory::WORKING_DIRECTORY,
    &core::flow::allow_failure::ALLOW_FAILURE,
    &core::flow::pause::PAUSE,
    &core::flow::subflow::SUBFLOW,
    &core::flow::for_each_item::FOR_EACH_ITEM,
    &core::flow::sleep::SLEEP,
    &core::http::request::REQUEST,
    &core::http::download::DOWNLOAD,
    &core::kv::set::SET,
    &core::kv::get::GET,
    &core::kv::get_keys::GET_KEYS,
    &core::kv::delete::DELETE,
    &core::kv::purge_kv::PURGE_KV,
    &core::namespace::upload_files::UPLOAD_FILES,
    &core::namespace::download_files::DOWNLOAD_FILES,
    &core::namespace::delete_files::DELETE_FILES,
    &core::storage::write::WRITE,
    &core::storage::concat::CONCAT,
    &core::storage::size::SIZE,
    &core::storage::delete::DELETE,
    &core::storage::reverse::REVERSE,
    &core::storage::split::SPLIT,
    &core::storage::filter_items::FILTER_ITEMS,
    &core::storage::deduplicate_items::DEDUPLICATE_ITEMS,
    &core::storage::purge_current_execution_files::PURGE_CURRENT_EXECUTION_FILES,
    &git::clone::CLONE,
    &git::sync_flows::SYNC_FLOWS,
    &git::sync_namespace_files::SYNC_NAMESPACE_FILES,
    &git::push_flows::PUSH_FLOWS,
    &git::push_namespace_files::PUSH_NAMESPACE_FILES,
    &notifications::slack_incoming_webhook::SLACK_INCOMING_WEBHOOK,
    &notifications::slack_execution::SLACK_EXECUTION,
    &notifications::discord_incoming_webhook::DISCORD_INCOMING_WEBHOOK,
    &notifications::discord_execution::DISCORD_EXECUTION,
    &notifications::teams_incoming_webhook::TEAMS_INCOMING_WEBHOOK,
    &notifications::teams_execution::TEAMS_EXECUTION,
    &notifications::google_chat_incoming_webhook::GOOGLE_CHAT_INCOMING_WEBHOOK,
    &notifications::google_chat_execution::GOOGLE_CHAT_EXECUTION,
    &notifications::zulip_incoming_webhook::ZULIP_INCOMING_WEBHOOK,
    &notifications::zulip_execution::ZULIP_EXECUTION,
    &notifications::telegram_send::TELEGRAM_SEND,
    &notifications::telegram_execution::TELEGRAM_EXECUTION,
    &notifications::pagerduty_alert::PAGERDUTY_ALERT,
    &notifications::opsgenie_alert::OPSGENIE_ALERT,
    &email::mail_send::MAIL_SEND,
    &email::mail_execution::MAIL_EXECUTION,
    &openai::chat_completion::CHAT_COMPLETION,
    &core::debug::return_value::RETURN,
    &core::templating::templated_task::TEMPLATED_TASK,
    &core::output::output_values::OUTPUT_VALUES,
    &core::execution::fail::FAIL,
    &core::execution::assert::ASSERT,
    &core::execution::exit::EXIT,
    &core::execution::labels::LABELS,
    &core::execution::resume::RESUME,
    &core::execution::set_variables::SET_VARIABLES,
    &core::execution::unset_variables::UNSET_VARIABLES,
    &jdbc::postgresql::query::QUERY,
    &jdbc::postgresql::queries::QUERIES,
    &jdbc::postgresql::copy_in::COPY_IN,
    &jdbc::postgresql::copy_out::COPY_OUT,
    &jdbc::duckdb::query::QUERY,
    &jdbc::duckdb::queries::QUERIES,
    &serdes::csv_to_ion::CSV_TO_ION,
    &serdes::ion_to_csv::ION_TO_CSV,
    &serdes::json_to_ion::JSON_TO_ION,
    &serdes::ion_to_json::ION_TO_JSON,
    &scripts::shell_commands::SHELL_COMMANDS,
    &scripts::shell_script::SHELL_SCRIPT,
    &scripts::python_commands::PYTHON_COMMANDS,
    &scripts::python_script::PYTHON_SCRIPT,
    &dbt::cli::DBT_CLI,
    &terraform::cli::TERRAFORM_CLI,
    &kubernetes::pod_create::POD_CREATE,
];

/// Every trigger type (their behaviour is the scheduler's).
pub static TRIGGERS: &[&TypeSpec] = &[
    &core::trigger::schedule::SCHEDULE,
    &core::trigger::flow::FLOW,
    &core::trigger::webhook::WEBHOOK,
];

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new(TASKS.iter().map(|t| &t.spec).collect(), TRIGGERS.to_vec())
        .with_conditions(core::condition::CONDITIONS.iter().map(|c| &c.spec).collect())
});

/// The catalog of every type, for validators and the JSON Schema.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// A validator of flows made of Sluice's types.
pub fn validator() -> Validator {
    Validator::new(catalog())
}

/// Checks one flow's source with a fresh validator (tests and one-off checks; servers keep one
/// [`validator`]).
pub fn check_flow(source: &str) -> Checked {
    validator().check(source)
}

/// The task type of this full name (the validator stores full names in [`Task::type_name`]).
pub fn find(type_name: &str) -> Option<&'static TaskType> {
    TASKS.iter().copied().find(|t| t.spec.name == type_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_task_is_either_planned_by_a_worker_or_walked_by_the_engine() {
        for t in TASKS {
            assert_ne!(t.plan.is_some(), t.spec.flowable.is_some(), "{}", t.spec.name);
        }
    }

    #[test]
    fn no_two_types_share_a_name() {
        let mut seen = HashSet::new();
        for name in sluice_flow::schema::type_names(&catalog().tasks)
            .chain(sluice_flow::schema::type_names(&catalog().triggers))
            .chain(sluice_flow::schema::type_names(&catalog().conditions))
        {
            assert!(seen.insert(name), "`{name}` names two types");
        }
    }
}
