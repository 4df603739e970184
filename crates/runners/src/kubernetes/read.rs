//! The Kubernetes runner's readers of its settings: the shared readers of `crate::settings`,
//! with their messages turned into [`RunnerError::KubernetesConfig`]. Both the options and the
//! connection settings read through them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::{RunnerError, settings};

pub(super) fn invalid(message: impl Into<String>) -> RunnerError {
    RunnerError::KubernetesConfig {
        message: message.into(),
    }
}

pub(super) fn string(key: &str, value: &Value) -> Result<String, RunnerError> {
    settings::string(key, value).map_err(invalid)
}

pub(super) fn object<'a>(key: &str, value: &'a Value) -> Result<&'a Map<String, Value>, RunnerError> {
    settings::object(key, value).map_err(invalid)
}

pub(super) fn duration(key: &str, value: &Value) -> Result<Duration, RunnerError> {
    settings::duration(key, value).map_err(invalid)
}

pub(super) fn string_map(key: &str, value: &Value) -> Result<BTreeMap<String, String>, RunnerError> {
    object(key, value)?
        .iter()
        .map(|(k, v)| Ok((k.clone(), string(&format!("{key}.{k}"), v)?)))
        .collect()
}
