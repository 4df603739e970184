//! Conversions shared by the backends: times as integer nanoseconds, small numbers as integers,
//! JSON documents, and typed errors (never panics) for values that do not fit or do not parse.

use crate::{Result, StoreError};
use jiff::Timestamp;

/// A time as stored: nanoseconds since the Unix epoch.
pub(crate) fn nanos(at: Timestamp) -> Result<i64> {
    i64::try_from(at.as_nanosecond()).map_err(|_| StoreError::TimestampRange(at))
}

/// A time for a filter bound: out-of-range values clamp to the ends of the stored range.
pub(crate) fn nanos_saturating(at: Timestamp) -> i64 {
    let n = at.as_nanosecond();
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

/// A stored time.
pub(crate) fn timestamp(nanos: i64, what: &str) -> Result<Timestamp> {
    Timestamp::from_nanosecond(i128::from(nanos)).map_err(|e| StoreError::corrupt(what, e))
}

/// A stored non-negative number that must fit a `u32` (revisions, attempts, claim counts).
pub(crate) fn to_u32(value: i64, what: &str) -> Result<u32> {
    u32::try_from(value).map_err(|e| StoreError::corrupt(what, e))
}

/// A stored non-negative number that must fit a `u64` (counts, sequence numbers).
pub(crate) fn to_u64(value: i64, what: &str) -> Result<u64> {
    u64::try_from(value).map_err(|e| StoreError::corrupt(what, e))
}

/// A count or sequence number as the databases store it (a signed 64-bit integer).
pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// JSON text of a value to store.
pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T, what: &'static str) -> Result<String> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode { what, source })
}

/// A stored JSON document.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, e))
}
