//! Secrets as Kestra's open-source edition reads them: `{{ secret('NAME') }}` is the
//! base64-decoded value of the environment variable `SECRET_NAME`.

use sluice_flow::template::{SecretSource, decode_base64};

/// Reads `SECRET_<NAME>` from the environment.
pub struct EnvSecrets;

impl SecretSource for EnvSecrets {
    fn secret(&self, name: &str) -> Option<String> {
        let raw = std::env::var(format!("SECRET_{name}")).ok()?;
        decode_base64(&raw).ok()
    }
}
