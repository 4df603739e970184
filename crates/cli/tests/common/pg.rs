//! PostgreSQL for the scale-out tests: a database of its own per test on the server of
//! `SLUICE_TEST_DATABASE_URL`, and `sluice` child processes that are killed when dropped.
#![allow(dead_code)] // each test crate uses a different part

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable naming the test server.
pub const URL_VARIABLE: &str = "SLUICE_TEST_DATABASE_URL";

/// The test database URL, or `None` (after a loud message) when it is not set; under CI a
/// missing URL fails the test.
pub fn database_url() -> Option<String> {
    match std::env::var(URL_VARIABLE) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{URL_VARIABLE} not set: run scripts/postgres (CI must run the scale-out test)")
        }
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: the scale-out test passes without running: {URL_VARIABLE} is not set. \
                 Run `eval \"$(scripts/postgres)\"` first to run it. ***\n"
            );
            None
        }
    }
}

/// A database of its own on the test server, dropped (connections and all) when this is dropped.
pub struct Database {
    admin: String,
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl Database {
    /// Creates a fresh database.
    pub fn create(admin: &str) -> Database {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "sluice_scale_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            jiff::Timestamp::now().as_millisecond()
        );
        let url = match admin.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("{URL_VARIABLE} has no database part: {admin}"),
        };
        drop_leftovers(admin);
        // From template0, which nobody connects to: two tests creating databases at once would
        // otherwise find template1 busy.
        admin_sql(admin, &format!("CREATE DATABASE {name} TEMPLATE template0"));
        Database {
            admin: admin.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        admin_sql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Drops the databases, and removes the folders, of test processes that are gone (killed before
/// they could clean up after themselves).
pub fn drop_leftovers(admin: &str) {
    use sqlx::Connection;
    let dead = |pid: Option<&str>| {
        pid.and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let names: Vec<String> = runtime.block_on(async {
        let Ok(mut conn) = sqlx::PgConnection::connect(admin).await else {
            return Vec::new();
        };
        let names = sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE 'sluice\\_scale\\_%'")
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
        let _ = conn.close().await;
        names
    });
    for name in names.iter().filter(|n| dead(n.split('_').nth(2))) {
        // Another test may be dropping it too: an error here is no failure.
        let _ = try_admin_sql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(rest) = name.strip_prefix("sluice-scale-")
                && dead(rest.rsplit('-').next())
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

pub fn admin_sql(url: &str, sql: &str) {
    if let Err(e) = try_admin_sql(url, sql) {
        panic!("{e}");
    }
}

pub fn try_admin_sql(url: &str, sql: &str) -> Result<(), String> {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(url)
            .await
            .map_err(|e| format!("cannot connect to {URL_VARIABLE}: {e}; is scripts/postgres running?"))?;
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("{sql}: {e}"))?;
        let _ = conn.close().await;
        Ok(())
    })
}

/// A `sluice` child process, killed when dropped; its stderr goes to a file.
pub struct Proc {
    name: String,
    /// The process.
    pub child: Child,
    stderr: PathBuf,
}

impl Proc {
    /// Starts `sluice ARGS` with its data folder `dir/name`; returns it and its first line.
    pub fn spawn(name: &str, dir: &Path, args: &[&str]) -> (Proc, String) {
        Proc::spawn_with(name, dir, args, &[])
    }

    /// The same, with extra environment variables.
    pub fn spawn_with(name: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Proc, String) {
        let stderr = dir.join(format!("{name}.log"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(args)
            .env("SLUICE_DATA_DIR", dir.join(name))
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("sluice starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let proc = Proc {
            name: name.to_owned(),
            child,
            stderr,
        };
        assert!(!line.is_empty(), "{name} did not start:\n{}", proc.log_tail());
        (proc, line)
    }

    /// Kills it at once.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The last lines of its stderr.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "--- {} (last lines of {}) ---\n{}",
            self.name,
            self.stderr.display(),
            lines[lines.len().saturating_sub(15)..].join("\n")
        )
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// Waits for `done`, showing the processes' logs on a timeout.
pub fn wait_until(what: &str, timeout: Duration, procs: &[&Proc], mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        if Instant::now() > deadline {
            let logs: Vec<String> = procs.iter().map(|p| p.log_tail()).collect();
            panic!("timed out after {timeout:?} waiting for {what}\n{}", logs.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
