//! Runner and image choice, as Kestra makes them.

use super::*;
use crate::Renderer;
use serde_json::json;
use sluice_flow::template::{SecretSource, TemplateEngine};

struct NoSecrets;
impl SecretSource for NoSecrets {
    fn secret(&self, _: &str) -> Option<String> {
        None
    }
}

fn task(yaml: &str) -> Task {
    let flow = format!("id: f\nnamespace: dev\nvariables: {{py: '3.12'}}\ntasks:\n{yaml}");
    let checked = crate::check_flow(&flow);
    checked
        .flow
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics))
        .tasks
        .remove(0)
}

fn image_of(task: &Task, on_host: bool) -> Option<String> {
    let engine = TemplateEngine::new();
    let renderer = Renderer {
        engine: &engine,
        secrets: &NoSecrets,
    };
    let vars = json!({"vars": {"py": "3.12"}});
    let cx = PlanContext {
        variables: &vars,
        renderer: &renderer,
        job_name: "job".into(),
        working_dir: "/w",
        on_host,
    };
    image(task, &cx).expect("an image choice")
}

// The Docker runner's `image` wins over `containerImage`: kestra-io/kestra
// script/src/main/java/io/kestra/plugin/scripts/runner/docker/Docker.java (run: `this.image` is
// replaced by the task's containerImage only when null).
#[test]
fn the_docker_runner_image_wins_over_the_container_image() {
    let t = task(
        "  - id: t\n    type: python.Script\n    containerImage: python:3.11-slim\n    taskRunner:\n      type: io.kestra.plugin.scripts.runner.docker.Docker\n      image: \"python:{{ vars.py }}-slim\"\n    script: print(1)\n",
    );
    assert_eq!(runner_for(&t).unwrap().kind(), "docker");
    assert_eq!(image_of(&t, false).as_deref(), Some("python:3.12-slim"));
    let t = task(
        "  - id: t\n    type: shell.Commands\n    taskRunner: {type: Docker, image: alpine:3.20}\n    commands: [id]\n",
    );
    assert_eq!(image_of(&t, false).as_deref(), Some("alpine:3.20"));
}

// Kestra's default images: plugin-scripts shell/Commands.java (`ubuntu`),
// python/internals/PythonBasedPlugin.java (`python:3.13-slim`), plugin-dbt cli/DbtCLI.java
// (`engine`: CORE or FUSION image).
#[test]
fn a_container_without_an_image_gets_the_type_default() {
    let docker = "    taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker}\n";
    let shell = task(&format!(
        "  - id: t\n    type: shell.Commands\n{docker}    commands: [id]\n"
    ));
    assert_eq!(image_of(&shell, false).as_deref(), Some("ubuntu"));
    assert_eq!(image_of(&shell, true), None, "a host process runs no image");
    let py = task(&format!(
        "  - id: t\n    type: python.Script\n{docker}    script: print(1)\n"
    ));
    assert_eq!(image_of(&py, false).as_deref(), Some("python:3.13-slim"));
    let core = task(&format!(
        "  - id: t\n    type: dbt.CLI\n{docker}    commands: [dbt build]\n"
    ));
    assert_eq!(image_of(&core, false).as_deref(), Some("ghcr.io/kestra-io/dbt"));
    let fusion = task(&format!(
        "  - id: t\n    type: dbt.CLI\n    engine: FUSION\n{docker}    commands: [dbt build]\n"
    ));
    assert_eq!(
        image_of(&fusion, false).as_deref(),
        Some("ghcr.io/kestra-io/dbt-fusion")
    );
    // Kestra: plugin-terraform `cli/TerraformCLI.java` (`hashicorp/terraform`).
    let terraform = task(&format!(
        "  - id: t\n    type: io.kestra.plugin.terraform.cli.TerraformCLI\n{docker}    commands: [terraform plan]\n"
    ));
    assert_eq!(image_of(&terraform, false).as_deref(), Some("hashicorp/terraform"));
    assert_eq!(image_of(&terraform, true), None);
}

// `runner:` and `docker:`: kestra-io/kestra
// script/src/main/java/io/kestra/plugin/scripts/exec/scripts/runners/CommandsWrapper.java
// (getTaskRunner) and runner/docker/Docker.java (from(DockerOptions)).
#[test]
fn legacy_runner_docker_is_a_docker_runner_with_that_image() {
    let t = task(
        "  - id: t\n    type: python.Script\n    runner: DOCKER\n    docker:\n      image: python:3.12-slim\n      dockerHost: unix:///run/docker.sock\n      configPath: /root/.docker/config.json\n      pullPolicy: NEVER\n    script: print(1)\n",
    );
    let RunnerChoice::Docker(config) = runner_for(&t).unwrap() else {
        panic!("a Docker runner")
    };
    assert_eq!(
        Value::Object(config),
        json!({"type": DOCKER, "image": "python:3.12-slim", "host": "unix:///run/docker.sock", "pullPolicy": "NEVER"})
    );
    assert_eq!(image_of(&t, false).as_deref(), Some("python:3.12-slim"));
}

#[test]
fn legacy_runner_without_docker_options_and_process() {
    let t = task("  - id: t\n    type: shell.Commands\n    runner: DOCKER\n    commands: [id]\n");
    assert_eq!(runner_for(&t).unwrap(), RunnerChoice::Docker(docker_type()));
    assert_eq!(image_of(&t, false).as_deref(), Some("ubuntu"));
    // `runner` wins over `taskRunner` and `containerImage`.
    let t = task(
        "  - id: t\n    type: shell.Commands\n    runner: PROCESS\n    containerImage: alpine\n    taskRunner: {type: Docker}\n    commands: [id]\n",
    );
    assert_eq!(runner_for(&t).unwrap(), RunnerChoice::Process);
}

#[test]
fn docker_options_replace_a_docker_runner_and_choose_docker_by_themselves() {
    let t = task(
        "  - id: t\n    type: shell.Commands\n    taskRunner: {type: Docker, pullPolicy: ALWAYS}\n    docker: {image: alpine, user: '1000'}\n    commands: [id]\n",
    );
    assert_eq!(
        runner_for(&t).unwrap(),
        RunnerChoice::Docker(map(json!({"type": DOCKER, "image": "alpine", "user": "1000"})))
    );
    let t = task("  - id: t\n    type: shell.Commands\n    docker: {image: alpine}\n    commands: [id]\n");
    assert_eq!(runner_for(&t).unwrap().kind(), "docker");
    // A Process or Kubernetes runner keeps its settings: Kestra reads `docker` only for Docker.
    let t = task(
        "  - id: t\n    type: shell.Commands\n    taskRunner: {type: Process}\n    docker: {image: alpine}\n    commands: [id]\n",
    );
    assert_eq!(runner_for(&t).unwrap(), RunnerChoice::Process);
}

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("a mapping")
}
