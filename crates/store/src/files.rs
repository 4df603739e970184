//! The paths between internal storage and tasks: FILE inputs stored under their `kestra://`
//! address, and the fetch that turns an `inputFiles` value holding such an address (or the
//! `file://` address of an output file kept by an earlier version) into the file's content
//! before the job starts, on every runner. The files themselves are in [`Storage`].

use crate::storage::Storage;
pub use crate::storage::StorageError;
use sluice_flow::storage::{is_storage_uri, relative_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The root of the local storage.
pub fn root(data_dir: &Path) -> PathBuf {
    data_dir.join("storage")
}

/// Removes the uploads of an execution that was refused (its inputs did not resolve), so no
/// orphan file stays behind.
pub async fn remove_input_files(storage: &Storage, namespace: &str, flow_id: &str, execution_id: &str) {
    let any = sluice_flow::storage::input_file_uri(namespace, flow_id, execution_id, "x", "x");
    // `…/executions/<id>/inputs/x/x` → `…/executions/<id>/inputs`.
    let folder = any.trim_end_matches("/x/x");
    let _ = storage.delete_prefix(folder).await;
}

/// Stored files up to this size are handed to a job in memory; larger ones as local copies.
pub const IN_MEMORY: u64 = 8 * 1024 * 1024;

/// Replaces each `inputFiles` content that is only a storage address (or the `file://` address
/// of a kept output file) by the file it names, as Kestra's script tasks do: a small one's
/// content in `files`, a large one as a local copy under `scratch` moved to `paths`. Only
/// addresses of the execution's own namespace (or one below it) are read, as in Kestra.
pub async fn fetch_inputs(
    storage: &Storage,
    namespace: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
    paths: &mut BTreeMap<String, PathBuf>,
    scratch: &Path,
) -> Result<(), StorageError> {
    let mut large = Vec::new();
    for (name, content) in files.iter_mut() {
        let Ok(text) = std::str::from_utf8(content) else {
            continue;
        };
        let text = text.trim().to_string();
        if is_storage_uri(&text) {
            check_namespace(namespace, &text)?;
            let target = scratch.join(format!(
                "{}-{}",
                large.len(),
                sluice_flow::storage::safe_file_name(name)
            ));
            match storage.load(&text, &target, IN_MEMORY).await? {
                crate::Loaded::Content(bytes) => *content = bytes,
                crate::Loaded::Local(path) => large.push((name.clone(), path)),
            }
        } else if let Some(path) = text.strip_prefix("file://").filter(|p| !p.contains('\n')) {
            let path = kept_file(storage.data_dir(), path).await?;
            *content = tokio::fs::read(&path).await.map_err(|e| StorageError::Io {
                action: "read",
                uri: text.clone(),
                source: e,
            })?;
        }
    }
    for (name, path) in large {
        files.remove(&name);
        paths.insert(name, path);
    }
    Ok(())
}

/// Refuses a `kestra://` address outside `namespace` (and the ones below it), as Kestra does.
pub fn check_namespace(namespace: &str, uri: &str) -> Result<(), StorageError> {
    let own: PathBuf = namespace.split('.').collect();
    if !relative_path(uri)?.starts_with(&own) {
        return Err(StorageError::OtherNamespace {
            uri: uri.to_string(),
            namespace: namespace.to_string(),
        });
    }
    Ok(())
}

/// A local copy of a stored file that a task of `namespace` may read, made under `scratch`: a
/// `kestra://` address of its own namespace (or one below it), as in Kestra, or the `file://`
/// address of a kept output file (read where it is).
pub async fn readable(storage: &Storage, namespace: &str, uri: &str, scratch: &Path) -> Result<PathBuf, StorageError> {
    let uri = uri.trim();
    if is_storage_uri(uri) {
        check_namespace(namespace, uri)?;
        let target = scratch.join(relative_path(uri)?);
        storage.fetch_to(uri, &target).await?;
        return Ok(target);
    }
    match uri.strip_prefix("file://") {
        Some(path) => kept_file(storage.data_dir(), path).await,
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
            let storage = Storage::local(&dir).unwrap();
            let uri = "kestra:///company/team/f/executions/e1/inputs/data/rows.csv";
            assert_eq!(storage.put_file(uri, &source).await.unwrap(), 4);
            let mut paths = BTreeMap::new();
            let scratch = dir.join("scratch");
            let mut files = BTreeMap::from([("x.csv".to_string(), format!("{uri}\n").into_bytes())]);
            fetch_inputs(&storage, "company.team", &mut files, &mut paths, &scratch)
                .await
                .unwrap();
            assert_eq!(files["x.csv"], b"a,b\n");
            let mut other = BTreeMap::from([("x.csv".to_string(), uri.as_bytes().to_vec())]);
            let e = fetch_inputs(&storage, "other.team", &mut other, &mut paths, &scratch)
                .await
                .unwrap_err();
            assert!(e.to_string().contains("belongs to another namespace"), "{e}");
            let mut outside = BTreeMap::from([("x".to_string(), b"file:///etc/passwd".to_vec())]);
            assert!(matches!(
                fetch_inputs(&storage, "company.team", &mut outside, &mut paths, &scratch).await,
                Err(StorageError::Outside(_))
            ));
            let mut plain = BTreeMap::from([("x".to_string(), b"just text".to_vec())]);
            fetch_inputs(&storage, "company.team", &mut plain, &mut paths, &scratch)
                .await
                .unwrap();
            assert_eq!(plain["x"], b"just text");
            let missing = "kestra:///company/team/f/executions/e1/inputs/data/nope.csv";
            let mut gone = BTreeMap::from([("x".to_string(), missing.as_bytes().to_vec())]);
            let e = fetch_inputs(&storage, "company.team", &mut gone, &mut paths, &scratch)
                .await
                .unwrap_err();
            assert!(matches!(e, StorageError::Missing(_)), "{e}");
            // A large file comes as a local copy, not in memory.
            let big = "kestra:///company/team/f/executions/e1/inputs/data/big.bin";
            std::fs::write(dir.join("big.bin"), vec![7u8; IN_MEMORY as usize + 1]).unwrap();
            storage.put_file(big, &dir.join("big.bin")).await.unwrap();
            let mut files = BTreeMap::from([("big.bin".to_string(), big.as_bytes().to_vec())]);
            fetch_inputs(&storage, "company.team", &mut files, &mut paths, &scratch)
                .await
                .unwrap();
            assert!(files.is_empty());
            assert_eq!(std::fs::metadata(&paths["big.bin"]).unwrap().len(), IN_MEMORY + 1);
            remove_input_files(&storage, "company.team", "f", "e1").await;
            assert!(!storage.exists(uri).await.unwrap());
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}
