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
    let checked = sluice_tasks::check_flow(&flow);
    checked
        .flow
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics))
        .tasks
        .remove(0)
}

fn plan_of(yaml: &str) -> Plan {
    plan_task(&task(yaml)).expect("plans")
}

fn plan_task(task: &sluice_flow::model::Task) -> Result<Plan, sluice_tasks::TaskError> {
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
    plan(task, &cx)
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
fn shell_tasks_have_no_dbt_post() {
    let Plan::Job(job) = plan_of("  - {id: t, type: shell.Commands, commands: [dbt build]}\n") else {
        panic!("a job")
    };
    assert_eq!(job.dbt, None);
    assert!(!job.job.env.contains_key("DBT_LOG_FORMAT"));
}

const DBT: &str = r#"  - id: dbt
    type: io.kestra.plugin.dbt.cli.DbtCLI
    projectDir: ./dbt/
    beforeCommands: [cp -r /src/project dbt]
    commands: [dbt deps, "dbt build --vars '{who: {{ inputs.name }}}'"]
    env: {EXTRA: "1"}
    inputFiles: {profiles.yml: "replaced", seeds/x.csv: "a,b"}
    outputFiles: ["*.csv", "dbt/target/manifest.json"]
    profiles: |
      shop:
        target: dev
        outputs: {dev: {type: duckdb, path: "{{ inputs.name }}.duckdb"}}
"#;

fn dbt_job(yaml: &str) -> sluice_tasks::ScriptJob {
    match plan_of(yaml) {
        Plan::Job(job) => *job,
        other => panic!("a job, not {other:?}"),
    }
}

#[test]
fn dbt_cli_runs_in_the_working_dir_with_dbt_told_where_everything_is() {
    let job = dbt_job(DBT);
    let post = job.dbt.expect("dbt post-processing");
    assert_eq!(
        *post,
        sluice_tasks::dbt::DbtPost {
            project_dir: "dbt".into(),
            run_results_path: "dbt/target/run_results.json".into(),
            manifest_path: "dbt/target/manifest.json".into(),
            parse_run_results: true,
            json_logs: true,
        }
    );
    let job = job.job;
    // Commands are not rewritten and run from the working directory, as in Kestra.
    assert_eq!(
        job.command,
        [
            "/bin/sh",
            "-c",
            "set -e\ncp -r /src/project dbt\ndbt deps\ndbt build --vars '{who: world}'"
        ]
    );
    assert_eq!(
        std::str::from_utf8(&job.input_files["profiles.yml"]).unwrap(),
        "shop:\n  target: dev\n  outputs: {dev: {type: duckdb, path: \"world.duckdb\"}}\n",
        "`profiles` wins over an input file of the same name"
    );
    assert_eq!(job.input_files["seeds/x.csv"], b"a,b");
    let env: Vec<(&str, &str)> = job.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        env,
        [
            ("DBT_LOG_FORMAT", "json"),
            ("DBT_LOG_PATH", "/work/x/logs"),
            ("DBT_PROFILES_DIR", "/work/x"),
            ("DBT_PROJECT_DIR", "/work/x/dbt"),
            ("EXTRA", "1"),
            ("PIP_ROOT_USER_ACTION", "ignore"),
            ("PYTHONUNBUFFERED", "true"),
        ]
    );
    // dbt's results are collected even when not listed; a listed one is not listed twice.
    assert_eq!(
        job.output_files,
        ["*.csv", "dbt/target/manifest.json", "dbt/target/run_results.json"]
    );
}

#[test]
fn dbt_cli_without_project_dir_or_profiles() {
    let job = dbt_job(
        "  - id: dbt\n    type: dbt.cli.DbtCLI\n    commands: [dbt build]\n    parseRunResults: false\n    logFormat: TEXT\n",
    );
    let post = job.dbt.unwrap();
    assert_eq!(post.project_dir, "");
    assert_eq!(post.run_results_path, "target/run_results.json");
    assert_eq!(post.manifest_path, "target/manifest.json");
    assert!(!post.parse_run_results);
    assert!(!post.json_logs);
    let job = job.job;
    assert_eq!(job.env["DBT_LOG_FORMAT"], "text");
    assert!(!job.env.contains_key("DBT_PROJECT_DIR"));
    assert!(!job.env.contains_key("DBT_PROFILES_DIR"));
    assert!(job.input_files.is_empty());
    assert_eq!(job.output_files, ["target/run_results.json", "target/manifest.json"]);
}

#[test]
fn dbt_cli_env_and_log_format_choices() {
    // The task's own env wins: dbt logs text, so lines are not read as JSON.
    let job = dbt_job(
        "  - id: dbt\n    type: dbt.cli.DbtCLI\n    commands: [dbt build]\n    env: {DBT_LOG_FORMAT: text, DBT_PROFILES_DIR: /etc/dbt}\n    profiles: \"x: {}\"\n",
    );
    assert!(!job.dbt.unwrap().json_logs);
    assert_eq!(job.job.env["DBT_PROFILES_DIR"], "/etc/dbt");
    assert_eq!(job.job.input_files["profiles.yml"], b"x: {}");

    let mut t = task("  - {id: dbt, type: dbt.cli.DbtCLI, commands: [dbt build], profiles: \"  \"}\n");
    for (format, env) in [("NONE", None), ("DEBUG", Some("debug")), ("json", Some("json"))] {
        t.properties.insert("logFormat".into(), json!(format));
        let Ok(Plan::Job(job)) = plan_task(&t) else {
            panic!("a job")
        };
        assert_eq!(job.job.env.get("DBT_LOG_FORMAT").map(String::as_str), env, "{format}");
        assert_eq!(job.dbt.unwrap().json_logs, format == "json");
        assert!(job.job.input_files.is_empty(), "blank profiles are not written");
    }
    t.properties.insert("logFormat".into(), json!("XML"));
    let err = plan_task(&t).unwrap_err().to_string();
    assert_eq!(
        err,
        "task `dbt`: `logFormat` must be JSON, TEXT, DEBUG or NONE, found `XML`"
    );
}

#[test]
fn dbt_cli_project_dir_must_stay_inside_the_working_dir() {
    for dir in ["../elsewhere", "/abs/dbt"] {
        let t = task(&format!(
            "  - {{id: dbt, type: dbt.cli.DbtCLI, commands: [dbt build], projectDir: \"{dir}\"}}\n"
        ));
        let err = plan_task(&t).unwrap_err().to_string();
        assert!(
            err.starts_with("task `dbt`: `projectDir` must be a folder inside the working directory"),
            "{err}"
        );
    }
    let job = dbt_job("  - {id: dbt, type: dbt.cli.DbtCLI, commands: [dbt build], projectDir: \"a [b]\"}\n");
    assert_eq!(job.dbt.unwrap().run_results_path, "a [b]/target/run_results.json");
    assert_eq!(job.job.output_files[0], "a [[]b[]]/target/run_results.json");
    assert_eq!(job.job.env["DBT_PROJECT_DIR"], "/work/x/a [b]");
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
    let Plan::Done(done) = plan_of(
        "  - id: t\n    type: io.kestra.plugin.core.log.Log\n    level: WARN\n    message: [\"a {{ inputs.name }}\", b]\n",
    ) else {
        panic!("a log")
    };
    let warn = |m: &str| ("WARN".to_string(), m.to_string());
    assert_eq!(done.logs, [warn("a world"), warn("b")]);
    assert!(done.failure.is_none());
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

/// Kestra's typed properties: a pod spec field written as a template renders to the type
/// Kubernetes wants (https://kestra.io/docs/expressions — "dynamic properties"), and a value
/// that cannot be one fails the task naming the field.
#[test]
fn pod_spec_templates_render_to_typed_fields() {
    let flow = r#"id: f
namespace: dev
inputs:
  - {id: secs, type: STRING}
  - {id: containers, type: JSON}
tasks:
  - id: pod
    type: io.kestra.plugin.kubernetes.PodCreate
    metadata: {labels: {run: "{{ inputs.secs }}"}}
    spec:
      activeDeadlineSeconds: "{{ inputs.secs }}"
      restartPolicy: Never
      containers: "{{ inputs.containers }}"
"#;
    let checked = sluice_tasks::check_flow(flow);
    let task = checked
        .flow
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics))
        .tasks
        .remove(0);
    let engine = TemplateEngine::new();
    let renderer = Renderer {
        engine: &engine,
        secrets: &Secrets,
    };
    let plan_with = |secs: serde_json::Value| {
        let containers = json!([{"name": "main", "image": "busybox:1.36", "command": ["true"]}]);
        let vars = json!({"inputs": {"secs": secs, "containers": containers}, "workingDir": "/w"});
        let cx = PlanContext {
            variables: &vars,
            renderer: &renderer,
            job_name: "j".into(),
            working_dir: "/w",
            on_host: false,
        };
        plan(&task, &cx)
    };
    let Ok(Plan::Job(job)) = plan_with(json!("30")) else {
        panic!("a job")
    };
    let spec = job.job.pod_spec.expect("a pod spec");
    assert_eq!(spec["activeDeadlineSeconds"], json!(30));
    assert_eq!(spec["containers"][0]["image"], json!("busybox:1.36"));
    assert_eq!(job.job.pod_metadata.expect("metadata")["labels"]["run"], json!("30"));
    let Err(err) = plan_with(json!("soon")) else {
        panic!("a wrong type fails")
    };
    let err = err.to_string();
    assert!(err.contains("spec.activeDeadlineSeconds"), "{err}");
}

/// PodCreate's `containerDefaultSpec` reaches every container of the planned pod, and
/// `waitForLogInterval` the Kubernetes runner: kestra-io/plugin-kubernetes
/// src/main/java/io/kestra/plugin/kubernetes/AbstractPod.java (applyContainerDefaultSpec) and
/// src/main/java/io/kestra/plugin/kubernetes/core/PodCreate.java (waitForLogInterval).
#[test]
fn pod_create_merges_container_defaults_and_passes_the_log_wait() {
    let t = task(
        r#"  - id: pod
    type: io.kestra.plugin.kubernetes.core.PodCreate
    waitForLogInterval: PT5S
    containerDefaultSpec:
      securityContext: {runAsNonRoot: true}
      env: [{name: WHO, value: "{{ inputs.name }}"}]
    spec:
      containers:
        - {name: main, image: busybox, securityContext: {runAsUser: 1000}}
"#,
    );
    let Plan::Job(job) = plan_of_on(&t, false) else {
        panic!("a job")
    };
    let spec = job.job.pod_spec.expect("a pod spec");
    let main = &spec["containers"][0];
    assert_eq!(
        main["securityContext"],
        json!({"runAsNonRoot": true, "runAsUser": 1000})
    );
    assert_eq!(main["env"], json!([{"name": "WHO", "value": "world"}]));
    let RunnerChoice::Kubernetes(config) = runner_for(&t).unwrap() else {
        panic!("kubernetes")
    };
    assert_eq!(config["waitForLogInterval"], json!("PT5S"));
}

fn plan_of_on(task: &sluice_flow::model::Task, on_host: bool) -> Plan {
    let engine = TemplateEngine::new();
    let renderer = Renderer {
        engine: &engine,
        secrets: &Secrets,
    };
    let vars = json!({"inputs": {"name": "world"}, "workingDir": "/w"});
    let cx = PlanContext {
        variables: &vars,
        renderer: &renderer,
        job_name: "j".into(),
        working_dir: "/w",
        on_host,
    };
    plan(task, &cx).expect("plans")
}

/// Kestra's `timeout` is a dynamic duration property (https://kestra.io/docs/workflow-components/timeout):
/// a template renders when the attempt is planned, and what is no duration fails the task.
#[test]
fn a_templated_timeout_renders_to_the_jobs_limit_or_fails_naming_it() {
    let job = |yaml: &str| match plan_of(yaml) {
        Plan::Job(script) => script.job,
        _ => panic!("a job"),
    };
    let planned = job(
        "  - id: t\n    type: io.kestra.plugin.scripts.shell.Commands\n    timeout: \"PT{{ 2 + 3 }}S\"\n    commands: [\"true\"]\n",
    );
    assert_eq!(planned.timeout, Some(std::time::Duration::from_secs(5)));
    let fixed = job(
        "  - id: t\n    type: io.kestra.plugin.scripts.shell.Commands\n    timeout: PT1M\n    commands: [\"true\"]\n",
    );
    assert_eq!(fixed.timeout, Some(std::time::Duration::from_secs(60)));
    let bad = task(
        "  - id: t\n    type: io.kestra.plugin.scripts.shell.Commands\n    timeout: \"{{ inputs.name }}\"\n    commands: [\"true\"]\n",
    );
    let Err(e) = plan_task(&bad).map(|_| ()) else {
        panic!("a timeout of `world` planned");
    };
    let e = e.to_string();
    assert!(
        e.contains("`timeout` rendered to `world`, which is not a duration"),
        "{e}"
    );
}
