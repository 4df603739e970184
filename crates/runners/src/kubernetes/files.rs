//! Files in and out of a pod through the API server's `exec`, as tar archives: the pod needs no
//! network path to Sluice. Input files go to the init container, which waits for them; output
//! files come from the sidecar, which outlives the job's containers until they are collected.
//!
//! Kubernetes 1.20 speaks the v4 exec protocol, which cannot close stdin alone (closing it closes
//! the whole connection): the upload therefore tells `head -c` how many bytes to read.

use std::path::{Path, PathBuf};

use futures_util::future::join;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::AttachParams;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::pod::{CONTROL_DIR, INIT, SIDECAR, WORKING_DIR};
use crate::{Job, OutputFile, RunnerError, archive, outputs};

fn failed<'a>(job: &'a Job, action: &'static str) -> impl Fn(String) -> RunnerError + 'a {
    move |message| RunnerError::Kubernetes {
        job: job.name.clone(),
        action,
        message,
    }
}

/// Sends the job's input files into the init container, then lets it finish.
pub(super) async fn upload(pods: &Api<Pod>, pod: &str, job: &Job) -> Result<(), RunnerError> {
    let tar = archive::inputs_tar(job)?;
    let script = format!("head -c {} | tar -x -o -C / && touch {CONTROL_DIR}/ready", tar.len());
    let params = AttachParams::default()
        .container(INIT)
        .stdin(true)
        .stdout(false)
        .stderr(true);
    let mut process = pods
        .exec(pod, ["sh", "-c", &script], &params)
        .await
        .map_err(|e| failed(job, "send the input files")(e.to_string()))?;
    let mut stdin = process
        .stdin()
        .ok_or_else(|| failed(job, "send the input files")("no stdin".into()))?;
    let mut stderr = process.stderr();
    let status = process
        .take_status()
        .ok_or_else(|| failed(job, "send the input files")("no status channel".into()))?;
    let send = async {
        stdin.write_all(&tar).await?;
        stdin.flush().await
    };
    let errors = async {
        let mut text = String::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_string(&mut text).await;
        }
        text
    };
    // Keep stdin open until the command ends: closing it would cut the connection (v4).
    let ((sent, status), errors) = join(join(send, status), errors).await;
    drop(stdin);
    sent.map_err(|e| failed(job, "send the input files")(e.to_string()))?;
    check(status, &errors).map_err(failed(job, "unpack the input files in the pod"))
}

/// Fetches the working directory from the sidecar, collects the output files under `dir`, and
/// lets the sidecar end.
pub(super) async fn download(
    pods: &Api<Pod>,
    pod: &str,
    job: &Job,
    dir: &Path,
) -> Result<Vec<OutputFile>, RunnerError> {
    remove_local(dir).await?;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| RunnerError::io("create the output directory", dir, e))?;
    let tar_path = dir.join("work.tar");
    let params = AttachParams::default()
        .container(SIDECAR)
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let base = Path::new(WORKING_DIR).parent().unwrap_or(Path::new("/"));
    let script = format!("tar -c -C {} work", base.display());
    let mut process = pods
        .exec(pod, ["sh", "-c", &script], &params)
        .await
        .map_err(|e| failed(job, "fetch the output files")(e.to_string()))?;
    let mut stdout = process
        .stdout()
        .ok_or_else(|| failed(job, "fetch the output files")("no stdout".into()))?;
    let mut stderr = process.stderr();
    let status = process
        .take_status()
        .ok_or_else(|| failed(job, "fetch the output files")("no status channel".into()))?;
    let save = async {
        let mut file = tokio::fs::File::create(&tar_path).await?;
        tokio::io::copy(&mut stdout, &mut file).await?;
        file.flush().await
    };
    let errors = async {
        let mut text = String::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_string(&mut text).await;
        }
        text
    };
    let ((saved, status), errors) = join(join(save, status), errors).await;
    saved.map_err(|e| RunnerError::io("write the output archive", &tar_path, e))?;
    check(status, &errors).map_err(failed(job, "fetch the output files"))?;
    let (archive_path, dest) = (tar_path.clone(), dir.join("files"));
    tokio::task::spawn_blocking(move || archive::unpack(&archive_path, &dest))
        .await
        .map_err(|e| RunnerError::io("unpack the output archive", &tar_path, std::io::Error::other(e)))?
        .map_err(|e| RunnerError::io("unpack the output archive", &tar_path, e))?;
    let _ = tokio::fs::remove_file(&tar_path).await;
    outputs::collect(dir.join("files").join("work"), job.output_files.clone()).await
}

/// Tells the sidecar it may end (best effort: deleting the pod ends it too).
pub(super) async fn release_sidecar(pods: &Api<Pod>, pod: &str) {
    let params = AttachParams::default()
        .container(SIDECAR)
        .stdin(false)
        .stdout(false)
        .stderr(false);
    let command = format!("touch {CONTROL_DIR}/done");
    if let Ok(mut process) = pods.exec(pod, ["sh", "-c", &command], &params).await
        && let Some(status) = process.take_status()
    {
        let _ = status.await;
    }
}

fn check(status: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>, errors: &str) -> Result<(), String> {
    match status {
        Some(s) if s.status.as_deref() == Some("Success") => Ok(()),
        Some(s) => Err(format!(
            "{}{}",
            s.message.unwrap_or_else(|| "the command failed".into()),
            if errors.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", errors.trim())
            }
        )),
        None => Err(format!("the connection ended without a status {}", errors.trim())),
    }
}

pub(super) use crate::paths::remove_local;

/// Where output files of `job` are downloaded under `base`.
pub(super) fn local_dir(base: &Path, job: &Job) -> PathBuf {
    base.join(crate::paths::dir_name(&job.name))
}
