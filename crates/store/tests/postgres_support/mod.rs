//! A fresh, empty PostgreSQL store for each test: a schema of its own in the test database
//! (`SLUICE_TEST_DATABASE_URL`, set by `scripts/postgres`), dropped when the test ends, even when
//! it fails.

use sluice_store::PostgresStore;
use sluice_store::postgres::{Channel, Listener, Wakeup};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use std::io::Write;
use std::str::FromStr;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The variable that names the test database.
pub const URL_VARIABLE: &str = "SLUICE_TEST_DATABASE_URL";

/// The test database URL; `None` (after a loud message) when it is not set, so the test is
/// skipped. Under CI (`CI` set) a missing URL fails the test instead: CI must test PostgreSQL.
pub fn database_url() -> Option<String> {
    match std::env::var(URL_VARIABLE) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{URL_VARIABLE} not set: run scripts/postgres (CI must run the PostgreSQL tests)")
        }
        _ => {
            // Once per test binary, and past the test harness's output capture, so it shows.
            static ONCE: Once = Once::new();
            ONCE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** SKIPPED: the PostgreSQL tests pass without running: {URL_VARIABLE} is not set. \
                     Run `eval \"$(scripts/postgres)\"` first to run them. ***\n"
                );
            });
            None
        }
    }
}

/// A schema of its own in the test database; dropped with everything in it when this is dropped.
pub struct TestSchema {
    url: String,
    name: String,
}

impl TestSchema {
    /// Creates an empty schema with a unique name, or returns `None` when the tests are skipped.
    pub async fn new() -> Option<TestSchema> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let url = database_url()?;
        let nanos = jiff::Timestamp::now().as_nanosecond() % 1_000_000_000_000;
        let name = format!(
            "sluice_t_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {URL_VARIABLE}: {e}; is scripts/postgres running?"));
        drop_leftovers(&mut conn).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut conn)
            .await
            .expect("create the test schema");
        conn.close().await.expect("close");
        Some(TestSchema { url, name })
    }

    /// The schema's name, also the `application_name` of every connection of its stores.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Connect options for the test database that put everything in this schema.
    pub fn options(&self) -> PgConnectOptions {
        PgConnectOptions::from_str(&self.url)
            .expect("a valid test database URL")
            .options([("search_path", self.name.as_str())])
            .application_name(&self.name)
    }

    /// A store in this schema; every call opens another one (another pool) on the same data.
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::connect_with(self.options())
            .await
            .expect("connect the store")
    }

    /// A plain connection to the test database, to look at or damage what the stores wrote.
    pub async fn raw(&self) -> PgConnection {
        PgConnection::connect_with(&self.options())
            .await
            .expect("a plain connection")
    }
}

/// Drops the schemas of test processes that are gone (killed before they could drop their own).
async fn drop_leftovers(conn: &mut PgConnection) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let names: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'sluice\\_t\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            // Another test may be dropping it too: an error here is no failure.
            let drop = format!("DROP SCHEMA IF EXISTS {name} CASCADE");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut *conn).await;
        }
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        // Drop cannot await: drop the schema from a thread with a runtime of its own.
        let (url, name) = (self.url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async move {
                let mut conn = PgConnection::connect(&url).await?;
                sqlx::query("SET lock_timeout = '10s'").execute(&mut conn).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE")))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("warning: the test schema {} was not dropped: {e}", self.name);
        }
    }
}

/// Waits (at most 10 s) for a notification on `channel` with `payload`, skipping others (tests
/// running beside this one notify on the same channels).
pub async fn wait_for(listener: &mut Listener, channel: Channel, payload: &str) {
    let wanted = Wakeup::Notified {
        channel,
        payload: payload.to_owned(),
    };
    let waited = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if listener.recv().await.unwrap() == wanted {
                return;
            }
        }
    })
    .await;
    assert!(waited.is_ok(), "no {wanted:?} within 10 s");
}
