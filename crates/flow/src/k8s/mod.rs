//! Pod specs and pod metadata checked against the Kubernetes API types of `k8s-openapi`.
//!
//! The YAML is read through k8s-openapi's own `Deserialize` impls by a deserializer over the
//! spanned tree (`de.rs`), so the field names and types are exactly those of the Kubernetes
//! release k8s-openapi was generated from, and every finding has a line and column:
//!
//! - an unknown field is a warning (`k8s-unknown-field`), with a did-you-mean: Kubernetes drops
//!   unknown fields, so the pod runs, but not as written;
//! - a value of the wrong type is an error (`k8s-wrong-type`), as is a malformed quantity
//!   (`k8s-invalid-quantity`);
//! - templates are rendered at run time and stand for any value;
//! - a full spec (PodCreate's `spec`) must have the fields Kubernetes requires
//!   (`k8s-missing-field`); an overlay (a task runner's `podSpec`) is partial and need not.

mod de;
mod quantity;
mod typed;

pub use typed::coerce;

use crate::diagnostic::Diagnostic;
use crate::template::is_template;
use crate::yaml::{Node, Value};
use de::{NodeDe, State};
use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// Which part of a pod a YAML value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodPart {
    /// A complete `core/v1` PodSpec, like PodCreate's `spec`: required fields must be there.
    Spec,
    /// A partial PodSpec merged into a generated one, like the Kubernetes task runner's
    /// `podSpec`: nothing is required.
    SpecOverlay,
    /// Pod metadata (`ObjectMeta`), like PodCreate's `metadata`.
    Metadata,
    /// A partial container (`core/v1` Container), like PodCreate's `containerDefaultSpec`:
    /// nothing is required.
    ContainerDefaults,
}

impl PodPart {
    /// The name of the property that holds it, used as the root of paths in messages.
    fn root(self) -> &'static str {
        match self {
            PodPart::Spec => "spec",
            PodPart::SpecOverlay => "podSpec",
            PodPart::Metadata => "metadata",
            PodPart::ContainerDefaults => "containerDefaultSpec",
        }
    }
}

/// Checks a YAML mapping against the Kubernetes type of `part`; returns every finding, in
/// source order.
///
/// Never panics, whatever the node holds.
pub fn check(part: PodPart, node: &Node) -> Vec<Diagnostic> {
    let explain_root = match part {
        PodPart::Metadata => "pod.metadata",
        PodPart::Spec | PodPart::SpecOverlay => "pod.spec",
        PodPart::ContainerDefaults => "pod.spec.containers",
    };
    let partial = matches!(part, PodPart::SpecOverlay | PodPart::ContainerDefaults);
    let mut st = State::new(part.root(), explain_root, partial);
    match part {
        PodPart::Spec | PodPart::SpecOverlay => {
            let spec = PodSpec::deserialize(NodeDe::new(node, &mut st));
            finish(&mut st, spec, node);
            if part == PodPart::Spec {
                check_containers(&mut st, node);
            }
        }
        PodPart::Metadata => {
            let meta = ObjectMeta::deserialize(NodeDe::new(node, &mut st));
            finish(&mut st, meta, node);
        }
        PodPart::ContainerDefaults => {
            let container = Container::deserialize(NodeDe::new(node, &mut st));
            finish(&mut st, container, node);
            check_merged_fields(&mut st, node);
        }
    }
    st.diags.sort_by_key(|d| d.pos);
    st.diags
}

/// Reports a walk's error, or the required fields a complete value lacks.
fn finish<T: Serialize>(st: &mut State, value: Result<T, de::DeError>, node: &Node) {
    match value {
        Ok(value) if !st.partial => {
            // k8s-openapi fills absent required fields with defaults and always serializes
            // them, while optional fields appear only when set: a key in the output that the
            // YAML lacks is a required field the user left out.
            if let Ok(json) = serde_json::to_value(&value) {
                let mut path = st.path();
                missing_fields(st, &json, node, &mut path);
            }
        }
        Ok(_) => {}
        Err(e) => st.diags.extend(e.diagnostic),
    }
}

fn missing_fields(st: &mut State, out: &serde_json::Value, node: &Node, path: &mut String) {
    match (out, &node.value) {
        (serde_json::Value::Object(fields), Value::Map(_)) => {
            // Only a struct has required fields; a map (labels, free-form JSON) has its keys.
            let kind = st.structs.get(&node.pos).copied();
            for (key, value) in fields {
                match (node.get(key), kind) {
                    (None | Some(Node { value: Value::Null, .. }), Some(kind)) if !value.is_null() => {
                        st.diags.push(
                            Diagnostic::error(node.pos, "k8s-missing-field", format!("`{path}` has no `{key}`"))
                                .with_help(format!("Kubernetes requires `{key}` in every {kind}")),
                        );
                    }
                    (Some(child), _) => {
                        let len = path.len();
                        path.push('.');
                        path.push_str(key);
                        missing_fields(st, value, child, path);
                        path.truncate(len);
                    }
                    (None, _) => {}
                }
            }
        }
        (serde_json::Value::Array(items), Value::Seq(nodes)) if items.len() == nodes.len() => {
            for (i, (item, child)) in items.iter().zip(nodes).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                missing_fields(st, item, child, path);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The fields of `containerDefaultSpec` that Kestra's PodCreate merges into containers; it
/// drops the others, so they earn a warning.
pub const CONTAINER_DEFAULT_FIELDS: &[&str] = &["securityContext", "resources", "volumeMounts", "env"];

fn check_merged_fields(st: &mut State, node: &Node) {
    for (key, _) in node.as_map().unwrap_or_default() {
        let Some(name) = key.as_str() else { continue };
        // A field Kubernetes does not know already has its own warning, with a did-you-mean.
        let unknown = st
            .diags
            .iter()
            .any(|d| d.pos == key.pos && d.code == "k8s-unknown-field");
        if !CONTAINER_DEFAULT_FIELDS.contains(&name) && !unknown {
            st.diags.push(
                Diagnostic::warning(
                    key.pos,
                    "container-default-ignored",
                    format!("`containerDefaultSpec.{name}` is not merged into the containers"),
                )
                .with_help(format!(
                    "PodCreate merges only {}; set `{name}` on each container of `spec` instead",
                    CONTAINER_DEFAULT_FIELDS.join(", ")
                )),
            );
        }
    }
}

/// What Kubernetes requires of a pod beyond its OpenAPI schema: a container, and an image for
/// each (the schema leaves `image` optional for the sake of workload templates).
fn check_containers(st: &mut State, spec: &Node) {
    for key in ["containers", "initContainers"] {
        let Some(list) = spec.get(key) else { continue };
        let Value::Seq(items) = &list.value else { continue };
        if items.is_empty() && key == "containers" {
            st.diags.push(
                Diagnostic::error(list.pos, "k8s-missing-field", "`spec.containers` is empty")
                    .with_help("a pod needs at least one container, with a `name` and an `image`"),
            );
        }
        for (i, item) in items.iter().enumerate() {
            if item.as_map().is_none() || matches!(&item.value, Value::String(s) if is_template(s)) {
                continue;
            }
            if item.get("image").is_none_or(|n| n.value == Value::Null) {
                st.diags.push(
                    Diagnostic::error(
                        item.pos,
                        "k8s-missing-field",
                        format!("`spec.{key}[{i}]` has no `image`"),
                    )
                    .with_help("Kubernetes requires `image` in every container of a pod"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
