//! Where Sluice keeps its database, working directories and output files.

use std::path::PathBuf;

/// `--data-dir`, else `SLUICE_DATA_DIR` (clap reads both), else `$XDG_DATA_HOME/sluice`, else
/// `~/.local/share/sluice`.
pub fn resolve(flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("sluice"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/sluice")),
        None => anyhow::bail!("no data folder: set --data-dir, SLUICE_DATA_DIR or HOME"),
    }
}
