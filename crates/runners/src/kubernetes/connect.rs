//! Reaching the Kubernetes API server: the server-wide default (`KUBECONFIG`, `~/.kube/config`,
//! or the pod's service account when Sluice runs in a cluster), a kubeconfig file and context
//! named by the task, or inline settings with Kestra's names (`masterUrl`, `caCertData`,
//! `oauthToken`, …).

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{Map, Value, json};

use super::read::{invalid, string};
use crate::RunnerError;

/// Where a task's pods go: a kubeconfig (file and context) or inline settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Kubeconfig file; `None`: the default (`KUBECONFIG`, then `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
    /// Context of the kubeconfig; `None`: its current context.
    pub context: Option<String>,
    /// Inline settings as a one-cluster kubeconfig (secrets inside: never printed).
    inline: Option<Value>,
    /// The namespace the connection defaults to.
    pub namespace: Option<String>,
}

const KEYS: &str = "masterUrl, caCertData, caCertFile, clientCertData, clientCertFile, clientKeyData, clientKeyFile, oauthToken, username, password, trustCerts, namespace, kubeconfig, context";

impl Connection {
    /// Reads Kestra's `config` mapping (plus Sluice's `kubeconfig` and `context`).
    pub fn from_kestra(config: &Map<String, Value>) -> Result<Self, RunnerError> {
        let mut connection = Connection {
            kubeconfig: None,
            context: None,
            inline: None,
            namespace: None,
        };
        let (mut cluster, mut user) = (Map::new(), Map::new());
        for (key, value) in config {
            let text = || string(&format!("config.{key}"), value);
            match key.as_str() {
                "kubeconfig" => connection.kubeconfig = Some(PathBuf::from(text()?)),
                "context" => connection.context = Some(text()?),
                "namespace" => connection.namespace = Some(text()?),
                "masterUrl" => _ = cluster.insert("server".into(), json!(text()?)),
                "caCertData" => _ = cluster.insert("certificate-authority-data".into(), json!(pem_data(&text()?))),
                "caCertFile" => _ = cluster.insert("certificate-authority".into(), json!(text()?)),
                "trustCerts" => {
                    _ = cluster.insert("insecure-skip-tls-verify".into(), json!(value.as_bool() == Some(true)))
                }
                "clientCertData" => _ = user.insert("client-certificate-data".into(), json!(pem_data(&text()?))),
                "clientCertFile" => _ = user.insert("client-certificate".into(), json!(text()?)),
                "clientKeyData" => _ = user.insert("client-key-data".into(), json!(pem_data(&text()?))),
                "clientKeyFile" => _ = user.insert("client-key".into(), json!(text()?)),
                "oauthToken" => _ = user.insert("token".into(), json!(text()?)),
                "username" => _ = user.insert("username".into(), json!(text()?)),
                "password" => _ = user.insert("password".into(), json!(text()?)),
                "apiVersion" | "clientKeyAlgo" => {}
                other => {
                    return Err(invalid(format!(
                        "unknown or unsupported key `config.{other}`; supported: {KEYS}"
                    )));
                }
            }
        }
        if !cluster.is_empty() || !user.is_empty() {
            if !cluster.contains_key("server") {
                return Err(invalid(
                    "`config` sets credentials but no `masterUrl`; add the API server's URL",
                ));
            }
            if connection.kubeconfig.is_some() {
                return Err(invalid(
                    "`config` mixes `kubeconfig` with inline settings; use one or the other",
                ));
            }
            connection.inline = Some(json!({
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "task", "cluster": cluster}],
                "users": [{"name": "task", "user": user}],
                "contexts": [{"name": "task", "context": {"cluster": "task", "user": "task"}}],
                "current-context": "task",
            }));
        }
        Ok(connection)
    }

    /// A client for this connection and the namespace it defaults to.
    pub async fn client(connection: Option<&Connection>) -> Result<(Client, String), RunnerError> {
        install_crypto();
        let config = match connection {
            None => Config::infer().await.map_err(|e| {
                invalid(format!(
                    "no Kubernetes cluster is configured: {e}; set KUBECONFIG, run Sluice inside a cluster, or give the task runner a `config`"
                ))
            })?,
            Some(c) => c.config().await?,
        };
        let namespace = connection
            .and_then(|c| c.namespace.clone())
            .unwrap_or_else(|| config.default_namespace.clone());
        let client = Client::try_from(config).map_err(|e| invalid(format!("cannot build a Kubernetes client: {e}")))?;
        Ok((client, namespace))
    }

    async fn config(&self) -> Result<Config, RunnerError> {
        let options = KubeConfigOptions {
            context: self.context.clone(),
            ..Default::default()
        };
        if let Some(inline) = &self.inline {
            let kubeconfig: Kubeconfig =
                serde_json::from_value(inline.clone()).map_err(|e| invalid(format!("invalid inline `config`: {e}")))?;
            return Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| invalid(format!("invalid inline `config`: {e}")));
        }
        let kubeconfig = match &self.kubeconfig {
            Some(path) => Kubeconfig::read_from(path)
                .map_err(|e| invalid(format!("cannot read kubeconfig `{}`: {e}", path.display())))?,
            None => Kubeconfig::read().map_err(|e| invalid(format!("cannot read the default kubeconfig: {e}")))?,
        };
        Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| invalid(format!("cannot use the kubeconfig: {e}")))
    }
}

/// Kubeconfig `*-data` fields are base64; Kestra users also paste PEM text.
fn pem_data(text: &str) -> String {
    if text.trim_start().starts_with("-----BEGIN") {
        base64(text.as_bytes())
    } else {
        text.trim().to_owned()
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// rustls needs a process-wide crypto provider before the first TLS connection.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_text_becomes_base64() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi!"), "aGkh");
        assert_eq!(pem_data("-----BEGIN X-----"), base64(b"-----BEGIN X-----"));
        assert_eq!(pem_data(" QUJD "), "QUJD");
    }

    #[test]
    fn inline_settings_need_a_server() {
        let config = serde_json::json!({"oauthToken": "t"});
        assert!(Connection::from_kestra(config.as_object().unwrap()).is_err());
        let config = serde_json::json!({"masterUrl": "https://127.0.0.1:6443", "oauthToken": "t", "trustCerts": true});
        let c = Connection::from_kestra(config.as_object().unwrap()).unwrap();
        assert!(c.inline.is_some());
        assert!(Connection::from_kestra(serde_json::json!({"keyStoreFile": "x"}).as_object().unwrap()).is_err());
    }
}
