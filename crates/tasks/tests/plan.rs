//! Planning: what job each task type becomes.

use serde_json::json;
use sluice_flow::template::{SecretSource, TemplateEngine};
use sluice_tasks::{Plan, PlanContext, Renderer, RunnerChoice, plan, runner_for};

struct Secrets;
impl SecretSource for Secrets {
    fn secret(&self, name: &str) -> Option<String> {
        (name == "TOKEN").then(|| "s3cret".to_string())
    }
}

fn task(yaml: &str) -> sluice_flow::model::Task {
    let flow = format!("id: f\nnamespace: dev\ninputs:\n  - {{id: name, type: STRING}}\ntasks:\n{yaml}");
    let checked = sluice_flow::check_flow(&flow);
    checked
        .flow
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics))
        .tasks
        .remove(0)
}

fn plan_of(yaml: &str) -> Plan {
    let engine = TemplateEngine::new();
    let renderer = Renderer {
        engine: &engine,
        secrets: &Secrets,
    };
    let vars = json!({"inputs": {"name": "world"}, "workingDir": "/work/x"});
    let cx = PlanContext {
        variables: &vars,
        renderer: &renderer,
        job_name: "job-1".into(),
        working_dir: "/work/x",
        on_host: true,
    };
    plan(&task(yaml), &cx).expect("plans")
}

#[test]
fn shell_commands_become_one_script_with_set_e() {
    let Plan::Job(job) = plan_of(
        r#"  - id: t
    type: shell.Commands
    beforeCommands: ["cd {{ workingDir }}"]
    commands: ["echo {{ inputs.name }}", "echo {{ secret('TOKEN') }}"]
    env: {GREETING: "hi {{ inputs.name }}"}
    inputFiles: {data/in.txt: "{{ inputs.name }}"}
    outputFiles: ["*.csv"]
    timeout: PT1S
"#,
    ) else {
        panic!("a job")
    };
    let job = job.job;
    assert_eq!(
        job.command,
        ["/bin/sh", "-c", "set -e\ncd /work/x\necho world\necho s3cret"]
    );
    assert_eq!(job.env["GREETING"], "hi world");
    assert_eq!(job.input_files["data/in.txt"], b"world");
    assert_eq!(job.output_files, ["*.csv"]);
    assert_eq!(job.timeout, Some(std::time::Duration::from_secs(1)));
}

#[test]
fn python_script_is_written_to_a_file_and_run_with_python3() {
    let Plan::Job(job) =
        plan_of("  - id: t\n    type: python.Script\n    failFast: false\n    script: print('{{ inputs.name }}')\n")
    else {
        panic!("a job")
    };
    assert_eq!(job.job.command[2], "python3 /work/x/.sluice-script.py");
    assert_eq!(job.job.input_files[".sluice-script.py"], b"print('world')");
}

#[test]
fn log_renders_every_message() {
    let Plan::Log { level, messages } = plan_of(
        "  - id: t\n    type: io.kestra.plugin.core.log.Log\n    level: WARN\n    message: [\"a {{ inputs.name }}\", b]\n",
    ) else {
        panic!("a log")
    };
    assert_eq!(level, "WARN");
    assert_eq!(messages, ["a world", "b"]);
}

#[test]
fn render_errors_name_task_and_property() {
    let engine = TemplateEngine::new();
    let renderer = Renderer {
        engine: &engine,
        secrets: &Secrets,
    };
    let vars = json!({"inputs": {}});
    let cx = PlanContext {
        variables: &vars,
        renderer: &renderer,
        job_name: "j".into(),
        working_dir: "/w",
        on_host: true,
    };
    let err = plan(
        &task("  - {id: t, type: shell.Commands, commands: [\"echo {{ inputs.name }}\"]}\n"),
        &cx,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("task `t`: property `commands` could not be rendered"),
        "{text}"
    );
}

#[test]
fn runner_follows_task_runner_then_container_image() {
    assert_eq!(
        runner_for(&task("  - {id: t, type: shell.Commands, commands: [x]}\n")).unwrap(),
        RunnerChoice::Process
    );
    let docker = task("  - {id: t, type: shell.Commands, commands: [x], containerImage: alpine}\n");
    assert_eq!(runner_for(&docker).unwrap().kind(), "docker");
    let process =
        task("  - {id: t, type: shell.Commands, commands: [x], containerImage: alpine, taskRunner: {type: process}}\n");
    assert_eq!(runner_for(&process).unwrap(), RunnerChoice::Process);
    let k8s = task(
        "  - {id: t, type: shell.Commands, commands: [x], taskRunner: {type: io.kestra.plugin.kubernetes.runner.Kubernetes}}\n",
    );
    assert_eq!(runner_for(&k8s).unwrap().kind(), "kubernetes");
}
