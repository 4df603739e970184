//! `kestra://` addresses written straight into a job's commands, script or environment
//! (`cat {{ outputs.make.outputFiles['out.txt'] }}`): as in Kestra's script tasks, each file is
//! fetched into the working directory and its address replaced by the local path, on every
//! runner, since the runners already write a job's input files wherever the job runs.

use sluice_runners::Job;
use sluice_store::{Storage, StorageError};
use std::collections::BTreeMap;

/// The folder of the working directory that holds the fetched files.
pub const FOLDER: &str = ".sluice-inputs";

/// The script files a task writes for its `script` property, whose text is searched too.
const SCRIPT_PREFIX: &str = ".sluice-script";

/// Every `kestra://` address in `text`, in order.
fn addresses(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(sluice_flow::storage::SCHEME) {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || "'\"`;|&<>()".contains(c))
            .unwrap_or(tail.len());
        found.push(&tail[..end]);
        rest = &tail[end..];
    }
    found
}

/// Fetches the files named in the job's command, script files and environment into its input
/// files and writes their local paths (under `working_dir`, where the job runs) in place of
/// the addresses. Only the execution's own namespace's files are read.
pub async fn localize(
    storage: &Storage,
    namespace: &str,
    job: &mut Job,
    working_dir: &str,
    scratch: &std::path::Path,
) -> Result<(), StorageError> {
    let scripts: Vec<String> = job
        .input_files
        .keys()
        .filter(|k| k.starts_with(SCRIPT_PREFIX))
        .cloned()
        .collect();
    let mut texts: Vec<String> = job.command.clone();
    texts.extend(job.env.values().cloned());
    for name in &scripts {
        texts.push(String::from_utf8_lossy(&job.input_files[name]).into_owned());
    }
    let mut local: BTreeMap<String, String> = BTreeMap::new();
    for text in &texts {
        for uri in addresses(text) {
            if local.contains_key(uri) {
                continue;
            }
            sluice_store::files::check_namespace(namespace, uri)?;
            let name = sluice_flow::storage::safe_file_name(uri);
            let relative = format!("{FOLDER}/{}-{name}", local.len());
            let target = scratch.join(format!("arg-{}-{name}", local.len()));
            match storage.load(uri, &target, sluice_store::files::IN_MEMORY).await? {
                sluice_store::Loaded::Content(content) => _ = job.input_files.insert(relative.clone(), content),
                sluice_store::Loaded::Local(path) => _ = job.input_paths.insert(relative.clone(), path),
            }
            local.insert(
                uri.to_string(),
                format!("{}/{relative}", working_dir.trim_end_matches('/')),
            );
        }
    }
    if local.is_empty() {
        return Ok(());
    }
    // Longest first, so an address that is a prefix of another is not replaced inside it.
    let mut pairs: Vec<(&String, &String)> = local.iter().collect();
    pairs.sort_by_key(|(uri, _)| std::cmp::Reverse(uri.len()));
    let replace = |text: &str| {
        pairs
            .iter()
            .fold(text.to_string(), |t, (uri, path)| t.replace(uri.as_str(), path))
    };
    for arg in &mut job.command {
        *arg = replace(arg);
    }
    for value in job.env.values_mut() {
        *value = replace(value);
    }
    for name in scripts {
        if let Some(content) = job.input_files.get_mut(&name) {
            *content = replace(&String::from_utf8_lossy(content)).into_bytes();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::addresses;

    #[test]
    fn addresses_end_where_the_shell_word_ends() {
        let text = "cat kestra:///a/b/out.txt | wc -l; head 'kestra:///a/c d' \"kestra:///x\"";
        assert_eq!(
            addresses(text),
            ["kestra:///a/b/out.txt", "kestra:///a/c", "kestra:///x"]
        );
        assert!(addresses("no address here").is_empty());
    }
}
