//! Where internal storage lives: `local` (the data folder, the default) or `s3` (any
//! S3-compatible server), from a server's config file (`storage: {type: s3, bucket, …}`) or a URL
//! (`--storage s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1`). S3
//! credentials come from the settings or the usual `AWS_ACCESS_KEY_ID` and
//! `AWS_SECRET_ACCESS_KEY`.

use super::{Storage, StorageError};
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// The storage settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum StorageConfig {
    /// `<data>/storage`.
    #[default]
    Local,
    /// An S3 bucket.
    #[serde(rename_all = "camelCase")]
    S3 {
        /// The bucket, which must exist.
        bucket: String,
        /// Folder in the bucket for every file (none by default).
        #[serde(default)]
        prefix: Option<String>,
        /// The server, for S3-compatible ones (MinIO, moto, Ceph); AWS when absent.
        #[serde(default)]
        endpoint: Option<String>,
        /// The region (default `us-east-1`).
        #[serde(default)]
        region: Option<String>,
        /// The access key; else `AWS_ACCESS_KEY_ID`.
        #[serde(default)]
        access_key_id: Option<String>,
        /// The secret key; else `AWS_SECRET_ACCESS_KEY`.
        #[serde(default)]
        secret_access_key: Option<String>,
    },
}

impl StorageConfig {
    /// Reads `local` or `s3://bucket[/prefix][?endpoint=…&region=…]`.
    pub fn parse_url(text: &str) -> Result<StorageConfig, StorageError> {
        let text = text.trim();
        if text == "local" {
            return Ok(StorageConfig::Local);
        }
        let rest = text.strip_prefix("s3://").ok_or_else(|| {
            StorageError::Config(format!(
                "`{text}` is no storage: give `local` or `s3://bucket[/prefix]?endpoint=http://host:port&region=us-east-1`"
            ))
        })?;
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            return Err(StorageError::Config(format!("`{text}` names no bucket: s3://bucket/…")));
        }
        let (mut endpoint, mut region) = (None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("endpoint", v)) => endpoint = Some(v.to_string()),
                Some(("region", v)) => region = Some(v.to_string()),
                _ => {
                    return Err(StorageError::Config(format!(
                        "`{pair}` in `{text}`: the settings are `endpoint` and `region`"
                    )));
                }
            }
        }
        Ok(StorageConfig::S3 {
            bucket: bucket.to_string(),
            prefix: (!prefix.trim_matches('/').is_empty()).then(|| prefix.trim_matches('/').to_string()),
            endpoint,
            region,
            access_key_id: None,
            secret_access_key: None,
        })
    }

    /// Opens the storage; `data_dir` holds the local folder.
    pub fn open(&self, data_dir: &Path) -> Result<Storage, StorageError> {
        match self {
            StorageConfig::Local => {
                let root = crate::files::root(data_dir);
                std::fs::create_dir_all(&root).map_err(|e| {
                    StorageError::Config(format!("cannot create the storage folder {}: {e}", root.display()))
                })?;
                let backend = LocalFileSystem::new_with_prefix(&root)
                    .map_err(|e| StorageError::Config(format!("storage folder {}: {e}", root.display())))?;
                Ok(Storage {
                    backend: Arc::new(backend),
                    name: format!("local folder {}", root.display()).into(),
                    data_dir: data_dir.to_path_buf(),
                })
            }
            StorageConfig::S3 {
                bucket,
                prefix,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region.clone().unwrap_or_else(|| "us-east-1".into()));
                if let Some(key) = access_key_id.clone().or_else(|| env("AWS_ACCESS_KEY_ID")) {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = secret_access_key.clone().or_else(|| env("AWS_SECRET_ACCESS_KEY")) {
                    builder = builder.with_secret_access_key(secret);
                }
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                let s3 = builder
                    .build()
                    .map_err(|e| StorageError::Config(format!("s3 bucket `{bucket}`: {e}")))?;
                let backend: Arc<dyn ObjectStore> = match prefix {
                    Some(p) => Arc::new(PrefixStore::new(s3, p.as_str())),
                    None => Arc::new(s3),
                };
                let at = endpoint.as_deref().unwrap_or("AWS");
                Ok(Storage {
                    backend,
                    name: format!("s3 bucket {bucket} at {at}").into(),
                    data_dir: data_dir.to_path_buf(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StorageConfig;

    #[test]
    fn urls_name_a_bucket_and_its_server() {
        assert_eq!(StorageConfig::parse_url("local").unwrap(), StorageConfig::Local);
        let StorageConfig::S3 {
            bucket,
            prefix,
            endpoint,
            region,
            ..
        } = StorageConfig::parse_url("s3://b/some/where/?endpoint=http://127.0.0.1:9000&region=eu-west-1").unwrap()
        else {
            panic!("not s3")
        };
        assert_eq!(bucket, "b");
        assert_eq!(prefix.as_deref(), Some("some/where"));
        assert_eq!(endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(region.as_deref(), Some("eu-west-1"));
        for bad in ["s3://", "gs://b", "s3://b?colour=red", "/tmp/x"] {
            assert!(StorageConfig::parse_url(bad).is_err(), "{bad}");
        }
    }
}
