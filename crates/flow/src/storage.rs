//! Kestra's internal storage addresses, `kestra:///<namespace as folders>/<flow>/executions/
//! <execution>/inputs/<input>/<file>`: how Sluice names a stored file, and the checks that keep
//! any address inside the storage root (no `..`, no absolute parts, no control characters).
//! Pure: the worker and the server read and write the files.

use std::path::PathBuf;

/// The scheme of internal storage addresses.
pub const SCHEME: &str = "kestra://";

/// Why a storage address cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{uri}` is not a usable storage address: {reason}")]
pub struct StorageUriError {
    /// The address as given.
    pub uri: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A file name made safe to be one path segment: its last component, with separators and
/// control characters replaced; never empty, `.` or `..`.
pub fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() || c == ':' { '_' } else { c })
        .collect();
    match cleaned.trim() {
        "" | "." | ".." => "file".to_string(),
        _ => cleaned,
    }
}

/// The address of a FILE input's upload, as Kestra forms it.
pub fn input_file_uri(namespace: &str, flow_id: &str, execution_id: &str, input_id: &str, file_name: &str) -> String {
    format!(
        "{SCHEME}/{}/{}/executions/{}/inputs/{}/{}",
        namespace.replace('.', "/"),
        safe_file_name(flow_id),
        safe_file_name(execution_id),
        safe_file_name(input_id),
        safe_file_name(file_name)
    )
}

/// The address of a file a task run stores (a download), as Kestra forms it.
pub fn task_file_uri(
    namespace: &str,
    flow_id: &str,
    execution_id: &str,
    task_id: &str,
    task_run_id: &str,
    file_name: &str,
) -> String {
    format!(
        "{SCHEME}/{}/{}/executions/{}/tasks/{}/{}/{}",
        namespace.replace('.', "/"),
        safe_file_name(flow_id),
        safe_file_name(execution_id),
        safe_file_name(task_id),
        safe_file_name(task_run_id),
        safe_file_name(file_name)
    )
}

/// The folder address of every file of an execution.
pub fn execution_folder_uri(namespace: &str, flow_id: &str, execution_id: &str) -> String {
    format!(
        "{SCHEME}/{}/{}/executions/{}",
        namespace.replace('.', "/"),
        safe_file_name(flow_id),
        safe_file_name(execution_id)
    )
}

/// The address of a task run's output file `relative` (`out/report.csv`; its folders kept), as
/// Kestra forms it.
pub fn task_output_uri(
    namespace: &str,
    flow_id: &str,
    execution_id: &str,
    task_id: &str,
    task_run_id: &str,
    relative: &str,
) -> String {
    let folder = task_file_uri(namespace, flow_id, execution_id, task_id, task_run_id, "x");
    let folder = folder.strip_suffix("/x").unwrap_or(&folder);
    let name: Vec<String> = relative
        .split(['/', '\\'])
        .filter(|s| !s.is_empty())
        .map(safe_file_name)
        .collect();
    format!("{folder}/{}", name.join("/"))
}

/// The path of an address relative to the storage root, checked segment by segment.
pub fn relative_path(uri: &str) -> Result<PathBuf, StorageUriError> {
    let fail = |reason| StorageUriError {
        uri: uri.to_string(),
        reason,
    };
    let rest = uri
        .strip_prefix(SCHEME)
        .ok_or_else(|| fail("it does not start with kestra://"))?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let mut path = PathBuf::new();
    for segment in rest.split('/') {
        match segment {
            "" => return Err(fail("it has an empty path segment")),
            "." | ".." => return Err(fail("it climbs out of the storage with `.` or `..`")),
            s if s.chars().any(|c| c.is_control() || c == '\\') => {
                return Err(fail("it holds a control character or a backslash"));
            }
            s => path.push(s),
        }
    }
    if path.as_os_str().is_empty() {
        return Err(fail("it names no file"));
    }
    Ok(path)
}

/// Whether a value is a storage address (and nothing else), as an `inputFiles` value may be.
pub fn is_storage_uri(text: &str) -> bool {
    let t = text.trim();
    t.starts_with(SCHEME) && !t.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_get_kestras_address() {
        assert_eq!(
            input_file_uri("company.team", "etl", "4Xyz", "data", "../../etc/passwd"),
            "kestra:///company/team/etl/executions/4Xyz/inputs/data/passwd"
        );
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name("a\u{0}b:c.csv"), "a_b_c.csv");
    }

    #[test]
    fn addresses_stay_inside_the_storage() {
        assert_eq!(
            relative_path("kestra:///company/team/f/x.csv").unwrap(),
            PathBuf::from("company/team/f/x.csv")
        );
        for bad in [
            "kestra:///a/../../etc",
            "kestra:///a//b",
            "file:///etc/passwd",
            "kestra:///",
            "kestra:///a\\b",
        ] {
            assert!(relative_path(bad).is_err(), "{bad}");
        }
        assert!(is_storage_uri(" kestra:///a/b.csv\n"));
        assert!(!is_storage_uri("kestra:///a b"));
    }
}
