//! What a container may reach beyond its working directory, read from Kestra's `taskRunner`
//! keys: registry `credentials` for pulling, host `volumes`, and `deviceRequests` (GPUs).

use std::collections::HashMap;
use std::fmt;

use bollard::auth::DockerCredentials;
use bollard::models::DeviceRequest;
use serde_json::{Map, Value};

use super::read::{invalid, object, string, strings};
use crate::RunnerError;

/// Credentials for a private registry (Kestra's `credentials`: `registry`, `username`,
/// `password`, `registryToken`, `identityToken`, `auth`). Debug output hides the secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// Registry address, e.g. `ghcr.io`; default: the image's registry.
    pub registry: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Bearer token for the registry.
    pub registry_token: Option<String>,
    /// Identity token (OAuth refresh token).
    pub identity_token: Option<String>,
    /// `base64(username:password)`, as in Docker's `config.json`.
    pub auth: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Credentials")
            .field("registry", &self.registry)
            .field("username", &self.username)
            .field("password", &hidden(&self.password))
            .field("registry_token", &hidden(&self.registry_token))
            .field("identity_token", &hidden(&self.identity_token))
            .field("auth", &hidden(&self.auth))
            .finish()
    }
}

impl Credentials {
    pub(super) fn parse(value: &Value) -> Result<Self, RunnerError> {
        let mut c = Credentials::default();
        for (key, value) in object("credentials", value)? {
            let name = format!("credentials.{key}");
            let slot = match key.as_str() {
                "registry" => &mut c.registry,
                "username" => &mut c.username,
                "password" => &mut c.password,
                "registryToken" => &mut c.registry_token,
                "identityToken" => &mut c.identity_token,
                "auth" => &mut c.auth,
                other => {
                    return Err(invalid(format!(
                        "unknown key `credentials.{other}`; use registry, username, password, registryToken, identityToken or auth"
                    )));
                }
            };
            *slot = Some(string(&name, value)?);
        }
        Ok(c)
    }

    /// The engine's form, sent with a pull.
    pub(super) fn to_engine(&self) -> DockerCredentials {
        DockerCredentials {
            username: self.username.clone(),
            password: self.password.clone(),
            auth: self.auth.clone(),
            email: None,
            serveraddress: self.registry.clone(),
            identitytoken: self.identity_token.clone(),
            registrytoken: self.registry_token.clone(),
        }
    }
}

/// `host:container[:options]` binds; the container path must be absolute.
pub(super) fn volumes(value: &Value) -> Result<Vec<String>, RunnerError> {
    let binds = strings("volumes", value)?;
    for bind in &binds {
        let mut parts = bind.split(':');
        let (host, container) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if host.is_empty() || !container.starts_with('/') {
            return Err(invalid(format!(
                "`volumes` entry `{bind}` must be `HOST_PATH:CONTAINER_PATH[:ro]` with an absolute container path"
            )));
        }
    }
    Ok(binds)
}

/// Kestra's `deviceRequests`: `driver`, `count`, `deviceIds`, `capabilities`, `options`.
pub(super) fn device_requests(value: &Value) -> Result<Vec<DeviceRequest>, RunnerError> {
    let Value::Array(items) = value else {
        return Err(invalid(format!("`deviceRequests` must be a list, found {value}")));
    };
    items.iter().map(device_request).collect()
}

fn device_request(value: &Value) -> Result<DeviceRequest, RunnerError> {
    let mut request = DeviceRequest::default();
    for (key, value) in object("deviceRequests[]", value)? {
        let name = format!("deviceRequests[].{key}");
        match key.as_str() {
            "driver" => request.driver = Some(string(&name, value)?),
            "count" => {
                request.count = Some(value.as_i64().filter(|n| *n >= -1).ok_or_else(|| {
                    invalid(format!(
                        "`{name}` must be a number of devices (-1 for all), found {value}"
                    ))
                })?)
            }
            "deviceIds" => request.device_ids = Some(strings(&name, value)?),
            "capabilities" => {
                let Value::Array(sets) = value else {
                    return Err(invalid(format!("`{name}` must be a list of lists, e.g. [[gpu]]")));
                };
                request.capabilities = Some(sets.iter().map(|set| strings(&name, set)).collect::<Result<_, _>>()?);
            }
            "options" => {
                let map: &Map<String, Value> = object(&name, value)?;
                let options = map
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), string(&name, v)?)))
                    .collect::<Result<HashMap<_, _>, RunnerError>>()?;
                request.options = Some(options);
            }
            other => {
                return Err(invalid(format!(
                    "unknown key `deviceRequests[].{other}`; use driver, count, deviceIds, capabilities or options"
                )));
            }
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_are_read_and_hidden_from_debug() {
        let c = Credentials::parse(&json!({"registry": "r.example", "username": "u", "password": "s3cret"})).unwrap();
        assert_eq!(c.to_engine().serveraddress.as_deref(), Some("r.example"));
        assert!(!format!("{c:?}").contains("s3cret"));
        assert!(Credentials::parse(&json!({"user": "u"})).is_err());
    }

    #[test]
    fn gpu_requests_and_volume_binds() {
        let r = device_requests(&json!([{"driver": "nvidia", "count": -1, "capabilities": [["gpu"]]}])).unwrap();
        assert_eq!(r[0].capabilities, Some(vec![vec!["gpu".to_owned()]]));
        assert!(device_requests(&json!([{"count": "all"}])).is_err());
        assert_eq!(volumes(&json!(["/data:/data:ro"])).unwrap(), ["/data:/data:ro"]);
        assert!(volumes(&json!(["relative"])).is_err());
    }
}
