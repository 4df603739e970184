//! JSON Schema of the flow format, for editors (VS Code's YAML extension) to complete and check
//! flows as users type. Built from the same tables the validator uses.

use super::{Catalog, Kind, Prop, RETRY_PROPS, TASK_COMMON, TRIGGER_COMMON, TypeSpec, type_names};
use crate::model::InputType;
use serde_json::{Value, json};

const DURATION_PATTERN: &str =
    r"^(\{\{.*\}\}|[Pp]([0-9]+[Dd])?([Tt]([0-9]+[Hh])?([0-9]+[Mm])?([0-9]+(\.[0-9]+)?[Ss])?)?)$";

fn kind_schema(kind: &Kind) -> Value {
    match kind {
        Kind::String | Kind::Text | Kind::Cron => json!({"type": ["string", "number", "boolean"]}),
        Kind::Bool => json!({"type": ["boolean", "string"]}),
        Kind::Int => json!({"type": ["integer", "string"]}),
        Kind::Number => json!({"type": ["number", "string"]}),
        Kind::Duration => json!({"type": "string", "pattern": DURATION_PATTERN}),
        Kind::Enum(values) => json!({"enum": values}),
        Kind::StringList => json!({"type": "array", "items": {"type": ["string", "number", "boolean"]}}),
        Kind::StringOrList => json!({"type": ["string", "array"], "items": {"type": "string"}}),
        Kind::StringMap => json!({"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}),
        Kind::Files => json!({"type": ["object", "string"], "additionalProperties": {"type": "string"}}),
        Kind::Map | Kind::Pod(_) => json!({"type": ["object", "string"]}),
        Kind::Any => json!({}),
        Kind::Object(props) => object(props, &[]),
        Kind::Tasks => json!({"type": "array", "items": {"$ref": "#/definitions/task"}}),
        Kind::DagTasks => json!({"type": "array", "items": {
            "type": "object",
            "required": ["task"],
            "properties": {
                "task": {"$ref": "#/definitions/task"},
                "dependsOn": {"type": "array", "items": {"type": "string"}},
            },
        }}),
        Kind::TaskMap => json!({
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"$ref": "#/definitions/task"}},
        }),
        Kind::TaskRunner => json!({"$ref": "#/definitions/taskRunner"}),
        Kind::Retry => json!({"$ref": "#/definitions/retry"}),
        Kind::Conditions => json!({"type": ["array", "object"], "items": {"$ref": "#/definitions/condition"}}),
    }
}

fn object(props: &[Prop], common: &[Prop]) -> Value {
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for p in common.iter().chain(props) {
        let mut s = kind_schema(&p.kind);
        if let Value::Object(m) = &mut s {
            m.insert("description".into(), Value::String(p.doc.into()));
            if let super::Note::Deprecated(_) = p.note {
                m.insert("deprecated".into(), Value::Bool(true));
            }
        }
        properties.insert(p.name.into(), s);
        if p.required {
            required.push(p.name);
        }
    }
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// One `if type is X then these properties` branch per type.
fn by_type(table: &[&'static TypeSpec], common: &[Prop]) -> Value {
    let names: Vec<&str> = type_names(table).collect();
    let branches: Vec<Value> = table
        .iter()
        .map(|t| {
            let mut names = vec![t.name];
            names.extend(t.aliases);
            let mut then = object(t.props, common);
            then["description"] = Value::String(t.doc.into());
            json!({"if": {"properties": {"type": {"enum": names}}, "required": ["type"]}, "then": then})
        })
        .collect();
    json!({
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": names}},
        "allOf": branches,
    })
}

/// The JSON Schema (draft-07) of a flow file made of the types in `catalog`.
pub fn json_schema(catalog: &Catalog) -> Value {
    let runner_common = [super::req("type", Kind::String, "The task runner type.")];
    let input = json!({
        "type": "object",
        "required": ["id", "type"],
        "properties": {
            "id": {"type": "string"},
            "type": {"enum": InputType::NAMES},
            "defaults": {},
            "required": {"type": "boolean"},
            "description": {"type": "string"},
            "displayName": {"type": "string"},
            "values": {"type": "array", "items": {"type": "string"}},
        },
    });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Sluice flow (Kestra format)",
        "type": "object",
        "required": ["id", "namespace", "tasks"],
        "additionalProperties": false,
        "properties": {
            "id": {"type": "string", "pattern": "^[a-zA-Z0-9][a-zA-Z0-9_-]*$", "description": "Flow id, unique in its namespace."},
            "namespace": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$", "description": "Dotted namespace, like `company.team`."},
            "description": {"type": "string"},
            "labels": {"type": ["object", "array"]},
            "inputs": {"type": "array", "items": input},
            "variables": {"type": "object"},
            "tasks": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/task"}},
            "errors": {"type": "array", "items": {"$ref": "#/definitions/task"}},
            "finally": {"type": "array", "items": {"$ref": "#/definitions/task"}},
            "afterExecution": {"type": "array", "items": {"$ref": "#/definitions/task"}},
            "triggers": {"type": "array", "items": {"$ref": "#/definitions/trigger"}},
            "concurrency": {
                "type": "object",
                "required": ["limit"],
                "properties": {"limit": {"type": "integer", "minimum": 1}, "behavior": {"enum": ["QUEUE", "CANCEL", "FAIL"]}},
                "additionalProperties": false,
            },
            "retry": {"$ref": "#/definitions/retry"},
            "pluginDefaults": {"$ref": "#/definitions/pluginDefaults"},
            "taskDefaults": {"$ref": "#/definitions/pluginDefaults"},
            "outputs": {"type": "array", "items": {"type": "object", "required": ["id", "value"]}},
            "disabled": {"type": "boolean"},
            "revision": {"type": "integer"},
            "deleted": {"type": "boolean"},
        },
        "definitions": {
            "task": by_type(&catalog.tasks, TASK_COMMON),
            "trigger": by_type(&catalog.triggers, TRIGGER_COMMON),
            "taskRunner": by_type(&catalog.runners, &runner_common),
            "condition": by_type(&catalog.conditions, &runner_common),
            "retry": object(RETRY_PROPS, &[]),
            "pluginDefaults": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "values"],
                    "properties": {"type": {"type": "string"}, "values": {"type": "object"}, "forced": {"type": "boolean"}},
                    "additionalProperties": false,
                },
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    static LOG: TypeSpec = TypeSpec::new(
        "io.kestra.plugin.core.log.Log",
        &["log.Log"],
        &[super::super::req("message", Kind::String, "What to log.")],
        "Logs.",
    );

    fn schema() -> Value {
        json_schema(&Catalog::new(vec![&LOG], Vec::new()))
    }

    #[test]
    fn every_task_type_has_a_branch_with_its_properties() {
        let schema = schema();
        let task = &schema["definitions"]["task"];
        assert_eq!(task["allOf"].as_array().map(Vec::len), Some(1));
        let names = task["properties"]["type"]["enum"].as_array().unwrap();
        assert_eq!(names, &[json!("io.kestra.plugin.core.log.Log"), json!("log.Log")]);
        assert_eq!(task["allOf"][0]["then"]["required"], json!(["id", "type", "message"]));
        let runner = &schema["definitions"]["taskRunner"]["allOf"][2]["then"]["properties"];
        assert!(runner["resources"]["properties"]["request"].is_object());
    }

    #[test]
    fn deprecated_properties_are_marked() {
        let schema = schema();
        let docker = &schema["definitions"]["taskRunner"]["allOf"][1]["then"]["properties"];
        assert_eq!(docker["image"]["deprecated"], true);
        assert!(docker["host"].get("deprecated").is_none());
    }
}
