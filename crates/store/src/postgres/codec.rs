//! Conversions between the store's types and PostgreSQL values: the shared ones of
//! [`crate::codec`] (times as bigint nanoseconds, small numbers as bigint, JSON text), and reading
//! a column with a typed error (never a panic) for values that are missing or of another type.

pub(super) use crate::codec::{from_json, json, nanos, nanos_saturating, timestamp, to_i64, to_u32, to_u64};
use crate::{Result, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{Decode, Postgres, Row, Type};

/// A column of a row, with a corrupt-row error naming `what` if it is missing or of another type.
pub(super) fn get<'r, T>(row: &'r PgRow, index: usize, what: &str) -> Result<T>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(index).map_err(|e| StoreError::corrupt(what, e))
}
