//! Output files outlive the working directory: they are copied under the data folder, one
//! folder per execution, task run and attempt, before the runner cleans up.

use serde_json::{Map, Value};
use sluice_runners::OutputFile;
use std::path::{Path, PathBuf};

/// Where an attempt's output files are kept.
pub fn attempt_dir(data_dir: &Path, execution_id: &str, task_run_id: &str, attempt: u32) -> PathBuf {
    data_dir
        .join("files")
        .join(execution_id)
        .join(task_run_id)
        .join(attempt.to_string())
}

/// Copies output files and returns Kestra's `outputFiles` map: name to stored location.
pub async fn keep(files: &[OutputFile], dir: &Path) -> std::io::Result<Map<String, Value>> {
    let mut out = Map::new();
    for f in files {
        let target = dir.join(&f.name);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::copy(&f.path, &target).await?;
        out.insert(f.name.clone(), Value::String(format!("file://{}", target.display())));
    }
    Ok(out)
}
