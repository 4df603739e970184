//! Output files outlive the working directory: before the runner cleans up, each is stored in
//! internal storage under its task run's `kestra://` address, which `outputFiles` then holds,
//! so any later task on any worker and runner can read it.

use serde_json::{Map, Value};
use sluice_runners::OutputFile;
use sluice_store::{Storage, StorageError};
use std::path::{Path, PathBuf};

/// A scratch folder of an attempt under the data folder (a call's downloads before they are
/// stored, local copies of stored files it reads).
pub fn attempt_dir(data_dir: &Path, execution_id: &str, task_run_id: &str, attempt: u32) -> PathBuf {
    data_dir
        .join("files")
        .join(execution_id)
        .join(task_run_id)
        .join(attempt.to_string())
}

/// A scratch folder removed when dropped.
pub struct Scratch(pub PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whose output files are stored.
pub struct Owner<'a> {
    /// The flow's namespace.
    pub namespace: &'a str,
    /// The flow.
    pub flow_id: &'a str,
    /// The execution.
    pub execution_id: &'a str,
    /// The task.
    pub task_id: &'a str,
    /// The task run.
    pub task_run_id: &'a str,
}

/// Stores output files and returns Kestra's `outputFiles` map: name to `kestra://` address.
pub async fn keep(
    storage: &Storage,
    files: &[OutputFile],
    owner: &Owner<'_>,
) -> Result<Map<String, Value>, StorageError> {
    let mut out = Map::new();
    for f in files {
        let uri = sluice_flow::storage::task_output_uri(
            owner.namespace,
            owner.flow_id,
            owner.execution_id,
            owner.task_id,
            owner.task_run_id,
            &f.name,
        );
        storage.put_file(&uri, &f.path).await?;
        out.insert(f.name.clone(), Value::String(uri));
    }
    Ok(out)
}
