//! Conversions between the store's types and SQLite values: the shared ones of [`crate::codec`]
//! (times as integer nanoseconds, small numbers as integers, JSON), and reading a column with a
//! typed error (never a panic) for values that are missing or of another type.

pub(super) use crate::codec::{from_json, json, nanos, nanos_saturating, timestamp, to_i64, to_u32, to_u64};
use crate::{Result, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{Decode, Row, Sqlite, Type};

/// A column of a row, with a corrupt-row error naming `what` if it is missing or of another type.
pub(super) fn get<'r, T>(row: &'r SqliteRow, index: usize, what: &str) -> Result<T>
where
    T: Decode<'r, Sqlite> + Type<Sqlite>,
{
    row.try_get(index).map_err(|e| StoreError::corrupt(what, e))
}
