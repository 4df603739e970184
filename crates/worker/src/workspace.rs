//! The shared folder of a WorkingDirectory task: one per execution and WorkingDirectory task
//! run, under the worker's data folder. Each child's job gets the folder's files as input files
//! (whatever its runner: a process, a container or a pod) and collects every file it leaves;
//! those then replace the folder's content, so the next child sees what the last one left,
//! deletions included. The sweep removes the folders of ended executions.

use sluice_engine::{Execution, TaskRun};
use sluice_flow::Flow;
use sluice_flow::model::{Flowable, Task};
use sluice_runners::{Job, OutputFile, output_pattern_matches};
use sluice_store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Most bytes a shared folder may hold: its files travel in memory to each child's runner.
pub const MAX_BYTES: u64 = 512 * 1024 * 1024;

/// The WorkingDirectory task (and its task run id) that `run` is a direct child of, if any.
pub fn enclosing<'f>(flow: &'f Flow, exec: &Execution, run: &TaskRun) -> Option<(&'f Task, String)> {
    let parent = exec.task_run(run.parent_task_run_id.as_deref()?)?;
    let task = sluice_engine::task_by_id(flow, &parent.task_id)?;
    (task.flowable == Some(Flowable::WorkingDirectory)).then(|| (task, parent.id.clone()))
}

/// The folder of WorkingDirectory task run `run_id` of execution `execution_id`.
pub fn dir(data_dir: &Path, execution_id: &str, run_id: &str) -> PathBuf {
    data_dir.join("workspaces").join(execution_id).join(run_id)
}

/// Creates the folder with `seed` the first time, then hands its files to `job` (the job's own
/// input files win) and has the job collect every file it leaves. Returns the job's own output
/// patterns, which decide what becomes the task's `outputFiles`.
pub async fn prepare(folder: &Path, seed: BTreeMap<String, Vec<u8>>, job: &mut Job) -> Result<Vec<String>, String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("WorkingDirectory {}: {what}: {e}", folder.display());
    ensure(folder, seed).await?;
    let files = sluice_runners::all_files(folder.to_path_buf())
        .await
        .map_err(|e| fail("cannot list it", &e))?;
    let total: u64 = files.iter().map(|f| f.size).sum();
    if total > MAX_BYTES {
        return Err(format!(
            "the WorkingDirectory holds {total} bytes, more than the {MAX_BYTES} a task can be handed; keep large data in object storage or a database and only code in the directory"
        ));
    }
    for f in files {
        if !job.input_files.contains_key(&f.name) {
            job.input_paths.insert(f.name, f.path);
        }
    }
    let own = job.output_files.clone();
    job.output_files.push("**/*".into());
    Ok(own)
}

/// Creates the folder with `seed` the first time; a folder already there is left as it is.
pub async fn ensure(folder: &Path, seed: BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("WorkingDirectory {}: {what}: {e}", folder.display());
    if !tokio::fs::try_exists(folder).await.unwrap_or(false) {
        tokio::fs::create_dir_all(folder)
            .await
            .map_err(|e| fail("cannot create it", &e))?;
        for (name, content) in seed {
            write(&folder.join(&name), &content)
                .await
                .map_err(|e| fail(&name, &e))?;
        }
    }
    Ok(())
}

/// Replaces the folder's content with every file the job left, then keeps in `files` only
/// those that the job's own patterns `own` asked for.
pub async fn save(folder: &Path, files: &mut Vec<OutputFile>, own: &[String]) -> std::io::Result<()> {
    let fresh = folder.with_extension("next");
    let _ = tokio::fs::remove_dir_all(&fresh).await;
    tokio::fs::create_dir_all(&fresh).await?;
    for f in files.iter() {
        let target = fresh.join(&f.name);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::copy(&f.path, &target).await?;
    }
    tokio::fs::remove_dir_all(folder).await?;
    tokio::fs::rename(&fresh, folder).await?;
    files.retain(|f| own.iter().any(|p| output_pattern_matches(p, &f.name)));
    Ok(())
}

async fn write(path: &Path, content: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    tokio::fs::write(path, content).await
}

/// Removes the folders of executions that have ended (or that the store no longer knows).
pub async fn sweep(store: &dyn Store, data_dir: &Path) -> usize {
    let Ok(mut entries) = tokio::fs::read_dir(data_dir.join("workspaces")).await else {
        return 0;
    };
    let mut removed = 0;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let id = entry.file_name().to_string_lossy().into_owned();
        let ended = match store.get_execution(&id).await {
            Ok(Some(exec)) => exec.state.current.is_terminal(),
            Ok(None) => true,
            Err(_) => false,
        };
        if ended && tokio::fs::remove_dir_all(entry.path()).await.is_ok() {
            removed += 1;
        }
    }
    removed
}
