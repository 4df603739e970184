//! Collecting the files a job produced, by glob, from a local working directory.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use glob::{MatchOptions, Pattern};

use crate::{OutputFile, RunnerError};

/// `*` stays within one directory (as in Kestra's globs); `**` crosses directories; dot files match.
const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Whether the relative file name `name` matches the output pattern `pattern`, by the same
/// rules as [`collect`] (so a caller can split one collection by pattern).
pub fn output_pattern_matches(pattern: &str, name: &str) -> bool {
    Pattern::new(pattern).is_ok_and(|p| p.matches_with(name, OPTIONS))
}

/// Every regular file under `dir`, at any depth, sorted by name (a WorkingDirectory's files).
pub async fn all_files(dir: PathBuf) -> Result<Vec<OutputFile>, RunnerError> {
    collect(dir, vec!["**/*".to_string()]).await
}

/// Finds the regular files under `dir` matching `patterns` (already checked with
/// `check_output_pattern`), sorted by name, each once.
///
/// Symbolic links are not followed out of `dir`: a match must be a regular file (not a link) whose
/// real path is inside `dir`. Unreadable directories are skipped.
pub(crate) async fn collect(dir: PathBuf, patterns: Vec<String>) -> Result<Vec<OutputFile>, RunnerError> {
    if patterns.is_empty() {
        return Ok(Vec::new());
    }
    let task_dir = dir.clone();
    tokio::task::spawn_blocking(move || collect_blocking(&task_dir, &patterns))
        .await
        .map_err(|e| RunnerError::io("collect output files from", &dir, io::Error::other(e)))?
}

fn collect_blocking(dir: &Path, patterns: &[String]) -> Result<Vec<OutputFile>, RunnerError> {
    let io_err = |source| RunnerError::io("collect output files from", dir, source);
    let real_dir = dir.canonicalize().map_err(io_err)?;
    let prefix = dir
        .to_str()
        .map(Pattern::escape)
        .ok_or_else(|| io_err(io::Error::other("the working directory path is not valid UTF-8")))?;
    let mut found = BTreeMap::new();
    for pattern in patterns {
        let full = format!("{prefix}/{pattern}");
        let paths = glob::glob_with(&full, OPTIONS).map_err(|e| {
            // Patterns are checked before the run; this only fires on a broken working dir path.
            RunnerError::InvalidOutputPattern {
                pattern: pattern.clone(),
                reason: e.to_string(),
            }
        })?;
        for path in paths.flatten() {
            let Ok(meta) = path.symlink_metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let inside = path.canonicalize().is_ok_and(|real| real.starts_with(&real_dir));
            let Ok(relative) = path.strip_prefix(dir) else { continue };
            if !inside {
                continue;
            }
            let name = relative.to_string_lossy().into_owned();
            found.entry(name.clone()).or_insert(OutputFile {
                name,
                path: path.clone(),
                size: meta.len(),
            });
        }
    }
    Ok(found.into_values().collect())
}
