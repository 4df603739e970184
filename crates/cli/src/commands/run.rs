//! `sluice flow run FILE`: validate, store and run a flow in this process, showing its progress.

use crate::display::Follower;
use crate::runtime::{Runtime, open_store};
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use serde_json::{Map, Value};
use sluice_engine::{Event, Execution, State};
use sluice_flow::{Flow, Validator};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `flow run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The flow file.
    pub file: PathBuf,
    /// An input value, `KEY=VALUE`; repeat for each input.
    #[arg(long = "input", short = 'i', value_name = "KEY=VALUE")]
    pub inputs: Vec<String>,
    /// `text` shows progress; `json` also prints the final execution as JSON on stdout.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Attempts run at once (Parallel tasks).
    #[arg(long, default_value_t = 8)]
    pub slots: usize,
    /// What task runners may do.
    #[command(flatten)]
    pub runners: crate::runtime::RunnerSettings,
}

/// Output of `flow run`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Progress and logs only.
    Text,
    /// Progress on stderr; the final execution as JSON on stdout.
    Json,
}

/// Reads and validates a flow file; on errors prints them and returns `None`.
pub fn load_flow(path: &Path) -> Result<Option<(Flow, String)>> {
    let source = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let checked = Validator::new().check(&source);
    let display = path.display().to_string();
    for d in &checked.diagnostics {
        eprintln!("{}", d.render(&display));
    }
    Ok(checked.flow.map(|f| (f, source)))
}

/// Typed inputs from `KEY=VALUE` pairs and the flow's defaults.
pub fn inputs(flow: &Flow, pairs: &[String]) -> Result<Map<String, Value>> {
    let mut given: Map<String, Value> = Map::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("`--input {pair}` needs the form KEY=VALUE");
        };
        if !flow.inputs.iter().any(|i| i.id == key) {
            let known: Vec<&str> = flow.inputs.iter().map(|i| i.id.as_str()).collect();
            let hint = match sluice_flow::suggest::did_you_mean(key, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None if known.is_empty() => "this flow declares no inputs".to_string(),
                None => format!("its inputs are: {}", known.join(", ")),
            };
            bail!("the flow has no input `{key}`; {hint}");
        }
        given.insert(key.to_string(), Value::String(value.to_string()));
    }
    let mut typed = Map::new();
    for input in &flow.inputs {
        let raw = given.get(&input.id).cloned().or_else(|| input.defaults.clone());
        match raw {
            Some(raw) => {
                let value = sluice_flow::inputs::coerce(input.input_type, &raw, &input.values)
                    .map_err(|e| anyhow::anyhow!("input `{}`: {}; {}", input.id, e.message, e.help))?;
                typed.insert(input.id.clone(), value);
            }
            None if input.required => bail!("input `{}` is required: pass `--input {}=VALUE`", input.id, input.id),
            None => {}
        }
    }
    Ok(typed)
}

/// Runs `flow run`.
pub async fn run(args: RunArgs, data_dir: &Path) -> Result<ExitCode> {
    let Some((flow, source)) = load_flow(&args.file)? else {
        eprintln!("error: `{}` is not a valid flow; nothing was run", args.file.display());
        return Ok(ExitCode::from(2));
    };
    let inputs = match inputs(&flow, &args.inputs) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let _lock = crate::runtime::lock_data_dir(data_dir)?;
    let store = open_store(data_dir).await?;
    let record = store.put_flow(&flow.namespace, &flow.id, &source).await?;
    let mut exec = Execution::new(sluice_store::new_execution_id(), &flow, inputs, Timestamp::now());
    exec.flow_revision = record.revision;
    store.create_execution(&exec, &Event::Start, Timestamp::now()).await?;
    let json = args.output == Output::Json;
    let mut follower = Follower::new(&exec.id, json);
    if !json {
        crate::commands::print(&format!(
            "execution {} of {}.{} (revision {})",
            exec.id, flow.namespace, flow.id, record.revision
        ))?;
    }
    let worker_id = format!("run-{}", std::process::id());
    let mut runtime = Runtime::start(
        store.clone(),
        data_dir,
        args.slots.max(1),
        &worker_id,
        false,
        &args.runners,
    );
    let wakers = runtime.wakers.clone();
    wakers.executor.notify_one();
    let mut interrupts = 0;
    let final_exec = loop {
        let current = follower
            .poll(store.as_ref())
            .await?
            .context("the execution vanished from the store")?;
        if current.state.current.is_terminal() {
            break current;
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
            () = wakers.ended.notified() => {}
            err = runtime.failed() => return Err(err),
            signal = tokio::signal::ctrl_c() => {
                signal.context("cannot listen for Ctrl-C")?;
                interrupts += 1;
                if interrupts > 1 {
                    follower.finish();
                    eprintln!("exiting now; execution {} stays in the store as it is", exec.id);
                    return Ok(ExitCode::from(130));
                }
                follower.finish();
                eprintln!("killing execution {} … (Ctrl-C again to exit at once)", exec.id);
                store.push_event(&exec.id, &Event::Kill, Timestamp::now()).await?;
                wakers.executor.notify_one();
            }
        }
    };
    follower.finish();
    runtime.stop(Duration::from_secs(30)).await?;
    let state = final_exec.state.current;
    if json {
        crate::commands::print(&serde_json::to_string_pretty(&final_exec)?)?;
    } else {
        let took = final_exec
            .state
            .end()
            .zip(final_exec.state.start())
            .map(|(e, s)| e.duration_since(s));
        let took = took.map(|d| format!(" in {:.2}s", d.as_secs_f64())).unwrap_or_default();
        crate::commands::print(&format!("execution {} ended {state}{took}", final_exec.id))?;
    }
    Ok(match state {
        State::Success | State::Warning => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}
