//! `io.kestra.plugin.jdbc.duckdb`: Query and Queries, run by DuckDB from Python's `duckdb`
//! package on the worker (`SLUICE_DUCKDB_PYTHON`, default `python3`), in a working directory
//! that holds the task's `inputFiles` (read in SQL as `{{ workingDir }}/file.csv`) and keeps its
//! `outputFiles`. Results come back as `fetchType` says: `row`, `rows`, or an Ion file at `uri`.
//! Decision: no embedded DuckDB build (minutes of C++ on 2 cores for every CI run); the PyPI
//! wheel is the engine Kestra's users already install for dbt-duckdb.
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-duckdb>

pub mod queries;
pub mod query;

use super::{FETCH_TYPE, FetchType, fetch_type};
use crate::props::{input_files, shell_quote, strings};
use crate::{PlanContext, ScriptJob, TaskError};
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, deprecated, no_effect, opt, req};
use sluice_runners::{DEFAULT_KILL_GRACE, Job};

/// The program that runs the SQL.
const DRIVER: &str = include_str!("driver.py");

/// Files the job writes for the driver, in its working directory.
const DRIVER_FILE: &str = ".sluice-duckdb.py";
const SQL_FILE: &str = ".sluice-duckdb.sql";

/// The properties both tasks have.
pub(super) const PROPS: [Prop; 11] = [
    opt(
        "url",
        Kind::String,
        "`jdbc:duckdb:` (in memory, the default) or `jdbc:duckdb:/path/to/file.db`.",
    ),
    req(
        "sql",
        Kind::String,
        "The SQL to run; templates are rendered (`{{ workingDir }}` is the task's folder).",
    ),
    FETCH_TYPE,
    opt(
        "inputFiles",
        Kind::Files,
        "Files written to the working directory first.",
    ),
    opt(
        "outputFiles",
        Kind::StringList,
        "Files of the working directory kept afterwards.",
    ),
    opt(
        "databaseUri",
        Kind::String,
        "A stored DuckDB database file to open (a kestra:// address).",
    ),
    opt(
        "outputDbFile",
        Kind::Bool,
        "Keep the database file as the output `databaseUri`.",
    ),
    deprecated("fetch", Kind::Bool, "Fetch all rows.", "write `fetchType: FETCH`"),
    deprecated(
        "fetchOne",
        Kind::Bool,
        "Fetch the first row.",
        "write `fetchType: FETCH_ONE`",
    ),
    deprecated(
        "store",
        Kind::Bool,
        "Store the rows in a file.",
        "write `fetchType: STORE`",
    ),
    no_effect(
        "timeZoneId",
        Kind::String,
        "The zone of date-times.",
        "date-times are returned as DuckDB writes them",
    ),
];

/// The job running `task`'s SQL (every statement with `many`, Queries).
pub(super) fn plan(task: &Task, cx: &PlanContext<'_>, many: bool) -> Result<ScriptJob, TaskError> {
    let invalid = |message: String| TaskError::Invalid {
        task: task.id.clone(),
        message,
    };
    let database_uri = crate::props::text(task, cx, "databaseUri")?;
    let keep_db = crate::props::flag(task, "outputDbFile", false);
    let url = crate::props::text(task, cx, "url")?.unwrap_or_else(|| "jdbc:duckdb:".into());
    let path = url
        .trim()
        .strip_prefix("jdbc:duckdb:")
        .ok_or_else(|| {
            invalid(format!(
                "`url` is `{url}`; write `jdbc:duckdb:` or `jdbc:duckdb:/path/to/file.db`"
            ))
        })?
        .to_string();
    let sql = crate::props::text(task, cx, "sql")?.unwrap_or_default();
    let fetch = fetch_type(task);
    let mut files = input_files(task, cx)?;
    files.insert(DRIVER_FILE.into(), DRIVER.as_bytes().to_vec());
    files.insert(SQL_FILE.into(), sql.into_bytes());
    let mut output_files = strings(task, cx, "outputFiles")?;
    let store = format!("{}.ion", task.id);
    let database = match (&database_uri, keep_db, path.is_empty()) {
        // A stored database is fetched into the folder (a kestra:// value in inputFiles is).
        (Some(uri), _, _) => {
            files.insert("database.duckdb".into(), uri.clone().into_bytes());
            "database.duckdb".to_string()
        }
        (None, true, true) => "database.duckdb".to_string(),
        (None, _, _) => path,
    };
    if keep_db {
        output_files.push(database.clone());
    }
    if fetch == FetchType::Store {
        output_files.push(store.clone());
    }
    let python = std::env::var("SLUICE_DUCKDB_PYTHON").unwrap_or_else(|_| "python3".into());
    let fetch_name = match fetch {
        FetchType::FetchOne => "FETCH_ONE",
        FetchType::Fetch => "FETCH",
        FetchType::Store => "STORE",
        FetchType::None => "NONE",
    };
    let dir = cx.working_dir;
    let line = [
        python.as_str(),
        &format!("{dir}/{DRIVER_FILE}"),
        &format!("{dir}/{SQL_FILE}"),
        &database,
        fetch_name,
        &format!("{dir}/{store}"),
        if many { "many" } else { "one" },
    ]
    .iter()
    .map(|a| shell_quote(a))
    .collect::<Vec<_>>()
    .join(" ");
    let mut job = Job::new(
        cx.job_name.clone(),
        vec![
            "/bin/sh".into(),
            "-c".into(),
            format!("cd {} && {line}", shell_quote(dir)),
        ],
    );
    job.input_files = files;
    job.output_files = output_files;
    job.timeout = crate::props::timeout(task, cx)?;
    job.kill_grace = DEFAULT_KILL_GRACE;
    Ok(ScriptJob {
        job,
        outputs: serde_json::Map::new(),
        warning_on_stderr: false,
        dbt: None,
        lifted: Some(Box::new(crate::Lifted {
            uri_of: (fetch == FetchType::Store).then_some(store),
            database_of: keep_db.then_some(database),
        })),
    })
}
