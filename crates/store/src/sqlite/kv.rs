//! The KV store on SQLite: the shared queries of [`crate::kv`], read from the reader pool and
//! written through the single writer.

use super::SqliteStore;

crate::kv::kv_store!(SqliteStore, sqlx::sqlite::SqliteRow, reader, writer);
