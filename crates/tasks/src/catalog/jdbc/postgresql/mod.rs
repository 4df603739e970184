//! `io.kestra.plugin.jdbc.postgresql`: Query, Queries, CopyIn and CopyOut, over one connection
//! per attempt. SQL goes over PostgreSQL's simple protocol, so several statements may be sent
//! at once (one transaction unless they say otherwise) and every value comes back as text,
//! typed by its column.
//!
//! Kestra: <https://kestra.io/plugins/plugin-jdbc-postgres>

pub mod copy_in;
pub mod copy_out;
pub mod queries;
pub mod query;

use super::Connection;
use super::results::typed;
use futures_util::TryStreamExt;
use serde_json::Map;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Column, ConnectOptions, Either, Row, TypeInfo};
use std::str::FromStr;
use std::time::Duration;

/// How long a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to the database `connection` names.
async fn connect(connection: &Connection) -> Result<PgConnection, String> {
    let mut options = PgConnectOptions::from_str(&connection.url)
        .map_err(|e| format!("`url` cannot be read: {e}"))?
        // Statements are not logged by the driver: they may hold secrets.
        .disable_statement_logging();
    if let Some(user) = &connection.username {
        options = options.username(user);
    }
    if let Some(password) = &connection.password {
        options = options.password(password);
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(format!("cannot connect to PostgreSQL: {e}")),
        Err(_) => Err(format!(
            "cannot connect to PostgreSQL within {}s",
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

/// Runs `sql` (one or more statements) and hands each row to `on_row` with the number of the
/// statement it came from (0 for the first); answers how many statements ran.
async fn execute(
    conn: &mut PgConnection,
    sql: &str,
    mut on_row: impl FnMut(usize, Map<String, serde_json::Value>) -> Result<(), String>,
) -> Result<usize, String> {
    let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).fetch_many(&mut *conn);
    let mut statement = 0;
    while let Some(item) = stream.try_next().await.map_err(|e| format!("the query failed: {e}"))? {
        match item {
            Either::Left(_) => statement += 1,
            Either::Right(row) => {
                let mut map = Map::new();
                for column in row.columns() {
                    let text: Option<String> = row
                        .try_get_unchecked(column.ordinal())
                        .map_err(|e| format!("cannot read column `{}`: {e}", column.name()))?;
                    map.insert(column.name().to_string(), typed(column.type_info().name(), text));
                }
                on_row(statement, map)?;
            }
        }
    }
    Ok(statement)
}
