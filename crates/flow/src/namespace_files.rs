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

/// Path patterns as Kestra matches namespace and working-directory files (its
/// `PathMatcherPredicate`): `regex:` and `glob:` prefixes, a bare pattern being a glob; a glob that
/// does not start with `/` or `**` matches at any depth (`*.sql` is `**/*.sql`). In a glob, `**`
/// crosses folders, `*` and `?` do not, `{a,b}` is either, `[…]` a class. Paths are matched with
/// a leading `/`.
#[derive(Debug, Clone)]
pub struct PathPatterns {
    sources: Vec<String>,
    compiled: Vec<regex::Regex>,
}

impl PartialEq for PathPatterns {
    fn eq(&self, other: &Self) -> bool {
        self.sources == other.sources
    }
}

impl Eq for PathPatterns {}

impl PathPatterns {
    /// Compiles `patterns`; the error names the bad one.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, String> {
        let mut compiled = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            let pattern = pattern.as_ref();
            let source = match pattern.strip_prefix("regex:") {
                Some(re) => format!("^(?:{re})$"),
                None => glob_regex(pattern.strip_prefix("glob:").unwrap_or(pattern)),
            };
            let re = regex::Regex::new(&source).map_err(|e| format!("`{pattern}` is not a valid file pattern: {e}"))?;
            compiled.push(re);
        }
        Ok(PathPatterns {
            sources: patterns.iter().map(|p| p.as_ref().to_string()).collect(),
            compiled,
        })
    }

    /// Whether there is no pattern at all.
    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }

    /// Whether `path` (with or without its leading `/`) matches one of the patterns.
    pub fn matches(&self, path: &str) -> bool {
        let rooted = format!("/{}", path.trim_start_matches('/'));
        self.compiled.iter().any(|re| re.is_match(&rooted))
    }
}

/// The anchored regex of a glob.
fn glob_regex(glob: &str) -> String {
    let glob = if glob.starts_with('/') || glob.starts_with("**") {
        glob.to_string()
    } else {
        format!("**/{glob}")
    };
    let mut out = String::from("^");
    let mut chars = glob.chars().peekable();
    let mut in_braces = false;
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push_str(".*");
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '{' => {
                in_braces = true;
                out.push_str("(?:");
            }
            '}' if in_braces => {
                in_braces = false;
                out.push(')');
            }
            ',' if in_braces => out.push('|'),
            '[' => {
                out.push('[');
                if chars.peek() == Some(&'!') {
                    chars.next();
                    out.push('^');
                }
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if c == '\\' || c == '[' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push(']');
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    // `**/x` also matches `/x` itself: the `.*` before the `/` may be empty.
    out.push('$');
    out
}

#[cfg(test)]
mod tests {
    use super::{PathPatterns, normalize};

    #[test]
    fn patterns_match_as_kestras_path_matcher() {
        let p = |pats: &[&str], path: &str| PathPatterns::new(pats).unwrap().matches(path);
        assert!(p(&["*.sql"], "a.sql"));
        assert!(p(&["*.sql"], "deep/down/b.sql"));
        assert!(!p(&["*.sql"], "a.sql.bak"));
        assert!(p(&["/scripts/**"], "scripts/etl.py"));
        assert!(!p(&["/scripts/**"], "other/scripts/etl.py"));
        assert!(p(&["**.upl"], "x/y.upl"));
        assert!(p(&["**input.txt"], "input.txt"));
        assert!(p(&["glob:**/dbt/**"], "repo/dbt/models/a.sql"));
        assert!(p(&["glob:**/dbt/**"], "dbt/models/a.sql"));
        assert!(p(&["regex:.*\\.py"], "a/b.py"));
        assert!(!p(&["regex:.*\\.py"], "a/b.pyc"));
        assert!(p(&["/{a,b}/?.txt"], "b/1.txt"));
        assert!(!p(&["/{a,b}/?.txt"], "c/1.txt"));
        assert!(p(&["/[!x]*.txt"], "y.txt"));
        assert!(!p(&["/[!x]*.txt"], "x.txt"));
        assert!(!p(&["/*.txt"], "d/a.txt"));
        assert!(PathPatterns::new(&["regex:("]).is_err());
    }

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
