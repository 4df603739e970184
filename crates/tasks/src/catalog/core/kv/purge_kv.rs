//! `io.kestra.plugin.core.kv.PurgeKV`: deletes KV pairs across namespaces — the expired ones
//! by default, all of them with `expiredOnly: false` (or `behavior: {type: key, expiredOnly:
//! false}`) — filtered by `namespaces` (with their children unless `includeChildNamespaces:
//! false`) or `namespacePattern`, and by `keyPattern` (globs with `*` and `?`). The output
//! `size` is how many were deleted.
//!
//! Kestra: <https://kestra.io/plugins/core/kv/io.kestra.plugin.core.kv.purgekv>

use super::invalid;
use crate::catalog::TaskType;
use crate::{Call, Finished, Plan, PlanContext, TaskError};
use jiff::Timestamp;
use serde_json::Value;
use sluice_flow::model::Task;
use sluice_flow::schema::{Kind, TypeSpec, deprecated, opt};

/// The PurgeKV task.
pub static PURGE_KV: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.core.kv.PurgeKV",
        &["core.kv.PurgeKV", "kv.PurgeKV"],
        &[
            opt("keyPattern", Kind::String, "Only keys matching this glob (`AI_*`)."),
            opt(
                "namespaces",
                Kind::StringList,
                "Only these namespaces (default: every one); not with `namespacePattern`.",
            ),
            opt(
                "namespacePattern",
                Kind::String,
                "Only namespaces matching this glob; not with `namespaces`.",
            ),
            opt(
                "includeChildNamespaces",
                Kind::Bool,
                "With `namespaces`, their child namespaces too (default true).",
            ),
            opt(
                "behavior",
                Kind::Map,
                "`{type: key, expiredOnly: true}` (the default); `expiredOnly: false` deletes live pairs too.",
            ),
            deprecated(
                "expiredOnly",
                Kind::Bool,
                "Delete only expired pairs (default true).",
                "`behavior: {type: key, expiredOnly: …}`",
            ),
        ],
        "Deletes key-value pairs, the expired ones by default.",
    ),
    plan: Some(plan),
};

fn plan(task: &Task, cx: &PlanContext<'_>) -> Result<Plan, TaskError> {
    let key_pattern = crate::props::text(task, cx, "keyPattern")?;
    let namespaces = crate::props::strings(task, cx, "namespaces")?;
    let namespace_pattern = crate::props::text(task, cx, "namespacePattern")?;
    if !namespaces.is_empty() && namespace_pattern.is_some() {
        return Err(invalid(
            task,
            "`namespaces` and `namespacePattern` cannot be used together; keep one".into(),
        ));
    }
    let children = crate::props::flag(task, "includeChildNamespaces", true);
    let behavior = task.properties.get("behavior");
    if let Some(kind) = behavior.and_then(|b| b.get("type")).and_then(Value::as_str)
        && !kind.eq_ignore_ascii_case("key")
    {
        return Err(invalid(
            task,
            format!("`behavior.type` is `{kind}`; Sluice keeps one version per key, so only `key` purges"),
        ));
    }
    let expired_only = match task.properties.get("expiredOnly") {
        Some(_) => crate::props::flag(task, "expiredOnly", true),
        None => !matches!(behavior.and_then(|b| b.get("expiredOnly")), Some(Value::Bool(false))),
    };
    let wanted = move |namespace: &str| {
        if let Some(pattern) = &namespace_pattern {
            return glob(pattern, namespace);
        }
        namespaces.is_empty()
            || namespaces.iter().any(|n| {
                namespace == n
                    || (children
                        && namespace
                            .strip_prefix(n.as_str())
                            .is_some_and(|rest| rest.starts_with('.')))
            })
    };
    let timeout = crate::props::timeout(task, cx)?;
    Ok(Plan::Call(Box::new(Call::new(timeout, move |call| async move {
        let now = Timestamp::now();
        let entries = match call.kv.0.kv_list(None, None).await {
            Ok(entries) => entries,
            Err(e) => return Finished::failed(e.to_string()),
        };
        let mut size = 0u64;
        for entry in entries {
            let expired = entry.expires.is_some_and(|t| t <= now);
            let key_ok = key_pattern.as_deref().is_none_or(|p| glob(p, &entry.key));
            if (expired || !expired_only) && key_ok && wanted(&entry.namespace) {
                if let Err(e) = call.kv.0.kv_delete(&entry.namespace, &entry.key, now).await {
                    return Finished::failed(format!("{e} (after deleting {size} pairs)"));
                }
                size += 1;
            }
        }
        let mut done = Finished::default();
        done.logs
            .push(("INFO".into(), format!("purged {size} key-value pairs")));
        done.outputs.insert("size".into(), Value::from(size));
        done
    }))))
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` any one.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_as_kestras_wildcards() {
        assert!(glob("AI_*", "AI_KEY"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(glob("*_key_*", "my_key_1"));
        assert!(!glob("AI_*", "OPENAI_KEY"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("company.*", "company.team"));
    }
}
