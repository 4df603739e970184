//! Pebble's operators on values (`OperatorUtils`): arithmetic widened as Java does, string
//! `+`, list `+`/`-`, comparisons, `contains` and ranges.

use serde_json::Value;

use super::ast::BinOp;
use super::scope::{Fail, fail};
use super::value::{Num, equals, java_string, to_num, type_name};

/// Applies an arithmetic or comparison operator.
pub(super) fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, Fail> {
    match op {
        BinOp::Eq => return Ok(Value::Bool(equals(a, b))),
        BinOp::Ne => return Ok(Value::Bool(!equals(a, b))),
        BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le => return compare(op, a, b).map(Value::Bool),
        BinOp::Add if a.is_string() || b.is_string() => {
            return Ok(Value::String(java_string(a) + &java_string(b)));
        }
        BinOp::Add | BinOp::Sub if a.is_array() => {
            let mut items = a.as_array().cloned().unwrap_or_default();
            let others = match b {
                Value::Array(o) => o.clone(),
                other => vec![other.clone()],
            };
            if op == BinOp::Add {
                items.extend(others);
            } else {
                items.retain(|i| !others.iter().any(|o| equals(i, o)));
            }
            return Ok(Value::Array(items));
        }
        _ => {}
    }
    let sym = match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        _ => "%",
    };
    let (Some(x), Some(y)) = (to_num(a), to_num(b)) else {
        let bad = if to_num(a).is_none() { a } else { b };
        return Err(Fail::Error(
            format!(
                "`{sym}` needs numbers, but got {} `{}`",
                type_name(bad),
                java_string(bad)
            ),
            Some("join strings with `~`".into()),
        ));
    };
    Ok(match (x, y) {
        (Num::Long(x), Num::Long(y)) => {
            let r = match op {
                BinOp::Add => x.checked_add(y),
                BinOp::Sub => x.checked_sub(y),
                BinOp::Mul => x.checked_mul(y),
                BinOp::Div if y == 0 => return fail("division by zero"),
                BinOp::Div => x.checked_div(y),
                _ if y == 0 => return fail("modulus by zero"),
                _ => x.checked_rem(y),
            };
            match r {
                Some(r) => Value::from(r),
                None => return fail(format!("`{x} {sym} {y}` overflows a 64-bit number")),
            }
        }
        (x, y) => {
            let (x, y) = (x.f64(), y.f64());
            Num::Double(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                _ => x % y,
            })
            .value()
        }
    })
}

fn compare(op: BinOp, a: &Value, b: &Value) -> Result<bool, Fail> {
    if a.is_null() || b.is_null() {
        return Ok(false);
    }
    let ord = match (a, b) {
        (Value::Number(_), Value::Number(_)) => {
            let (x, y) = (
                to_num(a).map_or(f64::NAN, Num::f64),
                to_num(b).map_or(f64::NAN, Num::f64),
            );
            x.partial_cmp(&y)
        }
        // Pebble compares numbers only; strings (ISO dates) compare as text here.
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => {
            return fail(format!(
                "cannot compare {} with {}: comparisons need two numbers",
                type_name(a),
                type_name(b)
            ));
        }
    };
    use std::cmp::Ordering::*;
    Ok(match (op, ord) {
        (_, None) => false,
        (BinOp::Gt, Some(o)) => o == Greater,
        (BinOp::Lt, Some(o)) => o == Less,
        (BinOp::Ge, Some(o)) => o != Less,
        (_, Some(o)) => o != Greater,
    })
}

/// Pebble's `contains`: a substring, a list element (or all of a list), a map key.
pub(super) fn contains(left: &Value, right: &Value) -> Result<bool, Fail> {
    Ok(match (left, right) {
        (Value::Array(items), Value::Array(all)) => all.iter().all(|r| items.iter().any(|i| equals(i, r))),
        (Value::Array(items), r) => items.iter().any(|i| equals(i, r)),
        (Value::Object(map), r) => map.contains_key(&java_string(r)),
        (Value::String(s), Value::String(r)) => s.contains(r.as_str()),
        (Value::String(s), r) => s.contains(&java_string(r)),
        (other, _) => {
            return fail(format!(
                "`contains` works on strings, lists and maps, not {}",
                type_name(other)
            ));
        }
    })
}

/// `a..b` and `range(a, b, step)`: whole numbers, or single characters, both ends included.
pub(super) fn range(start: &Value, end: &Value, step: &Value) -> Result<Value, Fail> {
    let step = match to_num(step) {
        Some(Num::Long(s)) if s != 0 => s,
        _ => return fail("a range's step must be a whole number other than 0"),
    };
    let chars = |v: &Value| {
        v.as_str()
            .filter(|s| s.chars().count() == 1)
            .and_then(|s| s.chars().next())
    };
    if let (Some(a), Some(b)) = (chars(start), chars(end)) {
        let (a, b) = (a as i64, b as i64);
        let items = steps(a, b, step)?;
        return Ok(Value::Array(
            items
                .into_iter()
                .filter_map(|c| char::from_u32(c as u32).map(|c| Value::String(c.to_string())))
                .collect(),
        ));
    }
    match (to_num(start), to_num(end)) {
        (Some(Num::Long(a)), Some(Num::Long(b))) => {
            Ok(Value::Array(steps(a, b, step)?.into_iter().map(Value::from).collect()))
        }
        _ => fail("a range needs two whole numbers (`1..5`) or two characters (`'a'..'e'`)"),
    }
}

/// At most this many items in a range, so `1..10000000000` cannot exhaust memory.
const MAX_RANGE: i64 = 1_000_000;

fn steps(a: i64, b: i64, step: i64) -> Result<Vec<i64>, Fail> {
    let count = (i128::from(b) - i128::from(a)) / i128::from(step) + 1;
    if count > i128::from(MAX_RANGE) {
        return fail(format!("the range {a}..{b} has more than {MAX_RANGE} items"));
    }
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut i = a;
    while (step > 0 && i <= b) || (step < 0 && i >= b) {
        out.push(i);
        let Some(next) = i.checked_add(step) else { break };
        i = next;
    }
    Ok(out)
}
