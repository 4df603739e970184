//! The successive states of one pod, from a watch of the API server that is reopened (from a
//! fresh read) whenever it ends or fails, so a restarted API server only delays the next update.

use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{WatchEvent, WatchParams};

/// Watches pod `name`.
pub(super) struct PodWatch {
    pods: Api<Pod>,
    name: String,
    events: Option<BoxStream<'static, Result<WatchEvent<Pod>, kube::Error>>>,
    version: String,
    failures: u32,
}

/// Consecutive failed reads after which the API server counts as unreachable.
const MAX_FAILURES: u32 = 60;

impl PodWatch {
    pub(super) fn new(pods: Api<Pod>, name: &str) -> Self {
        Self {
            pods,
            name: name.to_owned(),
            events: None,
            version: String::new(),
            failures: 0,
        }
    }

    /// The pod's next state; `Ok(None)` once it is gone. Errors only after the API server was
    /// unreachable for about a minute.
    pub(super) async fn next(&mut self) -> Result<Option<Pod>, kube::Error> {
        loop {
            let Some(events) = self.events.as_mut() else {
                match self.reopen().await {
                    Ok(state) => return Ok(state),
                    Err(e) => {
                        self.failures += 1;
                        if self.failures >= MAX_FAILURES {
                            return Err(e);
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            };
            match events.next().await {
                Some(Ok(WatchEvent::Added(pod) | WatchEvent::Modified(pod))) => {
                    self.version = pod.metadata.resource_version.clone().unwrap_or_default();
                    return Ok(Some(pod));
                }
                Some(Ok(WatchEvent::Deleted(_))) => return Ok(None),
                Some(Ok(WatchEvent::Bookmark(mark))) => self.version = mark.metadata.resource_version,
                // Expired resource version, a cut connection, or the watch's own timeout.
                Some(Ok(WatchEvent::Error(_)) | Err(_)) | None => self.events = None,
            }
        }
    }

    /// Reads the pod afresh and watches from there.
    async fn reopen(&mut self) -> Result<Option<Pod>, kube::Error> {
        let Some(pod) = self.pods.get_opt(&self.name).await? else {
            return Ok(None);
        };
        self.failures = 0;
        self.version = pod.metadata.resource_version.clone().unwrap_or_default();
        let params = WatchParams::default()
            .fields(&format!("metadata.name={}", self.name))
            .timeout(290);
        let events = self.pods.watch(&params, &self.version).await?;
        self.events = Some(events.map_err(|e| e).boxed());
        Ok(Some(pod))
    }
}
