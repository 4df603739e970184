//! Pebble's and Kestra's filters (`{{ value | name(args) }}`), one table per group:
//! text, lists and numbers, dates, data formats (JSON, YAML, Ion, jq) and encodings.
//!
//! A filter is an [`Entry`]: its name, its argument names (so `date('yyyy', timeZone='UTC')`
//! mixes positional and named arguments as Pebble's `getArgumentNames` allows) and its
//! function. A new filter is one entry in its group's table.

mod codec;
mod data;
mod dates;
mod jq;
mod lists;
mod text;

use serde_json::Value;

use super::scope::{Fail, Scope};
use super::value::{text as text_of, to_num, type_name};

pub(super) use data::{from_json, from_yaml};
pub(super) use dates::{DATE_ARGS, format_now};

/// The evaluated arguments of a call.
#[derive(Debug, Default)]
pub(crate) struct Args {
    /// Positional arguments, in order.
    pub(crate) pos: Vec<Value>,
    /// `name=value` arguments.
    pub(crate) named: Vec<(String, Value)>,
}

impl Args {
    /// Argument `i`, or the one named `name`.
    pub(super) fn get(&self, i: usize, name: &str) -> Option<&Value> {
        self.pos
            .get(i)
            .or_else(|| self.named.iter().find(|(n, _)| n == name).map(|(_, v)| v))
            .filter(|v| !v.is_null())
    }

    /// Argument `i`/`name` as text.
    pub(super) fn str(&self, i: usize, name: &str) -> Option<String> {
        self.get(i, name).map(text_of)
    }

    /// Argument `i`/`name` as a whole number.
    pub(super) fn int(&self, i: usize, name: &str) -> Result<Option<i64>, Fail> {
        match self.get(i, name) {
            None => Ok(None),
            Some(v) => match to_num(v) {
                Some(super::value::Num::Long(n)) => Ok(Some(n)),
                _ => Err(Fail::Error(
                    format!(
                        "argument `{name}` must be a whole number, not {} `{}`",
                        type_name(v),
                        text_of(v)
                    ),
                    None,
                )),
            },
        }
    }

    /// Argument `i`/`name`, which must be given.
    pub(super) fn need(&self, i: usize, name: &str, filter: &str) -> Result<&Value, Fail> {
        self.get(i, name)
            .ok_or_else(|| Fail::Error(format!("`{filter}` needs its argument `{name}`"), None))
    }
}

/// What a filter does with its input and arguments.
pub(super) type FilterFn = fn(&Scope<'_>, &Value, &Args) -> Result<Value, Fail>;

/// One filter: name, argument names, function.
pub(super) type Entry = (&'static str, &'static [&'static str], FilterFn);

const GROUPS: [&[Entry]; 5] = [
    text::FILTERS,
    lists::FILTERS,
    dates::FILTERS,
    data::FILTERS,
    codec::FILTERS,
];

fn find(name: &str) -> Option<&'static Entry> {
    GROUPS.iter().flat_map(|g| g.iter()).find(|e| e.0 == name)
}

/// True when Sluice has the filter `name`.
pub(super) fn known(name: &str) -> bool {
    find(name).is_some()
}

/// Every filter name, for suggestions.
pub(super) fn names() -> impl Iterator<Item = &'static str> {
    GROUPS.iter().flat_map(|g| g.iter()).map(|e| e.0)
}

/// Checks the argument names of a call to filter `name`; an unknown name is an error.
pub(super) fn check_args(name: &str, named: &[&str]) -> Result<(), String> {
    let Some(entry) = find(name) else {
        return Ok(());
    };
    match named.iter().find(|n| !entry.1.contains(n)) {
        None => Ok(()),
        Some(bad) if entry.1.is_empty() => Err(format!("filter `{name}` takes no argument `{bad}`")),
        Some(bad) => Err(format!(
            "filter `{name}` has no argument `{bad}`; its arguments are {}",
            entry.1.join(", ")
        )),
    }
}

/// Applies filter `name`.
pub(super) fn apply(scope: &Scope<'_>, name: &str, input: &Value, args: &Args) -> Result<Value, Fail> {
    match find(name) {
        Some((_, _, f)) => f(scope, input, args),
        None => {
            let help = crate::suggest::did_you_mean(name, names()).map(|s| format!("did you mean `{s}`?"));
            Err(Fail::Error(format!("unknown filter `{name}`"), help))
        }
    }
}

/// The input as a string, or an error naming the filter.
pub(super) fn want_str<'v>(input: &'v Value, filter: &str) -> Result<std::borrow::Cow<'v, str>, Fail> {
    match input {
        Value::String(s) => Ok(std::borrow::Cow::Borrowed(s)),
        Value::Number(_) | Value::Bool(_) | Value::Null => Ok(std::borrow::Cow::Owned(text_of(input))),
        other => Err(Fail::Error(
            format!("`{filter}` works on strings, not {}", type_name(other)),
            Some("convert it first, e.g. with `| toJson`".into()),
        )),
    }
}
