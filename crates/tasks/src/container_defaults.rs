//! PodCreate's `containerDefaultSpec`, merged into every container and init container of the
//! pod's spec as Kestra's `AbstractPod.mergeContainerDefaults` does (kestra-io/plugin-kubernetes
//! `src/main/java/io/kestra/plugin/kubernetes/AbstractPod.java`):
//!
//! - `securityContext` and `resources`: deep merge, the container's own values win;
//! - `volumeMounts`: the defaults first, then the container's;
//! - `env`: the container's variables, then the defaults whose name the container lacks.
//!
//! Kestra merges no other field, and neither does Sluice (the validator warns about them).
//! Kestra also applies the defaults to its file-transfer containers; Sluice's helper containers
//! keep their own settings.

use serde_json::{Map, Value};

/// Merges `defaults` into each container of `spec.containers` and `spec.initContainers`.
pub fn apply(spec: &mut Map<String, Value>, defaults: &Map<String, Value>) {
    for list in ["containers", "initContainers"] {
        if let Some(Value::Array(containers)) = spec.get_mut(list) {
            for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                merge_container(container, defaults);
            }
        }
    }
}

fn merge_container(container: &mut Map<String, Value>, defaults: &Map<String, Value>) {
    for key in ["securityContext", "resources"] {
        if let Some(Value::Object(default)) = defaults.get(key) {
            let merged = match container.get(key) {
                Some(Value::Object(own)) => deep_merge(default, own),
                _ => default.clone(),
            };
            container.insert(key.to_owned(), Value::Object(merged));
        }
    }
    if let Some(Value::Array(default)) = defaults.get("volumeMounts") {
        let mut mounts = default.clone();
        if let Some(Value::Array(own)) = container.get("volumeMounts") {
            mounts.extend(own.iter().cloned());
        }
        container.insert("volumeMounts".to_owned(), Value::Array(mounts));
    }
    if let Some(Value::Array(default)) = defaults.get("env") {
        let mut env = match container.get("env") {
            Some(Value::Array(own)) => own.clone(),
            _ => Vec::new(),
        };
        let name = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_owned);
        let own: Vec<String> = env.iter().filter_map(name).collect();
        env.extend(
            default
                .iter()
                .filter(|v| name(v).is_none_or(|n| !own.contains(&n)))
                .cloned(),
        );
        container.insert("env".to_owned(), Value::Array(env));
    }
}

/// `base` with `over` laid on it: nested mappings merge, any other value of `over` wins.
fn deep_merge(base: &Map<String, Value>, over: &Map<String, Value>) -> Map<String, Value> {
    let mut out = base.clone();
    for (key, value) in over {
        let merged = match (out.get(key), value) {
            (Some(Value::Object(b)), Value::Object(o)) => Value::Object(deep_merge(b, o)),
            _ => value.clone(),
        };
        out.insert(key.clone(), merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("a mapping")
    }

    // Kestra's merge rules: kestra-io/plugin-kubernetes
    // src/main/java/io/kestra/plugin/kubernetes/AbstractPod.java (mergeContainerDefaults, mergeEnvVars).
    #[test]
    fn defaults_merge_into_every_container_the_container_winning() {
        let mut spec = map(json!({
            "containers": [
                {"name": "main", "image": "debian",
                 "securityContext": {"runAsUser": 1000, "capabilities": {"add": ["NET_ADMIN"]}},
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                 "env": [{"name": "TEAM", "value": "platform"}]},
                {"name": "side", "image": "busybox"}
            ],
            "initContainers": [{"name": "prep", "image": "busybox", "resources": {"limits": {"cpu": "1"}}}]
        }));
        let defaults = map(json!({
            "securityContext": {"runAsUser": 0, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
            "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
            "env": [{"name": "TEAM", "value": "data"}, {"name": "REGION", "value": "eu"}],
            "imagePullPolicy": "Always"
        }));
        apply(&mut spec, &defaults);
        let main = &spec["containers"][0];
        assert_eq!(
            main["securityContext"],
            json!({"runAsUser": 1000, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}})
        );
        assert_eq!(
            main["volumeMounts"],
            json!([{"name": "tmp", "mountPath": "/tmp"}, {"name": "data", "mountPath": "/data"}])
        );
        assert_eq!(
            main["env"],
            json!([{"name": "TEAM", "value": "platform"}, {"name": "REGION", "value": "eu"}])
        );
        assert_eq!(main["resources"], json!({"limits": {"memory": "256Mi", "cpu": "500m"}}));
        assert!(main.get("imagePullPolicy").is_none(), "Kestra merges only four fields");
        let side = &spec["containers"][1];
        assert_eq!(side["securityContext"], defaults["securityContext"]);
        assert_eq!(side["env"], defaults["env"]);
        let prep = &spec["initContainers"][0];
        assert_eq!(prep["resources"], json!({"limits": {"memory": "256Mi", "cpu": "1"}}));
    }

    #[test]
    fn no_defaults_change_nothing() {
        let spec = map(json!({"containers": [{"name": "main", "image": "debian"}]}));
        let mut merged = spec.clone();
        apply(&mut merged, &Map::new());
        assert_eq!(merged, spec);
    }
}
