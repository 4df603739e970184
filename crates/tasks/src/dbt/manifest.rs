//! `target/manifest.json`: the project's nodes, for names, resource types, relations and
//! dependencies. Only `metadata`, `nodes`, `sources`, `unit_tests` and `parent_map` are read;
//! the rest (macros, docs: most of a large manifest) is skipped without being kept.

use super::{DbtError, NodeResult};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const FILE: &str = "manifest.json";

/// What Sluice reads of a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// `metadata.dbt_version`.
    pub dbt_version: Option<String>,
    /// `metadata.adapter_type`, e.g. `duckdb`.
    pub adapter_type: Option<String>,
    /// `metadata.project_name` (dbt 1.6 and later).
    pub project_name: Option<String>,
    /// Nodes, sources and unit tests by unique id.
    pub nodes: BTreeMap<String, ManifestNode>,
}

/// One node of the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestNode {
    /// dbt's id, e.g. `model.my_project.stg_orders`.
    pub unique_id: String,
    /// `model`, `seed`, `test`, `snapshot`, `source`, `unit_test`, …
    pub resource_type: String,
    /// The node's name.
    pub name: String,
    /// The package (project) that defines it.
    pub package_name: Option<String>,
    /// Database of its relation.
    pub database: Option<String>,
    /// Schema of its relation.
    pub schema: Option<String>,
    /// Alias (table or view name) of its relation; a source's `identifier`.
    pub alias: Option<String>,
    /// The relation, quoted as the adapter writes it.
    pub relation_name: Option<String>,
    /// The file that defines it, relative to the project.
    pub original_file_path: Option<String>,
    /// Unique ids of the nodes it depends on: `parent_map`, or its own `depends_on.nodes`.
    pub depends_on: Vec<String>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    metadata: Value,
    #[serde(default)]
    nodes: Value,
    #[serde(default)]
    sources: Value,
    #[serde(default)]
    unit_tests: Value,
    #[serde(default)]
    parent_map: Value,
}

/// Reads `target/manifest.json`. Entries that are not objects are left out; fields may be
/// missing or of unexpected types.
pub fn parse_manifest(json: impl AsRef<[u8]>) -> Result<Manifest, DbtError> {
    let json = json.as_ref();
    // serde reads a struct from a list too; a manifest is an object.
    if json.trim_ascii_start().first() != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde::de::IgnoredAny>(json) {
            Ok(_) => DbtError::Shape {
                file: FILE,
                message: "the top level is not an object".into(),
            },
            Err(source) => DbtError::Json { file: FILE, source },
        });
    }
    let raw: Raw = serde_json::from_slice(json).map_err(|source| match source.classify() {
        serde_json::error::Category::Data => DbtError::Shape {
            file: FILE,
            message: source.to_string(),
        },
        _ => DbtError::Json { file: FILE, source },
    })?;
    let str_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let mut manifest = Manifest {
        dbt_version: str_of(&raw.metadata, "dbt_version"),
        adapter_type: str_of(&raw.metadata, "adapter_type"),
        project_name: str_of(&raw.metadata, "project_name"),
        nodes: BTreeMap::new(),
    };
    let parent_map = raw.parent_map.as_object();
    for group in [&raw.nodes, &raw.sources, &raw.unit_tests] {
        let Some(group) = group.as_object() else { continue };
        for (key, node) in group {
            let Some(node) = node.as_object() else { continue };
            let parsed = manifest_node(key, node, parent_map);
            manifest.nodes.insert(parsed.unique_id.clone(), parsed);
        }
    }
    Ok(manifest)
}

fn manifest_node(key: &str, node: &Map<String, Value>, parent_map: Option<&Map<String, Value>>) -> ManifestNode {
    let get = |k: &str| node.get(k).and_then(Value::as_str).map(str::to_string);
    let unique_id = get("unique_id")
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| key.to_string());
    let ids = |v: Option<&Value>| -> Option<Vec<String>> {
        Some(
            v?.as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        )
    };
    let depends_on = ids(parent_map.and_then(|p| p.get(&unique_id)))
        .or_else(|| ids(node.get("depends_on").and_then(|d| d.get("nodes"))))
        .unwrap_or_default();
    let resource_type = get("resource_type").unwrap_or_else(|| unique_id.split('.').next().unwrap_or("").to_string());
    let mut name = get("name").unwrap_or_default();
    // A source is known as `<source>.<table>`, as in `source('<source>', '<table>')`.
    if resource_type == "source"
        && let Some(source_name) = get("source_name")
    {
        name = format!("{source_name}.{name}");
    }
    ManifestNode {
        resource_type,
        name,
        package_name: get("package_name"),
        database: get("database"),
        schema: get("schema"),
        alias: get("alias").or_else(|| get("identifier")),
        relation_name: get("relation_name"),
        original_file_path: get("original_file_path"),
        depends_on,
        unique_id,
    }
}

impl NodeResult {
    /// Takes the name, resource type and (when the result has none) relation of the node from
    /// the manifest; a node the manifest does not know keeps what its id gave.
    pub fn apply_manifest(&mut self, manifest: &Manifest) {
        let Some(node) = manifest.nodes.get(&self.unique_id) else {
            return;
        };
        if !node.name.is_empty() {
            self.name = node.name.clone();
        }
        if !node.resource_type.is_empty() {
            self.resource_type = node.resource_type.clone();
        }
        if self.relation_name.is_none() {
            self.relation_name = node.relation_name.clone();
        }
    }
}
