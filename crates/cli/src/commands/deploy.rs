//! `--flows DIR`: deploy every flow of a folder at start, and again whenever a file changes.
//! An invalid file is reported and its flow keeps its last good revision.

use crate::commands::flow::collect_flow_files;
use sluice_flow::Validator;
use sluice_store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What each file looked like when last deployed.
pub struct Deployer {
    seen: HashMap<PathBuf, (SystemTime, u64)>,
    validator: Validator,
}

impl Default for Deployer {
    fn default() -> Self {
        Deployer {
            seen: HashMap::new(),
            validator: sluice_tasks::validator(),
        }
    }
}

impl Deployer {
    /// Deploys files that are new or changed since the last call; returns how many were stored.
    pub async fn sync(&mut self, dir: &Path, store: &dyn Store) -> anyhow::Result<usize> {
        let files = collect_flow_files(&[dir.to_path_buf()])?;
        let mut stored = 0;
        for file in files {
            let Ok(meta) = std::fs::metadata(&file) else { continue };
            let stamp = (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len());
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
        Ok(stored)
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
