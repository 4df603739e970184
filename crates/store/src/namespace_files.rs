//! Namespace files ([`sluice_tasks::namespace_files::NamespaceFileStore`]) on both backends,
//! written once like the KV store: the same SQL (`$n` parameters) and code, instantiated per
//! store by [`namespace_file_store!`]. A folder is every path under `folder/`; prefixes are
//! compared with `substr`, so `%` and `_` in names are plain characters.

/// Files of a namespace, without content (binds: namespace).
pub(crate) const LIST: &str =
    "SELECT path, size, created, updated, revision FROM namespace_files WHERE namespace = $1 ORDER BY path";

/// A file's content (binds: namespace, path).
pub(crate) const READ: &str = "SELECT content FROM namespace_files WHERE namespace = $1 AND path = $2";

/// Creates or replaces a file; its revision after (binds: namespace, path, content, size, at).
pub(crate) const WRITE: &str = "INSERT INTO namespace_files (namespace, path, content, size, created, updated, revision) \
     VALUES ($1, $2, $3, $4, $5, $5, 1) \
     ON CONFLICT (namespace, path) DO UPDATE SET content = excluded.content, size = excluded.size, \
     updated = excluded.updated, revision = namespace_files.revision + 1 \
     RETURNING revision";

/// Deletes a file or a folder (binds: namespace, path, length of `path/`, `path/`).
pub(crate) const DELETE: &str =
    "DELETE FROM namespace_files WHERE namespace = $1 AND (path = $2 OR substr(path, 1, $3) = $4)";

/// Renames a file or a folder's files (binds: namespace, from, length of `from/`, `from/`, to, at).
pub(crate) const MOVE: &str = "UPDATE namespace_files SET \
     path = CASE WHEN path = $2 THEN $5 ELSE $5 || '/' || substr(path, $3 + 1) END, updated = $6 \
     WHERE namespace = $1 AND (path = $2 OR substr(path, 1, $3) = $4)";

/// Binds of a path and its folder prefix: the path, the prefix's length in characters, the prefix.
/// (The length is an `i32`: PostgreSQL's `substr` takes `integer`s.)
pub(crate) fn folder(path: &str) -> (String, i32, String) {
    let prefix = format!("{path}/");
    let length = i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX);
    (path.to_string(), length, prefix)
}

/// Implements [`sluice_tasks::namespace_files::NamespaceFileStore`] for a store: `$store` its
/// type, `$read` and `$write` its pools' fields. Expands in the backend's module.
macro_rules! namespace_file_store {
    ($store:ty, $read:ident, $write:ident) => {
        #[async_trait::async_trait]
        impl sluice_tasks::namespace_files::NamespaceFileStore for $store {
            async fn namespace_files(
                &self,
                namespace: &str,
            ) -> Result<Vec<sluice_tasks::namespace_files::NamespaceFile>, sluice_tasks::kv::StateError> {
                use super::codec::{get, timestamp, to_u32, to_u64};
                let rows = sqlx::query($crate::namespace_files::LIST)
                    .bind(namespace)
                    .fetch_all(&self.$read)
                    .await
                    .map_err(super::db("listing namespace files"))?;
                let what = "a namespace file";
                let file = |row: &_| -> $crate::Result<sluice_tasks::namespace_files::NamespaceFile> {
                    Ok(sluice_tasks::namespace_files::NamespaceFile {
                        path: get(row, 0, what)?,
                        size: to_u64(get(row, 1, what)?, what)?,
                        created: timestamp(get(row, 2, what)?, what)?,
                        updated: timestamp(get(row, 3, what)?, what)?,
                        revision: to_u32(get(row, 4, what)?, what)?,
                    })
                };
                Ok(rows.iter().map(file).collect::<$crate::Result<Vec<_>>>()?)
            }

            async fn read_namespace_file(
                &self,
                namespace: &str,
                path: &str,
            ) -> Result<Option<Vec<u8>>, sluice_tasks::kv::StateError> {
                let content: Option<Vec<u8>> = sqlx::query_scalar($crate::namespace_files::READ)
                    .bind(namespace)
                    .bind(path)
                    .fetch_optional(&self.$read)
                    .await
                    .map_err(super::db("reading a namespace file"))?;
                Ok(content)
            }

            async fn write_namespace_file(
                &self,
                namespace: &str,
                path: &str,
                content: &[u8],
                at: jiff::Timestamp,
            ) -> Result<u32, sluice_tasks::kv::StateError> {
                let what = "a namespace file's revision";
                let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
                let revision: i64 = sqlx::query_scalar($crate::namespace_files::WRITE)
                    .bind(namespace)
                    .bind(path)
                    .bind(content)
                    .bind(size)
                    .bind(super::codec::nanos(at)?)
                    .fetch_one(&self.$write)
                    .await
                    .map_err(super::db("writing a namespace file"))?;
                Ok(super::codec::to_u32(revision, what)?)
            }

            async fn delete_namespace_files(
                &self,
                namespace: &str,
                path: &str,
            ) -> Result<u64, sluice_tasks::kv::StateError> {
                let (path, length, prefix) = $crate::namespace_files::folder(path);
                let done = sqlx::query($crate::namespace_files::DELETE)
                    .bind(namespace)
                    .bind(path)
                    .bind(length)
                    .bind(prefix)
                    .execute(&self.$write)
                    .await
                    .map_err(super::db("deleting namespace files"))?;
                Ok(done.rows_affected())
            }

            async fn move_namespace_files(
                &self,
                namespace: &str,
                from: &str,
                to: &str,
                at: jiff::Timestamp,
            ) -> Result<u64, sluice_tasks::kv::StateError> {
                const ACTION: &str = "moving namespace files";
                let mut tx = self.$write.begin().await.map_err(super::db(ACTION))?;
                let (target, target_length, target_prefix) = $crate::namespace_files::folder(to);
                sqlx::query($crate::namespace_files::DELETE)
                    .bind(namespace)
                    .bind(target)
                    .bind(target_length)
                    .bind(target_prefix)
                    .execute(&mut *tx)
                    .await
                    .map_err(super::db(ACTION))?;
                let (path, length, prefix) = $crate::namespace_files::folder(from);
                let moved = sqlx::query($crate::namespace_files::MOVE)
                    .bind(namespace)
                    .bind(path)
                    .bind(length)
                    .bind(prefix)
                    .bind(to)
                    .bind(super::codec::nanos(at)?)
                    .execute(&mut *tx)
                    .await
                    .map_err(super::db(ACTION))?;
                // Nothing to move: what is at `to` stays.
                if moved.rows_affected() == 0 {
                    tx.rollback().await.map_err(super::db(ACTION))?;
                    return Ok(0);
                }
                tx.commit().await.map_err(super::db(ACTION))?;
                Ok(moved.rows_affected())
            }
        }
    };
}

pub(crate) use namespace_file_store;
