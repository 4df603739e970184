//! `--flows DIR`: deploy every flow of a folder at start, and again whenever a file changes.
//! An invalid file is reported and its flow keeps its last good revision.
//!
//! `DIR/_files/<namespace>/…` holds namespace files, deployed the same way: a new or changed
//! file is written, and a file deployed from the folder that disappears from it is deleted
//! (files written through the API or by tasks are left alone).

use crate::commands::flow::{FILES_FOLDER, collect_flow_files};
use jiff::Timestamp;
use sluice_flow::Validator;
use sluice_store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What each file looked like when last deployed.
pub struct Deployer {
    seen: HashMap<PathBuf, (SystemTime, u64)>,
    /// Namespace files deployed from the folder: (namespace, path) by local file.
    files: HashMap<PathBuf, (String, String)>,
    validator: Validator,
}

impl Default for Deployer {
    fn default() -> Self {
        Deployer {
            seen: HashMap::new(),
            files: HashMap::new(),
            validator: sluice_tasks::validator(),
        }
    }
}

fn stamp(file: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(file).ok()?;
    Some((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len()))
}

/// Every file under `dir` (hidden ones skipped) as (path relative to the namespace folder,
/// local file).
fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => walk(&entry.path(), &relative, out),
            Ok(kind) if kind.is_file() => out.push((relative, entry.path())),
            _ => {}
        }
    }
}

impl Deployer {
    /// Deploys files that are new or changed since the last call; returns how many flows were
    /// stored.
    pub async fn sync(&mut self, dir: &Path, store: &dyn Store) -> anyhow::Result<usize> {
        let files = collect_flow_files(&[dir.to_path_buf()])?;
        let mut stored = 0;
        for file in files {
            let Some(stamp) = stamp(&file) else { continue };
            if self.seen.get(&file) == Some(&stamp) {
                continue;
            }
            self.seen.insert(file.clone(), stamp);
            let display = file.display().to_string();
            let source = match std::fs::read_to_string(&file) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{display}: cannot read: {e}");
                    continue;
                }
            };
            let checked = self.validator.check(&source);
            for d in &checked.diagnostics {
                eprintln!("{}", d.render(&display));
            }
            let Some(flow) = checked.flow else {
                eprintln!("{display}: not deployed; the last good revision stays in place");
                continue;
            };
            let record = store.put_flow(&flow.namespace, &flow.id, &source).await?;
            eprintln!(
                "deployed {}.{} revision {} from {display}",
                flow.namespace, flow.id, record.revision
            );
            stored += 1;
        }
        self.sync_files(&dir.join(FILES_FOLDER), store).await?;
        Ok(stored)
    }

    /// Deploys the namespace files under `root` (`root/<namespace>/<path>`).
    async fn sync_files(&mut self, root: &Path, store: &dyn Store) -> anyhow::Result<()> {
        let mut present = Vec::new();
        if let Ok(namespaces) = std::fs::read_dir(root) {
            for entry in namespaces.flatten() {
                let namespace = entry.file_name().to_string_lossy().to_string();
                if entry.path().is_dir() && !namespace.starts_with('.') {
                    let mut found = Vec::new();
                    walk(&entry.path(), "", &mut found);
                    present.extend(found.into_iter().map(|(name, local)| (namespace.clone(), name, local)));
                }
            }
        }
        let mut live = std::collections::HashSet::new();
        for (namespace, name, local) in present {
            live.insert(local.clone());
            let Some(stamp) = stamp(&local) else { continue };
            if self.seen.get(&local) == Some(&stamp) {
                continue;
            }
            self.seen.insert(local.clone(), stamp);
            let path = match sluice_flow::namespace_files::normalize(&name) {
                Ok(path) => path,
                Err(e) => {
                    eprintln!("{}: not deployed: {e}", local.display());
                    continue;
                }
            };
            let content = match tokio::fs::read(&local).await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{}: cannot read: {e}", local.display());
                    continue;
                }
            };
            let revision = store
                .write_namespace_file(&namespace, &path, &content, Timestamp::now())
                .await?;
            eprintln!("deployed namespace file {namespace}:/{path} revision {revision}");
            self.files.insert(local, (namespace, path));
        }
        let gone: Vec<PathBuf> = self.files.keys().filter(|k| !live.contains(*k)).cloned().collect();
        for local in gone {
            if let Some((namespace, path)) = self.files.remove(&local) {
                self.seen.remove(&local);
                store.delete_namespace_files(&namespace, &path).await?;
                eprintln!("deleted namespace file {namespace}:/{path} (its file left the flows folder)");
            }
        }
        Ok(())
    }

    /// Syncs every `every` until the returned future is dropped.
    pub async fn watch(mut self, dir: PathBuf, store: &dyn Store, every: Duration) -> anyhow::Result<()> {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = self.sync(&dir, store).await {
                eprintln!("flows folder `{}`: {e:#}", dir.display());
            }
        }
    }
}
