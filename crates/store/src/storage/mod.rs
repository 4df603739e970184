//! Internal storage: every file an execution makes or receives, under its `kestra://` address.
//! Two backends behind one trait, `object_store`'s [`ObjectStore`]: a local folder (the
//! embedded default, `<data>/storage`) and S3-compatible object storage for scale-out, where
//! every server and worker must see the same files. Files are streamed both ways, never held
//! whole in memory.
//!
//! Kestra: <https://kestra.io/docs/configuration#internal-storage>

mod config;

pub use config::StorageConfig;

use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, WriteMultipart};
use sluice_flow::storage::relative_path;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Bytes read from a local file at once while uploading it.
const CHUNK: usize = 1024 * 1024;

/// Why a stored file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The address is not one Sluice accepts.
    #[error(transparent)]
    Uri(#[from] sluice_flow::storage::StorageUriError),
    /// A local file could not be read or written.
    #[error("cannot {action} `{uri}`: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file's address.
        uri: String,
        /// The error.
        source: std::io::Error,
    },
    /// The backend failed.
    #[error("internal storage ({backend}) cannot {action} `{uri}`: {source}")]
    Backend {
        /// The backend, for the message.
        backend: String,
        /// What was being done.
        action: &'static str,
        /// The file's address.
        uri: String,
        /// The error.
        source: Box<object_store::Error>,
    },
    /// No file at the address.
    #[error("`{0}` is not in internal storage (it was never stored, or was deleted)")]
    Missing(String),
    /// A `kestra://` address of another namespace than the execution's.
    #[error("`{uri}` belongs to another namespace than `{namespace}`; a flow reads only its own namespace's files")]
    OtherNamespace {
        /// The address.
        uri: String,
        /// The execution's namespace.
        namespace: String,
    },
    /// A `file://` address outside the data folder's kept files.
    #[error(
        "`{0}` is not a file Sluice kept; `inputFiles` reads kestra:// addresses and output files of earlier tasks"
    )]
    Outside(String),
    /// The storage settings are wrong.
    #[error("storage settings: {0}")]
    Config(String),
}

/// What [`Storage::load`] made of a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The whole content.
    Content(Vec<u8>),
    /// A local copy.
    Local(PathBuf),
}

/// The internal storage of a server, worker or `flow run`: cheap to clone.
#[derive(Clone)]
pub struct Storage {
    backend: Arc<dyn ObjectStore>,
    /// Names the backend in messages (`local folder /data/storage`, `s3 bucket b`).
    name: Arc<str>,
    /// The data folder, for `file://` addresses of files kept by earlier versions.
    data_dir: PathBuf,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Storage {
    /// The local folder `<data_dir>/storage`, created if missing.
    pub fn local(data_dir: &Path) -> Result<Storage, StorageError> {
        StorageConfig::Local.open(data_dir)
    }

    /// What the backend is, for messages.
    pub fn describe(&self) -> &str {
        &self.name
    }

    fn key(uri: &str) -> Result<ObjectPath, StorageError> {
        let relative = relative_path(uri)?;
        let parts: Vec<String> = relative.iter().map(|s| s.to_string_lossy().into_owned()).collect();
        ObjectPath::parse(parts.join("/")).map_err(|e| StorageError::Config(format!("`{uri}`: {e}")))
    }

    fn backend_error(&self, action: &'static str, uri: &str, source: object_store::Error) -> StorageError {
        match source {
            object_store::Error::NotFound { .. } => StorageError::Missing(uri.to_string()),
            source => StorageError::Backend {
                backend: self.name.to_string(),
                action,
                uri: uri.to_string(),
                source: Box::new(source),
            },
        }
    }

    /// Stores a file under `uri` from a stream of chunks; answers the number of bytes. A broken
    /// stream stores nothing.
    pub async fn put<S, B, E>(&self, uri: &str, mut chunks: S) -> Result<u64, StorageError>
    where
        S: futures_util::Stream<Item = Result<B, E>> + Unpin,
        B: AsRef<[u8]>,
        E: std::fmt::Display,
    {
        let key = Self::key(uri)?;
        let upload = self
            .backend
            .put_multipart(&key)
            .await
            .map_err(|e| self.backend_error("store", uri, e))?;
        let mut writer = WriteMultipart::new(upload);
        let mut size = 0u64;
        while let Some(chunk) = chunks.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(StorageError::Io {
                        action: "receive",
                        uri: uri.to_string(),
                        source: std::io::Error::other(e.to_string()),
                    });
                }
            };
            writer
                .wait_for_capacity(2)
                .await
                .map_err(|e| self.backend_error("store", uri, e))?;
            writer.write(chunk.as_ref());
            size += chunk.as_ref().len() as u64;
        }
        writer.finish().await.map_err(|e| self.backend_error("store", uri, e))?;
        Ok(size)
    }

    /// Stores a copy of a local file under `uri`, read in chunks.
    pub async fn put_file(&self, uri: &str, source: &Path) -> Result<u64, StorageError> {
        let io = |source| StorageError::Io {
            action: "read",
            uri: uri.to_string(),
            source,
        };
        let file = tokio::fs::File::open(source).await.map_err(io)?;
        let chunks = futures_util::stream::unfold(file, |mut file| async move {
            let mut buf = vec![0u8; CHUNK];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok::<_, std::io::Error>(buf), file))
                }
                Err(e) => Some((Err(e), file)),
            }
        });
        self.put(uri, Box::pin(chunks)).await
    }

    /// The file's content as a stream of chunks, with its size.
    pub async fn get(
        &self,
        uri: &str,
    ) -> Result<
        (
            u64,
            futures_util::stream::BoxStream<'static, Result<bytes::Bytes, StorageError>>,
        ),
        StorageError,
    > {
        let key = Self::key(uri)?;
        let got = self
            .backend
            .get(&key)
            .await
            .map_err(|e| self.backend_error("read", uri, e))?;
        let size = got.meta.size;
        let owned = uri.to_string();
        // A local file is read in large chunks here: object_store's own stream of it reads
        // 8 KiB at a time, a tenth of the disk's speed.
        if let object_store::GetResultPayload::File(file, _) = got.payload {
            let file = tokio::fs::File::from_std(file);
            let stream = futures_util::stream::unfold(Some(file), move |file| {
                let owned = owned.clone();
                async move {
                    let mut file = file?;
                    let mut buf = vec![0u8; CHUNK];
                    match file.read(&mut buf).await {
                        Ok(0) => None,
                        Ok(n) => {
                            buf.truncate(n);
                            Some((Ok(bytes::Bytes::from(buf)), Some(file)))
                        }
                        Err(source) => Some((
                            Err(StorageError::Io {
                                action: "read",
                                uri: owned,
                                source,
                            }),
                            None,
                        )),
                    }
                }
            })
            .boxed();
            return Ok((size, stream));
        }
        let this = self.clone();
        let stream = got
            .into_stream()
            .map(move |chunk| chunk.map_err(|e| this.backend_error("read", &owned, e)))
            .boxed();
        Ok((size, stream))
    }

    /// The whole content of a (small) file.
    pub async fn read(&self, uri: &str) -> Result<Vec<u8>, StorageError> {
        let (size, mut stream) = self.get(uri).await?;
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    /// Writes the file to `target` (its folder made), streamed.
    pub async fn fetch_to(&self, uri: &str, target: &Path) -> Result<u64, StorageError> {
        let io = |action, source| StorageError::Io {
            action,
            uri: uri.to_string(),
            source,
        };
        let (_, mut stream) = self.get(uri).await?;
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| io("create the folder for", e))?;
        }
        let mut file = tokio::fs::File::create(target)
            .await
            .map_err(|e| io("create a local copy of", e))?;
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            file.write_all(&chunk)
                .await
                .map_err(|e| io("write a local copy of", e))?;
            size += chunk.len() as u64;
        }
        file.flush().await.map_err(|e| io("write a local copy of", e))?;
        Ok(size)
    }

    /// A small file's content, or, past `limit` bytes, a local copy written to `target`
    /// (streamed), so a large file is never held in memory.
    pub async fn load(&self, uri: &str, target: &Path, limit: u64) -> Result<Loaded, StorageError> {
        let (size, mut stream) = self.get(uri).await?;
        if size <= limit {
            let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            while let Some(chunk) = stream.next().await {
                out.extend_from_slice(&chunk?);
            }
            return Ok(Loaded::Content(out));
        }
        drop(stream);
        self.fetch_to(uri, target).await?;
        Ok(Loaded::Local(target.to_path_buf()))
    }

    /// Whether a file is stored under `uri`.
    pub async fn exists(&self, uri: &str) -> Result<bool, StorageError> {
        let key = Self::key(uri)?;
        match self.backend.head(&key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.backend_error("look up", uri, e)),
        }
    }

    /// Deletes every file under the folder address `prefix`; their addresses.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let key = Self::key(prefix)?;
        let mut listed = self.backend.list(Some(&key));
        let mut deleted = Vec::new();
        while let Some(meta) = listed.next().await {
            let meta = meta.map_err(|e| self.backend_error("list", prefix, e))?;
            match self.backend.delete(&meta.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {
                    deleted.push(format!("{}/{}", sluice_flow::storage::SCHEME, meta.location));
                }
                Err(e) => return Err(self.backend_error("delete", prefix, e)),
            }
        }
        Ok(deleted)
    }

    /// Deletes the file at `uri`; whether there was one.
    pub async fn delete(&self, uri: &str) -> Result<bool, StorageError> {
        if !self.exists(uri).await? {
            return Ok(false);
        }
        let key = Self::key(uri)?;
        match self.backend.delete(&key).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.backend_error("delete", uri, e)),
        }
    }

    /// The data folder (for `file://` addresses of files kept before internal storage).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

fn state_error(e: StorageError) -> sluice_tasks::kv::StateError {
    sluice_tasks::kv::StateError { source: Box::new(e) }
}

#[async_trait::async_trait]
impl sluice_tasks::storage::TaskStorage for Storage {
    async fn delete_file(&self, uri: &str) -> Result<bool, sluice_tasks::kv::StateError> {
        self.delete(uri).await.map_err(state_error)
    }

    async fn delete_folder(&self, prefix: &str) -> Result<Vec<String>, sluice_tasks::kv::StateError> {
        self.delete_prefix(prefix).await.map_err(state_error)
    }
}
