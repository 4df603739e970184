//! Internal storage in the data folder: files stored under their `kestra://` address (FILE
//! inputs uploaded through the API or `flow run --input f=@path`), and the fetch that turns an
//! `inputFiles` value holding such an address, or the `file://` address of a kept output
//! file, into the file's content before the job starts, on every runner.
//!
//! One local folder for now (`<data>/storage`), read by the worker and written by the server
//! and the CLI; object storage for scale-out comes with the files issue behind the same
//! functions.

use sluice_flow::storage::{is_storage_uri, relative_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Why a stored file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The address is not one Sluice accepts.
    #[error(transparent)]
    Uri(#[from] sluice_flow::storage::StorageUriError),
    /// Reading or writing the file failed.
    #[error("cannot {action} `{uri}`: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file's address.
        uri: String,
        /// The error.
        source: std::io::Error,
    },
    /// A `file://` address outside the data folder's kept files.
    #[error(
        "`{0}` is not a file Sluice kept; `inputFiles` reads kestra:// addresses and output files of earlier tasks"
    )]
    Outside(String),
}

/// The root of the local storage.
pub fn root(data_dir: &Path) -> PathBuf {
    data_dir.join("storage")
}

/// Where the file of a `kestra://` address lives.
pub fn local_path(data_dir: &Path, uri: &str) -> Result<PathBuf, StorageError> {
    Ok(root(data_dir).join(relative_path(uri)?))
}

/// Stores a file under `uri` from a stream of chunks; answers the number of bytes.
pub async fn put<S, B, E>(data_dir: &Path, uri: &str, mut chunks: S) -> Result<u64, StorageError>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    let path = local_path(data_dir, uri)?;
    let io = |action, source| StorageError::Io {
        action,
        uri: uri.to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| io("create the folder of", e))?;
    }
    let mut file = tokio::fs::File::create(&path).await.map_err(|e| io("create", e))?;
    let mut size = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| io("receive", std::io::Error::other(e.to_string())))?;
        let chunk = chunk.as_ref();
        file.write_all(chunk).await.map_err(|e| io("write", e))?;
        size += chunk.len() as u64;
    }
    file.flush().await.map_err(|e| io("write", e))?;
    Ok(size)
}

/// Stores a copy of a local file under `uri`.
pub async fn put_file(data_dir: &Path, uri: &str, source: &Path) -> Result<u64, StorageError> {
    let path = local_path(data_dir, uri)?;
    let io = |action, source| StorageError::Io {
        action,
        uri: uri.to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| io("create the folder of", e))?;
    }
    tokio::fs::copy(source, &path).await.map_err(|e| io("store", e))
}

/// Replaces each `inputFiles` content that is only a storage address (or the `file://` address
/// of a kept output file) by the file it names, as Kestra's script tasks do.
pub async fn fetch_inputs(data_dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) -> Result<(), StorageError> {
    for content in files.values_mut() {
        let Ok(text) = std::str::from_utf8(content) else {
            continue;
        };
        let text = text.trim();
        let path = if is_storage_uri(text) {
            local_path(data_dir, text)?
        } else if let Some(path) = text.strip_prefix("file://").filter(|p| !p.contains('\n')) {
            kept_file(data_dir, path).await?
        } else {
            continue;
        };
        let uri = text.to_string();
        *content = tokio::fs::read(&path).await.map_err(|source| StorageError::Io {
            action: "read",
            uri,
            source,
        })?;
    }
    Ok(())
}

/// A `file://` path, allowed only inside the kept files of the data folder.
async fn kept_file(data_dir: &Path, path: &str) -> Result<PathBuf, StorageError> {
    let kept = tokio::fs::canonicalize(data_dir.join("files")).await;
    let asked = tokio::fs::canonicalize(path).await;
    match (kept, asked) {
        (Ok(kept), Ok(asked)) if asked.starts_with(&kept) => Ok(asked),
        _ => Err(StorageError::Outside(format!("file://{path}"))),
    }
}
