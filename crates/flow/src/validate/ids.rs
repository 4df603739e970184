//! Ids and namespaces: the characters each may hold, and the checks of flow, task and input
//! ids against them.

use super::Cx;
use super::props::check_string;
use crate::diagnostic::Diagnostic;
use crate::yaml::Node;

/// Characters allowed in flow, task and input ids (Kestra's pattern, without dots for tasks).
pub(super) const ID_CHARS: &str = "letters, digits, `_` and `-`";
/// Characters allowed in namespaces.
pub(super) const NAMESPACE_CHARS: &str = "lowercase letters, digits, `.`, `_` and `-`";

/// Checks that `id` is a valid identifier; `what` names its owner in messages.
pub(super) fn valid_id(id: &str, chars: &str) -> Result<(), String> {
    let ok_char: fn(char) -> bool = if chars == NAMESPACE_CHARS {
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
    } else {
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
    };
    if id.is_empty() {
        return Err("is empty".into());
    }
    if id.chars().count() > 100 {
        return Err("is longer than 100 characters".into());
    }
    if let Some(bad) = id.chars().find(|c| !ok_char(*c)) {
        return Err(match bad {
            ' ' => "contains a space".to_string(),
            c if c.is_control() => format!("contains the control character {:?}", c),
            c => format!("contains `{c}`"),
        });
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("does not start with a letter or digit".into());
    }
    Ok(())
}

/// Reads `key` of `parent` as an id of `chars`; `owner` names its owner in messages.
pub(super) fn check_id(cx: &mut Cx<'_>, parent: &Node, key: &str, owner: &str, chars: &str) -> Option<String> {
    let Some(node) = parent.get(key) else {
        cx.push(
            Diagnostic::error(parent.pos, "missing-property", format!("the {owner} has no `{key}`")).with_help(
                format!(
                    "add `{key}:` with {chars}, e.g. `{key}: {}`",
                    if key == "namespace" { "company.team" } else { "my-flow" }
                ),
            ),
        );
        return None;
    };
    let text = check_string(cx, node, key)?;
    if let Err(why) = valid_id(&text, chars) {
        cx.push(
            Diagnostic::error(node.pos, "invalid-id", format!("{owner} {key} `{text}` {why}"))
                .with_help(format!("use only {chars}, starting with a letter or digit")),
        );
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_kestra_patterns() {
        assert!(valid_id("dbt_build-2", ID_CHARS).is_ok());
        assert!(valid_id("-x", ID_CHARS).is_err());
        assert!(valid_id("a.b", ID_CHARS).is_err());
        assert!(valid_id("company.team", NAMESPACE_CHARS).is_ok());
        assert!(valid_id("Company", NAMESPACE_CHARS).is_err());
    }
}
