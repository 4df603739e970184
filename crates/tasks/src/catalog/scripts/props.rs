//! Properties of the script tasks: shell, Python and dbt, from Kestra's sources.
//!
//! Sources: kestra-io/kestra `script/src/main/java/io/kestra/plugin/scripts/exec/AbstractExecScript.java`
//! (the common ones), kestra-io/plugin-scripts
//! `plugin-script-python/src/main/java/io/kestra/plugin/scripts/python/AbstractPythonExecScript.java`
//! and `.../python/internals/PythonBasedPlugin.java` (Python), kestra-io/plugin-dbt
//! `src/main/java/io/kestra/plugin/dbt/cli/DbtCLI.java` (dbt).

use sluice_flow::schema::{DOCKER_OPTIONS, Kind, Prop, deprecated, no_effect, opt};

/// Properties shared by script tasks (shell, python, dbt): Kestra's `AbstractExecScript`.
const COMMON: [Prop; 14] = [
    opt("beforeCommands", Kind::StringList, "Commands run before the main ones."),
    opt("env", Kind::StringMap, "Environment variables of the process."),
    opt(
        "interpreter",
        Kind::StringList,
        "Interpreter and its arguments (default `/bin/sh -c`).",
    ),
    opt("failFast", Kind::Bool, "Stop at the first failing command (`set -e`)."),
    opt(
        "warningOnStdErr",
        Kind::Bool,
        "Output on stderr makes the task WARNING.",
    ),
    opt(
        "inputFiles",
        Kind::Files,
        "Files written into the working directory before the run.",
    ),
    opt("outputFiles", Kind::StringList, "Globs of files kept after the run."),
    opt(
        "namespaceFiles",
        Kind::Map,
        "Namespace files brought into the working directory: `{enabled, include, exclude, namespaces, folderPerNamespace}`.",
    ),
    opt("containerImage", Kind::String, "Image for container runners."),
    opt(
        "taskRunner",
        Kind::TaskRunner,
        "Where the commands run: process, docker or kubernetes.",
    ),
    opt(
        "targetOS",
        Kind::Enum(&["LINUX", "WINDOWS", "AUTO"]),
        "Operating system of the runner.",
    ),
    RUNNER,
    DOCKER,
    OUTPUT_DIRECTORY,
];

/// A script type's properties: its own `N` first, then the common ones; `M` must be `N + 14`
/// (checked when the constant is built).
pub(crate) const fn script_props<const N: usize, const M: usize>(own: [Prop; N]) -> [Prop; M] {
    assert!(M == N + COMMON.len(), "M must be N plus the 14 common properties");
    let mut out = [COMMON[0]; M];
    let mut i = 0;
    while i < N {
        out[i] = own[i];
        i += 1;
    }
    while i < M {
        out[i] = COMMON[i - N];
        i += 1;
    }
    out
}

const RUNNER: Prop = deprecated(
    "runner",
    Kind::Enum(&["PROCESS", "DOCKER"]),
    "Older choice of where the commands run; used only when `taskRunner` is not set.",
    "use `taskRunner: {type: io.kestra.plugin.core.runner.Process}` for PROCESS, or `taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker}` with the task's `containerImage` for DOCKER",
);

const DOCKER: Prop = deprecated(
    "docker",
    Kind::Object(DOCKER_OPTIONS),
    "Older Docker settings; they become the task's Docker runner.",
    "move these settings to `taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker, …}` and `docker.image` to the task's `containerImage`",
);

const OUTPUT_DIRECTORY: Prop = deprecated(
    "outputDirectory",
    Kind::Bool,
    "Older way to keep the files of `{{ outputDir }}`.",
    "list the files to keep in `outputFiles` (Sluice does not set up `{{ outputDir }}`)",
);

const PY_PROPS: [Prop; 7] = [
    opt(
        "dependencies",
        Kind::StringList,
        "Python packages to install before the run.",
    ),
    opt(
        "packageManager",
        Kind::Enum(&["PIP", "UV"]),
        "Installer of `dependencies`: PIP, or UV (default; pip when uv is not on the PATH).",
    ),
    no_effect(
        "pythonVersion",
        Kind::String,
        "Python version to resolve dependencies for.",
        "Sluice runs the `python` of the image (`python3` on the host) whatever its version; pick the version with `containerImage`, e.g. `python:3.12-slim`",
    ),
    no_effect(
        "dependencyCacheEnabled",
        Kind::Bool,
        "Cache installed dependencies between runs.",
        "Sluice installs `dependencies` afresh on every run",
    ),
    opt(
        "uvAutoInstallEnabled",
        Kind::Bool,
        "Sluice never downloads uv; `false` fails the task when `packageManager: UV` finds no uv.",
    ),
    no_effect(
        "uvInstallerVersion",
        Kind::String,
        "Version of uv to download when missing.",
        "Sluice never downloads uv: it uses the uv on the PATH, else pip",
    ),
    no_effect(
        "uvInstallerSha256",
        Kind::String,
        "Checksum of the uv installer.",
        "Sluice never downloads uv: it uses the uv on the PATH, else pip",
    ),
];

/// A Python type's properties: its `main` one (`commands` or `script`), Python's own, then the
/// common ones.
pub(super) const fn python_props(main: Prop) -> [Prop; 22] {
    script_props([
        main,
        PY_PROPS[0],
        PY_PROPS[1],
        PY_PROPS[2],
        PY_PROPS[3],
        PY_PROPS[4],
        PY_PROPS[5],
        PY_PROPS[6],
    ])
}
