//! Kestra's JDBC plugins, on the databases Sluice speaks natively: a connection from the JDBC
//! `url` (`jdbc:postgresql://host:port/db`) with `username` and `password`, SQL sent as written
//! (as Kestra does), and the results handed back as `fetchType` says: the first `row`
//! (FETCH_ONE), all `rows` (FETCH), an Ion file at `uri` (STORE), or nothing (NONE).
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-postgres>

pub mod duckdb;
pub mod postgresql;
mod results;

use crate::{PlanContext, TaskError};
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, Prop, deprecated, no_effect, opt, req};

/// What becomes of the rows a query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchType {
    /// The first row, as the output `row`.
    FetchOne,
    /// Every row, as the output `rows`.
    Fetch,
    /// Every row, in an Ion file at the output `uri`.
    Store,
    /// Nothing.
    None,
}

/// The properties every JDBC task has.
const URL: Prop = req(
    "url",
    Kind::String,
    "The JDBC URL, such as `jdbc:postgresql://host:5432/db`.",
);
const USERNAME: Prop = opt("username", Kind::String, "The database user.");
const PASSWORD: Prop = opt("password", Kind::String, "The user's password.");
const FETCH_TYPE: Prop = opt(
    "fetchType",
    Kind::Enum(&["FETCH_ONE", "FETCH", "STORE", "NONE"]),
    "FETCH_ONE: the first row as `row`; FETCH: all as `rows`; STORE: an Ion file at `uri`; NONE (default).",
);
const FETCH: Prop = deprecated("fetch", Kind::Bool, "Fetch all rows.", "write `fetchType: FETCH`");
const FETCH_ONE: Prop = deprecated(
    "fetchOne",
    Kind::Bool,
    "Fetch the first row.",
    "write `fetchType: FETCH_ONE`",
);
const STORE: Prop = deprecated(
    "store",
    Kind::Bool,
    "Store the rows in a file.",
    "write `fetchType: STORE`",
);
const FETCH_SIZE: Prop = no_effect("fetchSize", Kind::Int, "Rows read per round trip.", "rows are streamed");
const TIME_ZONE: Prop = no_effect(
    "timeZoneId",
    Kind::String,
    "The zone of date-times without one.",
    "date-times are returned as the database writes them",
);
const AUTO_COMMIT: Prop = no_effect(
    "autoCommit",
    Kind::Bool,
    "Commit each statement.",
    "each statement commits",
);

/// Where to connect and as whom, rendered.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The URL for the driver (`postgresql://…`).
    pub url: String,
    /// The user, when given apart from the URL.
    pub username: Option<String>,
    /// The password, when given apart from the URL.
    pub password: Option<String>,
}

impl Connection {
    /// `url`, `username` and `password` of `task`, rendered; `scheme` is the JDBC subprotocol
    /// the task's database answers to (`postgresql`).
    fn of(task: &Task, cx: &PlanContext<'_>, scheme: &str) -> Result<Self, TaskError> {
        let url = crate::props::text(task, cx, "url")?.unwrap_or_default();
        let url = url.trim();
        let rest = url.strip_prefix("jdbc:").unwrap_or(url);
        if !rest.starts_with(&format!("{scheme}://")) {
            return Err(TaskError::Invalid {
                task: task.id.clone(),
                message: format!(
                    "`url` is `{url}`; it must be a JDBC URL such as `jdbc:{scheme}://host:5432/database`"
                ),
            });
        }
        Ok(Connection {
            url: rest.to_string(),
            username: crate::props::text(task, cx, "username")?,
            password: crate::props::text(task, cx, "password")?,
        })
    }
}

/// `fetchType`, or the deprecated `fetchOne`, `store` and `fetch` flags, in Kestra's order.
fn fetch_type(task: &Task) -> FetchType {
    let flag = |k: &str| crate::props::flag(task, k, false);
    match task.properties.get("fetchType").and_then(Value::as_str) {
        Some("FETCH_ONE") => FetchType::FetchOne,
        Some("FETCH") => FetchType::Fetch,
        Some("STORE") => FetchType::Store,
        Some(_) => FetchType::None,
        None if flag("fetchOne") => FetchType::FetchOne,
        None if flag("store") => FetchType::Store,
        None if flag("fetch") => FetchType::Fetch,
        None => FetchType::None,
    }
}

/// The `parameters` Kestra binds to named `:name` placeholders are not bound yet: refused at
/// run time with what to do instead, never ignored.
fn refuse_parameters(task: &Task) -> Result<(), TaskError> {
    match task.properties.get("parameters") {
        Some(Value::Object(map)) if !map.is_empty() => Err(TaskError::Invalid {
            task: task.id.clone(),
            message: "`parameters` are not bound by this version of Sluice yet; write the values into `sql` with templates, quoted as SQL needs".into(),
        }),
        _ => Ok(()),
    }
}

pub(crate) use results::{Results, rows_outputs};
