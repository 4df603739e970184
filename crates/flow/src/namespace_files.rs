//! Namespace files, the pure part: what a file's path may be. Paths come from API calls,
//! flows and folders on disk, so they are checked here, once: relative, `/`-separated, with no
//! `.`, `..` or empty segment and no control character, so that no path leaves its namespace's
//! folder wherever the files are written out.
//!
//! Kestra: <https://kestra.io/docs/concepts/namespace-files>

/// Longest path accepted, in bytes.
pub const MAX_PATH: usize = 1024;

/// The stored form of `path`: without its leading `/`, its segments checked. `/a/b.sql` and
/// `a/b.sql` are the same file.
pub fn normalize(path: &str) -> Result<String, String> {
    let trimmed = path.trim_start_matches('/').trim_end_matches('/');
    if trimmed.is_empty() {
        return Err("the path is empty: give a file's path such as `scripts/etl.py`".into());
    }
    if trimmed.len() > MAX_PATH {
        return Err(format!("the path is longer than {MAX_PATH} bytes"));
    }
    for segment in trimmed.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!(
                "`{path}` is not a namespace file path: it may not contain empty, `.` or `..` segments"
            ));
        }
        if segment.chars().any(|c| c.is_control() || c == '\\') {
            return Err(format!(
                "`{}` is not a namespace file path: it may not contain control characters or `\\`",
                path.escape_debug()
            ));
        }
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn paths_stay_inside_their_namespace() {
        assert_eq!(normalize("/scripts/etl.py").unwrap(), "scripts/etl.py");
        assert_eq!(normalize("a.sql").unwrap(), "a.sql");
        assert_eq!(normalize("dir/").unwrap(), "dir");
        for bad in ["", "/", "../x", "a/../../b", "a//b", "./a", "a\nb", "a\\b", "a\0b"] {
            assert!(normalize(bad).is_err(), "{bad:?}");
        }
        assert!(normalize(&"a/".repeat(600)).is_err());
    }
}
