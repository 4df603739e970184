//! Namespace files as tasks see them: a trait the store implements (SQLite and PostgreSQL, so
//! every worker of a scale-out sees the same files), and the `namespaceFiles` property of script
//! tasks, DbtCLI and WorkingDirectory, which brings a namespace's files into the working
//! directory before the run.
//!
//! Kestra: <https://kestra.io/docs/concepts/namespace-files>

use crate::kv::StateError;
use crate::{PlanContext, TaskError};
use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::namespace_files::PathPatterns;

/// One stored file of a namespace (its content is read apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceFile {
    /// Its path, without a leading `/` (checked by [`sluice_flow::namespace_files::normalize`]).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was first written.
    pub created: Timestamp,
    /// When it was last written.
    pub updated: Timestamp,
    /// How many times it was written: 1 for a new file.
    pub revision: u32,
}

/// Reads and writes a namespace's files. Every write replaces the whole file in one statement,
/// so a reader sees the old or the new content, never a mix.
#[async_trait]
pub trait NamespaceFileStore: Send + Sync {
    /// Every file of `namespace`, sorted by path.
    async fn namespace_files(&self, namespace: &str) -> Result<Vec<NamespaceFile>, StateError>;

    /// The content of `path`, if it exists.
    async fn read_namespace_file(&self, namespace: &str, path: &str) -> Result<Option<Vec<u8>>, StateError>;

    /// Writes `path` (created or replaced); its new revision.
    async fn write_namespace_file(
        &self,
        namespace: &str,
        path: &str,
        content: &[u8],
        at: Timestamp,
    ) -> Result<u32, StateError>;

    /// Deletes `path` and, when it is a folder, everything under it; how many files went.
    async fn delete_namespace_files(&self, namespace: &str, path: &str) -> Result<u64, StateError>;

    /// Moves `from` (a file, or a folder with everything under it) to `to`, replacing what is
    /// there; how many files moved.
    async fn move_namespace_files(
        &self,
        namespace: &str,
        from: &str,
        to: &str,
        at: Timestamp,
    ) -> Result<u64, StateError>;
}

/// The namespace files handed to a call (the `core.namespace` tasks), shown in debug output by
/// name only.
#[derive(Clone)]
pub struct NamespaceFilesHandle(pub std::sync::Arc<dyn NamespaceFileStore>);

impl std::fmt::Debug for NamespaceFilesHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NamespaceFilesHandle")
    }
}

/// What a task's `namespaceFiles` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The namespaces whose files come in (default: the flow's).
    pub namespaces: Vec<String>,
    /// Only paths matching one of these (all when empty).
    pub include: PathPatterns,
    /// Not paths matching one of these.
    pub exclude: PathPatterns,
    /// Each namespace's files under a folder named after it.
    pub folder_per_namespace: bool,
}

impl Selection {
    /// Whether the file at `path` comes in.
    pub fn wants(&self, path: &str) -> bool {
        (self.include.is_empty() || self.include.matches(path)) && !self.exclude.matches(path)
    }

    /// Where a namespace's file goes in the working directory.
    pub fn destination(&self, namespace: &str, path: &str) -> String {
        if self.folder_per_namespace {
            format!("{namespace}/{path}")
        } else {
            path.to_string()
        }
    }
}

/// The task's `namespaceFiles`, rendered: `None` when absent or `enabled: false`. Like Kestra,
/// giving the property at all enables it unless it says `enabled: false`.
pub fn selection(task: &Task, cx: &PlanContext<'_>) -> Result<Option<Selection>, TaskError> {
    let Some(raw) = task.properties.get("namespaceFiles") else {
        return Ok(None);
    };
    let Value::Object(_) = raw else {
        return Err(TaskError::Invalid {
            task: task.id.clone(),
            message: "`namespaceFiles` must be a mapping such as `{enabled: true, include: [\"*.sql\"]}`".into(),
        });
    };
    let rendered = cx.renderer.value(&task.id, "namespaceFiles", raw, cx.variables)?;
    let flag = |name: &str, default: bool| match rendered.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => default,
    };
    if !flag("enabled", true) {
        return Ok(None);
    }
    let list = |name: &str| -> Vec<String> {
        match rendered.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    let mut namespaces = list("namespaces");
    if namespaces.is_empty()
        && let Some(ns) = cx.variables.pointer("/flow/namespace").and_then(Value::as_str)
    {
        namespaces.push(ns.to_string());
    }
    let patterns = |name: &str| {
        PathPatterns::new(&list(name)).map_err(|message| TaskError::Invalid {
            task: task.id.clone(),
            message: format!("`namespaceFiles.{name}`: {message}"),
        })
    };
    Ok(Some(Selection {
        namespaces,
        include: patterns("include")?,
        exclude: patterns("exclude")?,
        folder_per_namespace: flag("folderPerNamespace", false),
    }))
}

#[cfg(test)]
mod tests {
    use super::Selection;
    use sluice_flow::namespace_files::PathPatterns;

    #[test]
    fn include_and_exclude_are_globs_on_paths() {
        let s = Selection {
            namespaces: vec!["company".into()],
            include: PathPatterns::new(&["*.sql", "/scripts/**"]).unwrap(),
            exclude: PathPatterns::new(&["**/secret*"]).unwrap(),
            folder_per_namespace: true,
        };
        assert!(s.wants("a.sql"));
        assert!(s.wants("deep/down/b.sql"));
        assert!(s.wants("scripts/etl.py"));
        assert!(!s.wants("notes.txt"));
        assert!(!s.wants("scripts/secret.py"));
        assert_eq!(s.destination("company", "a.sql"), "company/a.sql");
    }
}
