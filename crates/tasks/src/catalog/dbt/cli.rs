//! `io.kestra.plugin.dbt.cli.DbtCLI`: dbt commands as a script task, with dbt's logs and
//! results read back as one task run per dbt node (see `crate::dbt`).
//!
//! Kestra: <https://kestra.io/plugins/plugin-dbt/cli/io.kestra.plugin.dbt.cli.dbtcli>

use crate::catalog::TaskType;
use crate::catalog::scripts::props::script_props;
use sluice_flow::schema::{Kind, Prop, TypeSpec, opt, req};

const PROPS: [Prop; 22] = script_props([
    req("commands", Kind::StringList, "dbt commands to run, like `dbt build`."),
    opt(
        "profiles",
        Kind::String,
        "Content of profiles.yml, written into the working directory.",
    ),
    opt(
        "projectDir",
        Kind::String,
        "Folder of the dbt project inside the working directory.",
    ),
    opt(
        "parseRunResults",
        Kind::Bool,
        "Turn run_results.json into one task run per dbt node (default true).",
    ),
    opt(
        "logFormat",
        Kind::Enum(&["JSON", "TEXT", "DEBUG", "NONE"]),
        "Format dbt logs in (default JSON).",
    ),
    opt("storeManifest", Kind::Map, "Where to keep manifest.json between runs."),
    opt(
        "loadManifest",
        Kind::Map,
        "Where to read a previous manifest.json from.",
    ),
    opt(
        "engine",
        Kind::Enum(&["CORE", "FUSION"]),
        "dbt engine: picks the image when neither the task nor its runner names one (CORE: `ghcr.io/kestra-io/dbt`, FUSION: `ghcr.io/kestra-io/dbt-fusion`).",
    ),
]);

/// The DbtCLI task.
pub static DBT_CLI: TaskType = TaskType {
    spec: TypeSpec::new(
        crate::props::DBT_CLI,
        &["dbt.CLI", "dbt.cli.DbtCLI"],
        &PROPS,
        "Runs dbt commands and reports each dbt node as its own task run.",
    ),
    plan: Some(crate::catalog::scripts::plan),
};
