//! Waking waiting processes: triggers in the database `NOTIFY` when work appears (migration
//! 0002), and a [`Listener`] receives those notifications on a connection of its own.
//!
//! Notifications are hints, not a queue: they are sent when the writing transaction commits, are
//! folded when identical, and are lost while a listener is disconnected (it then reports
//! [`Wakeup::Reconnected`]). Leases that run out and timers that come due notify nobody. So a
//! waiting loop still polls, just rarely: wait for a wake-up *or* a timeout, then read the store.

use super::PostgresStore;
use crate::{Result, StoreError};
use sqlx::postgres::{PgListener, PgPoolOptions};

/// A channel the store notifies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// `sluice_events`: an event was added to the mailbox (by a push, a create, a finished job, a
    /// fired timer or trigger). Payload: the execution id.
    Events,
    /// `sluice_jobs`: a job was queued by a commit, or released by a draining worker. Payload:
    /// the execution id.
    Jobs,
    /// `sluice_timers`: a durable timer was stored. Payload: its fire time in nanoseconds since
    /// the Unix epoch, so a scheduler can sleep less when it is earlier than the one it waits for.
    Timers,
    /// `sluice_kills`: a claimed job was marked for killing. Payload: its task run id.
    Kills,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 4] = [Channel::Events, Channel::Jobs, Channel::Timers, Channel::Kills];

    /// The PostgreSQL channel name, e.g. `sluice_jobs`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Events => "sluice_events",
            Channel::Jobs => "sluice_jobs",
            Channel::Timers => "sluice_timers",
            Channel::Kills => "sluice_kills",
        }
    }

    /// The channel of a PostgreSQL channel name.
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Why a [`Listener`] woke up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wakeup {
    /// Something was written to a channel's tables.
    Notified {
        /// Which channel.
        channel: Channel,
        /// The execution id (events, jobs; empty for ids over 1000 bytes) or the fire time in
        /// nanoseconds (timers).
        payload: String,
    },
    /// The connection was lost and made again: notifications may have been missed, so read
    /// everything the listener waits for.
    Reconnected,
}

/// A connection that receives the store's notifications; see [`PostgresStore::listen`].
#[derive(Debug)]
pub struct Listener {
    inner: PgListener,
}

impl Listener {
    /// Waits for the next wake-up. Reconnects by itself when the connection is lost (and says so
    /// with [`Wakeup::Reconnected`]); an error means that reconnecting failed too
    /// ([`StoreError::is_transient`]: call again later).
    pub async fn recv(&mut self) -> Result<Wakeup> {
        let waiting = |source| StoreError::Database {
            action: "waiting for notifications",
            source,
        };
        loop {
            let Some(notification) = self.inner.try_recv().await.map_err(waiting)? else {
                return Ok(Wakeup::Reconnected);
            };
            // Only the store's channels are listened to; anything else is skipped.
            if let Some(channel) = Channel::parse(notification.channel()) {
                return Ok(Wakeup::Notified {
                    channel,
                    payload: notification.payload().to_owned(),
                });
            }
        }
    }
}

impl PostgresStore {
    /// Opens a connection of its own (outside the store's pool) that listens on `channels`.
    /// Wake-ups sent after this returns are received; pair it with a timeout, as notifications
    /// are hints (see the module documentation).
    ///
    /// ```no_run
    /// # async fn run(store: sluice_store::PostgresStore) -> sluice_store::Result<()> {
    /// use sluice_store::postgres::{Channel, Wakeup};
    /// let mut wakeups = store.listen(&[Channel::Jobs]).await?;
    /// loop {
    ///     // claim jobs until none is left, then:
    ///     let _ = tokio::time::timeout(std::time::Duration::from_secs(5), wakeups.recv()).await;
    /// }
    /// # }
    /// ```
    pub async fn listen(&self, channels: &[Channel]) -> Result<Listener> {
        let connect = |source| StoreError::Connect {
            target: self.target.clone(),
            source,
        };
        // A pool of one, only so that the listener can reconnect.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(self.options.clone())
            .await
            .map_err(connect)?;
        let mut inner = PgListener::connect_with(&pool).await.map_err(connect)?;
        // The pool belongs to this listener alone; nobody closes it but the listener's drop.
        inner.ignore_pool_close_event(true);
        let names: Vec<&str> = channels.iter().map(|c| c.name()).collect();
        inner.listen_all(names).await.map_err(|source| StoreError::Database {
            action: "listening for notifications",
            source,
        })?;
        Ok(Listener { inner })
    }
}
