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
    /// A `kestra://` address of another namespace than the execution's.
    #[error("`{uri}` belongs to another namespace than `{namespace}`; a flow reads only its own namespace's files")]
    OtherNamespace {
        /// The address.
        uri: String,
        /// The execution's namespace.
        namespace: String,
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

/// The error of an I/O step on the file of `uri`.
fn io_error(uri: &str, action: &'static str, source: std::io::Error) -> StorageError {
    StorageError::Io {
        action,
        uri: uri.to_string(),
        source,
    }
}

/// The local path of `uri`, with its folder made.
async fn prepare(data_dir: &Path, uri: &str) -> Result<PathBuf, StorageError> {
    let path = local_path(data_dir, uri)?;
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| io_error(uri, "create the folder of", e))?;
    }
    Ok(path)
}

/// Stores a file under `uri` from a stream of chunks; answers the number of bytes.
pub async fn put<S, B, E>(data_dir: &Path, uri: &str, mut chunks: S) -> Result<u64, StorageError>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    use futures_util::StreamExt;
    let path = prepare(data_dir, uri).await?;
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(|e| io_error(uri, "create", e))?;
    let mut size = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| io_error(uri, "receive", std::io::Error::other(e.to_string())))?;
        let chunk = chunk.as_ref();
        file.write_all(chunk).await.map_err(|e| io_error(uri, "write", e))?;
        size += chunk.len() as u64;
    }
    file.flush().await.map_err(|e| io_error(uri, "write", e))?;
    Ok(size)
}

/// Stores a copy of a local file under `uri`.
pub async fn put_file(data_dir: &Path, uri: &str, source: &Path) -> Result<u64, StorageError> {
    let path = prepare(data_dir, uri).await?;
    tokio::fs::copy(source, &path)
        .await
        .map_err(|e| io_error(uri, "store", e))
}

/// Removes the uploads of an execution that was refused (its inputs did not resolve), so no
/// orphan file stays behind.
pub async fn remove_input_files(data_dir: &Path, namespace: &str, flow_id: &str, execution_id: &str) {
    let any = sluice_flow::storage::input_file_uri(namespace, flow_id, execution_id, "x", "x");
    // `…/executions/<id>/inputs/x/x` → `…/executions/<id>/inputs`.
    if let Some(inputs) = local_path(data_dir, &any)
        .ok()
        .as_deref()
        .and_then(Path::parent)
        .and_then(Path::parent)
    {
        let _ = tokio::fs::remove_dir_all(inputs).await;
    }
}

/// Replaces each `inputFiles` content that is only a storage address (or the `file://` address
/// of a kept output file) by the file it names, as Kestra's script tasks do. Only addresses of
/// the execution's own namespace (or one below it) are read, as in Kestra.
pub async fn fetch_inputs(
    data_dir: &Path,
    namespace: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), StorageError> {
    for content in files.values_mut() {
        let Ok(text) = std::str::from_utf8(content) else {
            continue;
        };
        let text = text.trim();
        if !is_storage_uri(text) && text.strip_prefix("file://").is_none_or(|p| p.contains('\n')) {
            continue;
        }
        let path = readable(data_dir, namespace, text).await?;
        *content = tokio::fs::read(&path).await.map_err(|e| io_error(text, "read", e))?;
    }
    Ok(())
}

/// The local file of a stored file's address that a task of `namespace` may read: a
/// `kestra://` address of its own namespace (or one below it), as in Kestra, or the `file://`
/// address of a kept output file.
pub async fn readable(data_dir: &Path, namespace: &str, uri: &str) -> Result<PathBuf, StorageError> {
    let uri = uri.trim();
    if is_storage_uri(uri) {
        let own: PathBuf = namespace.split('.').collect();
        if !relative_path(uri)?.starts_with(&own) {
            return Err(StorageError::OtherNamespace {
                uri: uri.to_string(),
                namespace: namespace.to_string(),
            });
        }
        return local_path(data_dir, uri);
    }
    match uri.strip_prefix("file://") {
        Some(path) => kept_file(data_dir, path).await,
        None => Err(StorageError::Outside(uri.to_string())),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_files_are_fetched_only_for_their_own_namespace() {
        let dir = std::env::temp_dir().join(format!("sluice-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let source = dir.join("rows.csv");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&source, "a,b\n").unwrap();
            let uri = "kestra:///company/team/f/executions/e1/inputs/data/rows.csv";
            assert_eq!(put_file(&dir, uri, &source).await.unwrap(), 4);
            let mut files = BTreeMap::from([("x.csv".to_string(), format!("{uri}\n").into_bytes())]);
            fetch_inputs(&dir, "company.team", &mut files).await.unwrap();
            assert_eq!(files["x.csv"], b"a,b\n");
            let mut other = BTreeMap::from([("x.csv".to_string(), uri.as_bytes().to_vec())]);
            let e = fetch_inputs(&dir, "other.team", &mut other).await.unwrap_err();
            assert!(e.to_string().contains("belongs to another namespace"), "{e}");
            let mut outside = BTreeMap::from([("x".to_string(), b"file:///etc/passwd".to_vec())]);
            assert!(matches!(
                fetch_inputs(&dir, "company.team", &mut outside).await,
                Err(StorageError::Outside(_))
            ));
            let mut plain = BTreeMap::from([("x".to_string(), b"just text".to_vec())]);
            fetch_inputs(&dir, "company.team", &mut plain).await.unwrap();
            assert_eq!(plain["x"], b"just text");
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}
