//! Stored secrets, encrypted at rest with AES-256-GCM (RustCrypto's `aes-gcm`) under a key of
//! the configuration (`SLUICE_SECRET_KEY`, 32 bytes in base64): the database holds only nonces
//! and ciphertexts, and no API returns a value. `secret('NAME')` in a flow of `company.team`
//! reads the stored secret of `company.team`, then of `company`, then the `SECRET_*`
//! environment variables. The queries are written once for both backends, like the KV store's.
//!
//! Kestra: <https://kestra.io/docs/concepts/secret>

use crate::{Result, StoreError};
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use base64::Engine;
use jiff::Timestamp;

/// A stored secret, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretEntry {
    /// Its name.
    pub name: String,
    /// When it was last set.
    pub updated: Timestamp,
}

/// Encrypted secrets per namespace.
#[async_trait]
pub trait SecretStore: Send + Sync {
    /// Stores `name` of `namespace` (sealed by [`SecretBox::seal`]), replacing it.
    async fn put_secret(&self, namespace: &str, name: &str, sealed: &Sealed, at: Timestamp) -> Result<()>;

    /// The sealed value of `name` of `namespace`.
    async fn get_secret(&self, namespace: &str, name: &str) -> Result<Option<Sealed>>;

    /// The secrets of `namespace`, by name.
    async fn list_secrets(&self, namespace: &str) -> Result<Vec<SecretEntry>>;

    /// Deletes `name` of `namespace`; whether it existed.
    async fn delete_secret(&self, namespace: &str, name: &str) -> Result<bool>;
}

/// A sealed secret: the nonce and the ciphertext with its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// 12 random bytes.
    pub nonce: Vec<u8>,
    /// The ciphertext and the 16-byte tag.
    pub value: Vec<u8>,
}

/// The key that seals and opens stored secrets.
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox")
    }
}

/// The variable holding the key.
pub const KEY_VARIABLE: &str = "SLUICE_SECRET_KEY";

impl SecretBox {
    /// The key from its base64 text (32 bytes; `openssl rand -base64 32` makes one).
    pub fn from_base64(text: &str) -> std::result::Result<SecretBox, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| format!("{KEY_VARIABLE} is not base64: {e}; make a key with `openssl rand -base64 32`"))?;
        if bytes.len() != 32 {
            return Err(format!(
                "{KEY_VARIABLE} holds {} bytes; it must be 32 (`openssl rand -base64 32` makes one)",
                bytes.len()
            ));
        }
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|e| e.to_string())?;
        Ok(SecretBox { cipher })
    }

    /// The key of the environment's `SLUICE_SECRET_KEY`, if set.
    pub fn from_env() -> std::result::Result<Option<SecretBox>, String> {
        match std::env::var(KEY_VARIABLE) {
            Ok(text) if !text.trim().is_empty() => SecretBox::from_base64(&text).map(Some),
            _ => Ok(None),
        }
    }

    /// Seals `value` with a fresh random nonce; `namespace` and `name` are bound to it, so a
    /// sealed value moved to another secret does not open.
    pub fn seal(&self, namespace: &str, name: &str, value: &str) -> std::result::Result<Sealed, String> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = format!("{namespace}\u{0}{name}");
        let payload = aes_gcm::aead::Payload {
            msg: value.as_bytes(),
            aad: aad.as_bytes(),
        };
        let value = self
            .cipher
            .encrypt(&nonce, payload)
            .map_err(|_| "the secret could not be encrypted".to_string())?;
        Ok(Sealed {
            nonce: nonce.to_vec(),
            value,
        })
    }

    /// Opens a sealed value of `namespace` and `name`.
    pub fn open(&self, namespace: &str, name: &str, sealed: &Sealed) -> std::result::Result<String, String> {
        let Ok(nonce) = <[u8; 12]>::try_from(sealed.nonce.as_slice()) else {
            return Err(format!("stored secret `{name}` of `{namespace}` is damaged"));
        };
        let aad = format!("{namespace}\u{0}{name}");
        let payload = aes_gcm::aead::Payload {
            msg: &sealed.value,
            aad: aad.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), payload)
            .map_err(|_| {
                format!(
                    "stored secret `{name}` of `{namespace}` does not open with this {KEY_VARIABLE}: it was set with another key"
                )
            })?;
        String::from_utf8(plain).map_err(|_| format!("stored secret `{name}` of `{namespace}` is not UTF-8"))
    }
}

/// Checks a secret's name: Kestra's, letters, digits and `_` (`API_TOKEN`).
pub fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() || name.len() > 255 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "`{}` is not a valid secret name: use letters, digits and `_`, such as `API_TOKEN`",
            name.escape_debug()
        ));
    }
    Ok(())
}

/// Replaces a secret (binds: namespace, name, nonce, value, at).
pub(crate) const PUT: &str = "INSERT INTO secrets (namespace, name, nonce, value, updated) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (namespace, name) DO UPDATE SET nonce = excluded.nonce, value = excluded.value, updated = excluded.updated";

/// A sealed secret (binds: namespace, name).
pub(crate) const GET: &str = "SELECT nonce, value FROM secrets WHERE namespace = $1 AND name = $2";

/// Names of a namespace (binds: namespace).
pub(crate) const LIST: &str = "SELECT name, updated FROM secrets WHERE namespace = $1 ORDER BY name";

/// Deletes one (binds: namespace, name).
pub(crate) const DELETE: &str = "DELETE FROM secrets WHERE namespace = $1 AND name = $2";

/// Why a value of a row could not be read, for the macro.
pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::corrupt_value("a stored secret", what.to_string())
}

/// Implements [`SecretStore`] for a store: `$store` its type, `$read` and `$write` its pools'
/// fields. Expands in the backend's module.
macro_rules! secret_store {
    ($store:ty, $read:ident, $write:ident) => {
        #[async_trait::async_trait]
        impl $crate::secrets::SecretStore for $store {
            async fn put_secret(
                &self,
                namespace: &str,
                name: &str,
                sealed: &$crate::secrets::Sealed,
                at: jiff::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query($crate::secrets::PUT)
                    .bind(namespace)
                    .bind(name)
                    .bind(&sealed.nonce)
                    .bind(&sealed.value)
                    .bind(super::codec::nanos(at)?)
                    .execute(&self.$write)
                    .await
                    .map_err(super::db("storing a secret"))?;
                Ok(())
            }

            async fn get_secret(&self, namespace: &str, name: &str) -> $crate::Result<Option<$crate::secrets::Sealed>> {
                let row: Option<(Vec<u8>, Vec<u8>)> = sqlx::query_as($crate::secrets::GET)
                    .bind(namespace)
                    .bind(name)
                    .fetch_optional(&self.$read)
                    .await
                    .map_err(super::db("reading a secret"))?;
                Ok(row.map(|(nonce, value)| $crate::secrets::Sealed { nonce, value }))
            }

            async fn list_secrets(&self, namespace: &str) -> $crate::Result<Vec<$crate::secrets::SecretEntry>> {
                let rows: Vec<(String, i64)> = sqlx::query_as($crate::secrets::LIST)
                    .bind(namespace)
                    .fetch_all(&self.$read)
                    .await
                    .map_err(super::db("listing secrets"))?;
                rows.into_iter()
                    .map(|(name, updated)| {
                        Ok($crate::secrets::SecretEntry {
                            name,
                            updated: super::codec::timestamp(updated, "a stored secret")
                                .map_err(|_| $crate::secrets::corrupt("its date"))?,
                        })
                    })
                    .collect()
            }

            async fn delete_secret(&self, namespace: &str, name: &str) -> $crate::Result<bool> {
                let done = sqlx::query($crate::secrets::DELETE)
                    .bind(namespace)
                    .bind(name)
                    .execute(&self.$write)
                    .await
                    .map_err(super::db("deleting a secret"))?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

pub(crate) use secret_store;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_place() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let b = SecretBox::from_base64(&key).unwrap();
        let sealed = b.seal("company", "TOKEN", "s3cr3t").unwrap();
        assert!(
            !sealed.value.windows(6).any(|w| w == b"s3cr3t"),
            "the value is not stored in clear"
        );
        assert_eq!(b.open("company", "TOKEN", &sealed).unwrap(), "s3cr3t");
        assert!(b.open("company", "OTHER", &sealed).is_err(), "bound to its name");
        let other = SecretBox::from_base64(&base64::engine::general_purpose::STANDARD.encode([8u8; 32])).unwrap();
        assert!(
            other
                .open("company", "TOKEN", &sealed)
                .unwrap_err()
                .contains("another key")
        );
        assert_ne!(b.seal("company", "TOKEN", "s3cr3t").unwrap().nonce, sealed.nonce);
        assert!(SecretBox::from_base64("c2hvcnQ=").unwrap_err().contains("32"));
        assert!(check_name("API_TOKEN").is_ok());
        assert!(check_name("../x").is_err());
    }
}
