//! `sluice flow run FILE`: validate, store and run a flow in this process, showing its progress.

use crate::display::Follower;
use crate::runtime::{Runtime, open_store};
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use serde_json::{Map, Value};
use sluice_engine::{Event, Execution, State};
use sluice_flow::Flow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `flow run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The flow file.
    pub file: PathBuf,
    /// An input value, `KEY=VALUE`; repeat for each input. A FILE input takes a path
    /// (`KEY=@data.csv`), uploaded to the execution's storage.
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
    let checked = sluice_tasks::validator().check(&source);
    let display = path.display().to_string();
    for d in &checked.diagnostics {
        eprintln!("{}", d.render(&display));
    }
    Ok(checked.flow.map(|f| (f, source)))
}

/// The `--input KEY=VALUE` pairs, each checked to name an input; a FILE input's value is a
/// path (or `@path`), stored under the execution's storage address, or a `kestra://` address.
pub async fn given_inputs(
    flow: &Flow,
    pairs: &[String],
    execution_id: &str,
    storage: &sluice_store::Storage,
) -> Result<Map<String, Value>> {
    let mut given: Map<String, Value> = Map::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("`--input {pair}` needs the form KEY=VALUE");
        };
        let file_input = flow
            .inputs
            .iter()
            .any(|i| i.id == key && i.input_type == sluice_flow::model::InputType::File);
        let value = match value.strip_prefix('@').unwrap_or(value) {
            uri if !file_input || uri.starts_with("kestra://") => value.to_string(),
            path => store_file(flow, key, Path::new(path), execution_id, storage).await?,
        };
        given.insert(key.to_string(), Value::String(value));
    }
    Ok(given)
}

async fn store_file(
    flow: &Flow,
    input: &str,
    path: &Path,
    execution_id: &str,
    storage: &sluice_store::Storage,
) -> Result<String> {
    if !path.is_file() {
        bail!(
            "`--input {input}=@{}`: there is no file there; give the path of the file to upload",
            path.display()
        );
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let uri = sluice_flow::storage::input_file_uri(&flow.namespace, &flow.id, execution_id, input, &name);
    storage
        .put_file(&uri, path)
        .await
        .with_context(|| format!("cannot store the file of input `{input}`"))?;
    Ok(uri)
}

/// Resolves the execution's inputs (Kestra's rules: dependsOn, defaults, types, limits);
/// every problem in one error, each with how to fix it.
pub fn resolve_inputs(flow: &Flow, exec: &Execution, given: &Map<String, Value>) -> Result<Map<String, Value>> {
    let context = sluice_engine::render_context(flow, exec, None);
    sluice_flow::inputs::resolve(&flow.inputs, given, &context, &crate::secrets::EnvSecrets).map_err(|problems| {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| match p.code {
                "missing-input" => format!("input `{}` is required: pass `--input {}=VALUE`", p.input, p.input),
                _ => format!("{}; {}", p.message, p.help),
            })
            .collect();
        anyhow::anyhow!("{}", lines.join("\n"))
    })
}

/// Runs `flow run`.
pub async fn run(args: RunArgs, data_dir: &Path) -> Result<ExitCode> {
    let Some((flow, source)) = load_flow(&args.file)? else {
        eprintln!("error: `{}` is not a valid flow; nothing was run", args.file.display());
        return Ok(ExitCode::from(2));
    };
    let _lock = crate::runtime::lock_data_dir(data_dir)?;
    let storage = args.runners.open_storage(data_dir)?;
    let mut exec = Execution::new(sluice_store::new_execution_id(), &flow, Map::new(), Timestamp::now());
    let inputs = match given_inputs(&flow, &args.inputs, &exec.id, &storage).await {
        Ok(given) => resolve_inputs(&flow, &exec, &given),
        Err(e) => Err(e),
    };
    exec.inputs = match inputs {
        Ok(i) => i,
        Err(e) => {
            sluice_store::files::remove_input_files(&storage, &flow.namespace, &flow.id, &exec.id).await;
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let store = open_store(data_dir).await?;
    let record = store.put_flow(&flow.namespace, &flow.id, &source).await?;
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
        storage.clone(),
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
    if let Some(error) = &final_exec.error {
        eprintln!("error: {error}");
    }
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
