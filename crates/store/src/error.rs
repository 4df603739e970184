//! The one error type of the store: what went wrong, where, and (when a person must act) what to do.

use jiff::Timestamp;
use std::path::PathBuf;

/// Shorthand for results of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A boxed cause, for errors that come from more than one library.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a store operation failed.
///
/// Callers match on the variant to decide what to tell a user; [`StoreError::is_transient`] says
/// whether trying again later can help.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data folder could not be created.
    #[error(
        "cannot create the data folder {path}: check that its parent exists and is writable, or choose another folder"
    )]
    CreateDir {
        /// The folder asked for.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("cannot open the database {path}: check that it is a Sluice database and that the folder is writable")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What the database said.
        #[source]
        source: sqlx::Error,
    },
    /// The database was written by a newer Sluice: this binary does not know its schema.
    #[error(
        "the database {path} has schema version {found}, but this Sluice binary knows only up to version {known}: \
         upgrade Sluice to the version that wrote it, or use another data folder"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The newest version recorded in the database.
        found: i64,
        /// The newest version this binary carries.
        known: i64,
    },
    /// The PostgreSQL server could not be reached, or refused the connection.
    #[error(
        "cannot connect to PostgreSQL at {target}: check that the server runs, that the URL's host, port, \
         user, password and database are right, and that the user may create tables there"
    )]
    Connect {
        /// Where the store tried to connect: `user@host:port/database`, never the password.
        target: String,
        /// What the driver or server said.
        #[source]
        source: sqlx::Error,
    },
    /// The PostgreSQL schema was written by a newer Sluice: this binary does not know it.
    #[error(
        "the PostgreSQL database {target} has schema version {found}, but this Sluice binary knows only up to \
         version {known}: upgrade Sluice to the version that wrote it, or use another database or schema"
    )]
    DatabaseTooNew {
        /// The database: `user@host:port/database`, and the schema when it is not the default.
        target: String,
        /// The newest version recorded in the database.
        found: i64,
        /// The newest version this binary carries.
        known: i64,
    },
    /// A schema migration failed; the database was left as it was before.
    #[error("schema migration {version} ({name}) failed; the database is unchanged")]
    Migration {
        /// Version number of the migration.
        version: i64,
        /// File name of the migration.
        name: &'static str,
        /// What the database said.
        #[source]
        source: sqlx::Error,
    },
    /// A query failed.
    #[error("database error while {action}")]
    Database {
        /// What the store was doing, e.g. "claiming a job".
        action: &'static str,
        /// What the database said.
        #[source]
        source: sqlx::Error,
    },
    /// A stored row could not be read back: a value is missing, of the wrong type or unparsable.
    #[error("corrupt {what} in the database: {detail}")]
    Corrupt {
        /// Which row, e.g. "execution 6Xb…".
        what: String,
        /// What is wrong with it.
        detail: String,
        /// The parse or decode error, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// A value could not be turned into JSON for storage.
    #[error("cannot encode {what} as JSON")]
    Encode {
        /// What was being stored.
        what: &'static str,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// Something with this id is stored already.
    #[error("{what} {id} already exists")]
    AlreadyExists {
        /// The kind of thing, e.g. "execution".
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A step commit started from a revision of the execution that is no longer the stored one:
    /// another executor advanced it first. Nothing of the commit was stored; read the execution
    /// again and redo the step if its events are still pending.
    #[error("execution {id} is no longer at revision {expected}: another executor advanced it")]
    Conflict {
        /// The execution.
        id: String,
        /// The revision the step started from.
        expected: u64,
    },
    /// A row refers to an execution that is not stored.
    #[error("unknown execution {id} (while {action})")]
    UnknownExecution {
        /// The execution id that was referred to.
        id: String,
        /// What the store was doing.
        action: &'static str,
    },
    /// A timestamp outside the range the store can keep (about the years 1678 to 2262).
    #[error("timestamp {0} is outside the range the store can keep (years 1678 to 2262)")]
    TimestampRange(Timestamp),
}

impl StoreError {
    /// Whether the same call may succeed later: the database was busy or locked, a transaction lost
    /// a serialization conflict or deadlock, the connection was lost or the server is restarting,
    /// or the pool was exhausted. Every other error will repeat.
    pub fn is_transient(&self) -> bool {
        let source = match self {
            StoreError::Database { source, .. }
            | StoreError::Open { source, .. }
            | StoreError::Connect { source, .. } => source,
            _ => return false,
        };
        match source {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(db) => {
                if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                    return is_transient_sqlstate(pg.code());
                }
                // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with or without extended codes.
                let code = db.code().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
                matches!(code & 0xff, 5 | 6)
            }
            _ => false,
        }
    }

    /// A [`StoreError::Corrupt`] with a decode or parse error as its cause.
    pub(crate) fn corrupt(what: impl Into<String>, source: impl Into<BoxError>) -> StoreError {
        let source = source.into();
        StoreError::Corrupt {
            what: what.into(),
            detail: source.to_string(),
            source: Some(source),
        }
    }

    /// A [`StoreError::Corrupt`] with only a description.
    pub(crate) fn corrupt_value(what: impl Into<String>, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            detail: detail.into(),
            source: None,
        }
    }
}

/// Whether a PostgreSQL error code (SQLSTATE) means that trying again may succeed: a lost
/// connection (class 08), a serialization failure or deadlock (40001, 40P01), a lock not
/// available (55P03), a server shutting down or starting (57P01 to 57P03), or too many
/// connections (53300).
fn is_transient_sqlstate(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "40001" | "40P01" | "55P03" | "57P01" | "57P02" | "57P03" | "53300"
        )
}
