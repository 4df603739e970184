//! Checks that keep job-supplied names inside the job's working directory.

use std::path::{Component, Path};

use crate::RunnerError;

/// Longest directory name derived from a job name, leaving room under the usual 255-byte limit.
const MAX_DIR_NAME: usize = 150;

/// Checks that `name` is a relative path that stays inside the directory it is joined to.
///
/// Every runner calls it on input file names before anything runs, so a job can never write
/// outside its working directory: empty names, NUL bytes, absolute paths, `..` components and
/// names that denote a directory are rejected with an error naming the file.
pub fn safe_relative_path(name: &str) -> Result<(), RunnerError> {
    let unsafe_name = |reason| {
        Err(RunnerError::UnsafeFileName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return unsafe_name("it is empty");
    }
    if name.contains('\0') {
        return unsafe_name("it contains a NUL byte");
    }
    if name.ends_with('/') {
        return unsafe_name("it ends with `/`, so it names a directory, not a file");
    }
    let mut has_file = false;
    for component in Path::new(name).components() {
        match component {
            Component::Normal(_) => has_file = true,
            Component::CurDir => {}
            Component::ParentDir => return unsafe_name("it contains `..`, which could leave the working directory"),
            Component::RootDir | Component::Prefix(_) => return unsafe_name("it is an absolute path"),
        }
    }
    if !has_file {
        return unsafe_name("it names the working directory itself, not a file in it");
    }
    Ok(())
}

/// Checks an output files glob: safe like a file name, and a valid pattern.
pub(crate) fn check_output_pattern(pattern: &str) -> Result<(), RunnerError> {
    let invalid = |reason: String| RunnerError::InvalidOutputPattern {
        pattern: pattern.to_owned(),
        reason,
    };
    if let Err(RunnerError::UnsafeFileName { reason, .. }) = safe_relative_path(pattern) {
        return Err(invalid(reason.to_owned()));
    }
    glob::Pattern::new(pattern).map_err(|e| invalid(e.to_string()))?;
    Ok(())
}

/// Turns a job name into one safe directory (or container) name component.
///
/// Keeps `[A-Za-z0-9._-]`, replaces anything else with `_` and a leading `.` with `_` (so `.` and
/// `..` cannot occur), and caps the length. When anything had to change, a hash of the original
/// name is appended so that two different job names never share a directory.
pub(crate) fn dir_name(job_name: &str) -> String {
    let mut out: String = job_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    if out != job_name || out.len() > MAX_DIR_NAME || out.is_empty() {
        out.truncate(MAX_DIR_NAME);
        out.push_str(&format!("-{:016x}", fnv1a(job_name.as_bytes())));
    }
    out
}

/// FNV-1a, 64 bits: stable across Rust versions and processes, unlike `DefaultHasher`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Removes a local directory the runner made (downloaded output files); an absent one is fine.
pub(crate) async fn remove_local(dir: &Path) -> Result<(), RunnerError> {
    match tokio::fs::remove_dir_all(dir).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(RunnerError::io("remove the directory", dir, e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_nested_names() {
        for name in ["a", "a/b.txt", "./a", "dir/./x", ".hidden", "a..b"] {
            assert!(safe_relative_path(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn rejects_escaping_names() {
        for name in ["", "../x", "a/../../x", "a/..", "/etc/x", "a\0b", ".", "./", "dir/"] {
            let err = safe_relative_path(name).expect_err(name);
            assert!(err.to_string().contains("unsafe file name"), "{err}");
        }
    }

    #[test]
    fn output_patterns_are_checked() {
        assert!(check_output_pattern("**/*.txt").is_ok());
        assert!(check_output_pattern("../*").is_err());
        assert!(check_output_pattern("/tmp/*").is_err());
        assert!(check_output_pattern("a[").is_err());
    }

    #[test]
    fn dir_names_stay_one_component_and_distinct() {
        assert_eq!(dir_name("exec-1_task.2"), "exec-1_task.2");
        for name in ["..", ".", "", "a/b", "../../etc", "x\0y"] {
            let dir = dir_name(name);
            assert!(
                !dir.contains('/') && !dir.starts_with('.') && !dir.is_empty(),
                "{name:?} -> {dir}"
            );
        }
        assert_ne!(dir_name("a/b"), dir_name("a_b"));
        assert!(dir_name(&"x".repeat(400)).len() < 200);
    }
}
