//! `sluice flow run` as a user runs it: a scratch data folder, a flow file, the binary.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

pub struct Env {
    /// Scratch folder: the flow file and the data folder.
    pub dir: PathBuf,
}

impl Env {
    /// A fresh scratch folder for the test `name`.
    pub fn new(name: &str) -> Env {
        let dir = std::env::temp_dir().join(format!("sluice-run-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Env { dir }
    }

    /// Writes the flow file.
    pub fn flow(&self, yaml: &str) -> PathBuf {
        let path = self.dir.join("flow.yaml");
        std::fs::write(&path, yaml).unwrap();
        path
    }

    /// The binary with this data folder.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sluice"));
        c.args(args)
            .env("SLUICE_DATA_DIR", self.dir.join("data"))
            .env_remove("XDG_DATA_HOME");
        c
    }

    /// Runs the binary to the end.
    pub fn sluice(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("sluice runs")
    }

    /// Runs a flow with `--output json`; returns the exit code and the execution.
    pub fn run(&self, yaml: &str, extra: &[&str]) -> (i32, Value, String) {
        let path = self.flow(yaml);
        let mut args = vec!["flow", "run", path.to_str().unwrap(), "--output", "json"];
        args.extend(extra);
        let out = self.sluice(&args);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let exec = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code().unwrap_or(-1), exec, stderr)
    }
}

/// The first task run of task `id`.
pub fn task<'a>(exec: &'a Value, id: &str) -> &'a Value {
    exec["taskRunList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["taskId"] == id)
        .unwrap_or_else(|| panic!("no task run {id}: {exec:#}"))
}
