//! Brings the namespace files a task asks for (`namespaceFiles`) into the files written to its
//! working directory before it runs: on every runner alike, since runners already write a job's
//! input files wherever the job runs (a folder, a container, a pod).
//!
//! Kestra: <https://kestra.io/docs/concepts/namespace-files>

use sluice_store::Store;
use sluice_tasks::namespace_files::Selection;
use std::collections::BTreeMap;

/// Most bytes of namespace files one task brings in: they travel in the job's input files, which
/// a runner holds in memory.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Adds the selected files to `files`; a file of the same name already there (the task's own
/// `inputFiles`) wins.
pub async fn bring(
    store: &dyn Store,
    selection: Option<Selection>,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), String> {
    let Some(selection) = selection else {
        return Ok(());
    };
    let mut total = 0u64;
    for namespace in &selection.namespaces {
        let listed = store
            .namespace_files(namespace)
            .await
            .map_err(|e| format!("the namespace files of `{namespace}` could not be listed: {e}"))?;
        for file in listed.iter().filter(|f| selection.wants(&f.path)) {
            let destination = selection.destination(namespace, &file.path);
            if files.contains_key(&destination) {
                continue;
            }
            total += file.size;
            if total > MAX_BYTES {
                return Err(format!(
                    "`namespaceFiles` selects more than {} MiB of files; narrow it with `include` or `exclude`",
                    MAX_BYTES / 1024 / 1024
                ));
            }
            // A file deleted since the listing is simply not brought.
            let read = store
                .read_namespace_file(namespace, &file.path)
                .await
                .map_err(|e| format!("namespace file `{}` of `{namespace}` could not be read: {e}", file.path))?;
            if let Some(content) = read {
                files.insert(destination, content);
            }
        }
    }
    Ok(())
}
