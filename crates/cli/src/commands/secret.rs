//! `sluice secret …`: stored secrets of a namespace, encrypted with `SLUICE_SECRET_KEY`, in the
//! data folder's database or a shared PostgreSQL one (`--db`). The value of `set` is read from
//! standard input, so it shows neither in the shell's history nor in the process list; no
//! command prints a value.

use crate::runtime::{open_postgres, open_store};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use sluice_store::Store;
use sluice_store::secrets::{KEY_VARIABLE, SecretBox, check_name};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// Subcommands of `sluice secret`.
#[derive(Subcommand)]
pub enum SecretCommand {
    /// Store a secret; its value is read from standard input (`printf %s "$TOKEN" | sluice secret set company API_TOKEN`).
    Set {
        /// The namespace (its child namespaces read it too).
        namespace: String,
        /// The secret's name, as `secret('NAME')` reads it.
        name: String,
        /// The shared PostgreSQL database, instead of the data folder's.
        #[arg(long, env = "SLUICE_DB", value_name = "URL")]
        db: Option<String>,
    },
    /// List the names of a namespace's secrets.
    List {
        /// The namespace.
        namespace: String,
        /// The shared PostgreSQL database, instead of the data folder's.
        #[arg(long, env = "SLUICE_DB", value_name = "URL")]
        db: Option<String>,
    },
    /// Delete a secret.
    Delete {
        /// The namespace.
        namespace: String,
        /// The secret's name.
        name: String,
        /// The shared PostgreSQL database, instead of the data folder's.
        #[arg(long, env = "SLUICE_DB", value_name = "URL")]
        db: Option<String>,
    },
}

async fn store(data_dir: &Path, db: Option<&str>) -> Result<Arc<dyn Store>> {
    Ok(match db {
        Some(url) => Arc::new(open_postgres(url).await?),
        None => open_store(data_dir).await?,
    })
}

/// Runs a `sluice secret` subcommand.
pub async fn run(cmd: SecretCommand, data_dir: &Path) -> Result<ExitCode> {
    match cmd {
        SecretCommand::Set { namespace, name, db } => {
            check_name(&name).map_err(anyhow::Error::msg)?;
            let Some(key) = SecretBox::from_env().map_err(anyhow::Error::msg)? else {
                bail!(
                    "{KEY_VARIABLE} is not set: give the key the servers use (32 bytes in base64, `openssl rand -base64 32`)"
                );
            };
            let mut value = String::new();
            std::io::stdin()
                .read_to_string(&mut value)
                .context("cannot read the secret from standard input")?;
            let value = value.strip_suffix('\n').unwrap_or(&value);
            if value.is_empty() {
                bail!("no value on standard input: `printf %s \"$VALUE\" | sluice secret set {namespace} {name}`");
            }
            let sealed = key.seal(&namespace, &name, value).map_err(anyhow::Error::msg)?;
            let store = store(data_dir, db.as_deref()).await?;
            store
                .put_secret(&namespace, &name, &sealed, jiff::Timestamp::now())
                .await?;
            eprintln!("stored secret {name} of {namespace}");
        }
        SecretCommand::List { namespace, db } => {
            let store = store(data_dir, db.as_deref()).await?;
            for entry in store.list_secrets(&namespace).await? {
                crate::commands::print(&format!("{}\t{}", entry.name, entry.updated))?;
            }
        }
        SecretCommand::Delete { namespace, name, db } => {
            let store = store(data_dir, db.as_deref()).await?;
            if !store.delete_secret(&namespace, &name).await? {
                bail!("namespace `{namespace}` has no secret `{name}`; `sluice secret list {namespace}` lists them");
            }
            eprintln!("deleted secret {name} of {namespace}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
