//! The limits an input declares, checked on a typed value: Kestra's `validator` (STRING and
//! SECRET), `min`/`max` (INT, FLOAT, DURATION) and `after`/`before` (DATETIME, DATE, TIME).
//! The validator checks the limits themselves with [`bound_error`], so a flow that
//! validates never fails here for a reason other than the value.

use super::{InputError, err};
use crate::duration::parse_duration;
use crate::model::{InputConstraints, InputType};
use serde_json::Value;
use std::cmp::Ordering;

/// Which limits apply to a type, by their YAML names.
pub fn applicable(ty: InputType) -> &'static [&'static str] {
    match ty {
        InputType::String | InputType::Secret => &["validator"],
        InputType::Int | InputType::Float | InputType::Duration => &["min", "max"],
        InputType::Datetime | InputType::Date | InputType::Time => &["after", "before"],
        _ => &[],
    }
}

/// The limit's value read for type `ty`, or what is wrong with it.
pub fn bound_error(ty: InputType, key: &str, bound: &Value) -> Option<String> {
    if key == "validator" {
        let pattern = bound.as_str()?;
        return regex::Regex::new(pattern)
            .err()
            .map(|e| format!("`validator` is not a regular expression: {e}"));
    }
    super::coerce(ty, bound, &[])
        .err()
        .map(|e| format!("`{key}` of an input of type {}: {}", ty.name(), e.message))
}

/// Checks a typed value against the limits; the message names the limit it breaks.
pub fn check(ty: InputType, limits: &InputConstraints, value: &Value) -> Result<(), InputError> {
    if let (Some(pattern), Some(text)) = (&limits.validator, value.as_str()) {
        let whole = format!("^(?:{pattern})$");
        // A pattern that does not compile was refused by the validator already.
        if regex::Regex::new(&whole).is_ok_and(|re| !re.is_match(text)) {
            return Err(err(
                format!("`{text}` does not match the validator `{pattern}`"),
                "give a value the whole of which matches the pattern",
            ));
        }
    }
    let (after, before) = (
        limits.after.clone().map(Value::from),
        limits.before.clone().map(Value::from),
    );
    let bounds = [
        (limits.min.as_ref(), Ordering::Less, "at least"),
        (limits.max.as_ref(), Ordering::Greater, "at most"),
        (after.as_ref(), Ordering::Less, "after"),
        (before.as_ref(), Ordering::Greater, "before"),
    ];
    for (bound, wrong, word) in bounds {
        let Some(bound) = bound else { continue };
        let Some(order) = compare(ty, value, bound) else {
            continue;
        };
        // `after` and `before` are strict; `min` and `max` include the bound.
        let strict = word == "after" || word == "before";
        if order == wrong || (strict && order == Ordering::Equal) {
            return Err(err(
                format!("`{}` must be {word} `{}`", text(value), text(bound)),
                &format!("give a value {word} {}", text(bound)),
            ));
        }
    }
    Ok(())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `value` against `bound` in the order of the type; `None` when either does not read.
fn compare(ty: InputType, value: &Value, bound: &Value) -> Option<Ordering> {
    let bound = super::coerce(ty, bound, &[]).ok()?;
    match ty {
        InputType::Int | InputType::Float => value.as_f64()?.partial_cmp(&bound.as_f64()?),
        InputType::Duration => {
            let a = parse_duration(value.as_str()?).ok()?;
            Some(a.cmp(&parse_duration(bound.as_str()?).ok()?))
        }
        InputType::Datetime => {
            let a: jiff::Timestamp = value.as_str()?.parse().ok()?;
            Some(a.cmp(&bound.as_str()?.parse().ok()?))
        }
        InputType::Date => {
            let a: jiff::civil::Date = value.as_str()?.parse().ok()?;
            Some(a.cmp(&bound.as_str()?.parse().ok()?))
        }
        InputType::Time => {
            let a: jiff::civil::Time = value.as_str()?.parse().ok()?;
            Some(a.cmp(&bound.as_str()?.parse().ok()?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn limits(f: impl FnOnce(&mut InputConstraints)) -> InputConstraints {
        let mut l = InputConstraints::default();
        f(&mut l);
        l
    }

    #[test]
    fn numbers_keep_min_and_max_inclusive() {
        let l = limits(|l| {
            l.min = Some(json!(1));
            l.max = Some(json!(10));
        });
        assert!(check(InputType::Int, &l, &json!(1)).is_ok());
        assert!(check(InputType::Int, &l, &json!(10)).is_ok());
        let e = check(InputType::Int, &l, &json!(11)).unwrap_err();
        assert_eq!(e.message, "`11` must be at most `10`");
        assert!(check(InputType::Float, &l, &json!(0.5)).is_err());
    }

    #[test]
    fn dates_times_and_durations_compare_in_their_own_order() {
        let l = limits(|l| l.after = Some("2026-01-01".into()));
        assert!(check(InputType::Date, &l, &json!("2026-01-02")).is_ok());
        assert!(check(InputType::Date, &l, &json!("2026-01-01")).is_err());
        let l = limits(|l| l.before = Some("12:00:00".into()));
        assert!(check(InputType::Time, &l, &json!("09:30:00")).is_ok());
        assert!(check(InputType::Time, &l, &json!("12:30:00")).is_err());
        let l = limits(|l| l.max = Some(json!("PT1H")));
        assert!(check(InputType::Duration, &l, &json!("PT30M")).is_ok());
        assert!(check(InputType::Duration, &l, &json!("PT2H")).is_err());
        let l = limits(|l| l.before = Some("2026-06-01T00:00:00Z".into()));
        assert!(check(InputType::Datetime, &l, &json!("2026-07-01T00:00:00Z")).is_err());
    }

    #[test]
    fn the_validator_matches_the_whole_value() {
        let l = limits(|l| l.validator = Some("[a-z]+".into()));
        assert!(check(InputType::String, &l, &json!("abc")).is_ok());
        let e = check(InputType::String, &l, &json!("abc1")).unwrap_err();
        assert!(
            e.message.contains("does not match the validator `[a-z]+`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn bad_bounds_are_named() {
        assert!(
            bound_error(InputType::Int, "min", &json!("ten"))
                .unwrap()
                .contains("`min` of an input of type INT")
        );
        assert!(bound_error(InputType::String, "validator", &json!("(")).is_some());
        assert!(bound_error(InputType::Date, "after", &json!("2026-01-01")).is_none());
    }
}
