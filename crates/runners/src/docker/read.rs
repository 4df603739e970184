//! The Docker runner's readers of its settings: the shared readers of `crate::settings`, with
//! their messages turned into [`RunnerError::DockerConfig`]. Both the options and the access
//! settings (credentials, devices) read through them.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::{RunnerError, settings};

pub(super) fn invalid(message: impl Into<String>) -> RunnerError {
    RunnerError::DockerConfig {
        message: message.into(),
    }
}

pub(super) fn string(key: &str, value: &Value) -> Result<String, RunnerError> {
    settings::string(key, value).map_err(invalid)
}

pub(super) fn boolean(key: &str, value: &Value) -> Result<bool, RunnerError> {
    settings::boolean(key, value).map_err(invalid)
}

pub(super) fn strings(key: &str, value: &Value) -> Result<Vec<String>, RunnerError> {
    settings::strings(key, value).map_err(invalid)
}

pub(super) fn object<'a>(key: &str, value: &'a Value) -> Result<&'a Map<String, Value>, RunnerError> {
    settings::object(key, value).map_err(invalid)
}

pub(super) fn cpus(value: &Value) -> Result<u64, RunnerError> {
    settings::cpus(value).map_err(invalid)
}

pub(super) fn bytes(key: &str, value: &Value) -> Result<u64, RunnerError> {
    settings::bytes(key, value).map_err(invalid)
}

pub(super) fn duration(key: &str, value: &Value) -> Result<Duration, RunnerError> {
    settings::duration(key, value).map_err(invalid)
}
