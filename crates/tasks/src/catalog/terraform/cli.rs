//! `io.kestra.plugin.terraform.cli.TerraformCLI`: shell commands (`terraform init`, `plan`,
//! `apply`…) run as a script task, in the `hashicorp/terraform` image on a container runner
//! (its `terraform` entry point is cleared, as Kestra's Docker runner does) or with the host's
//! `terraform` on a process. State belongs in a remote backend, as Kestra's docs say.
//!
//! Kestra: <https://kestra.io/plugins/plugin-terraform/cli/io.kestra.plugin.terraform.cli.terraformcli>

use crate::catalog::TaskType;
use crate::catalog::scripts::props::script_props;
use sluice_flow::schema::{Kind, Prop, TypeSpec, req};

const PROPS: [Prop; 15] = script_props([req("commands", Kind::StringList, "Terraform commands to run.")]);

/// The TerraformCLI task.
pub static TERRAFORM_CLI: TaskType = TaskType {
    spec: TypeSpec::new(
        "io.kestra.plugin.terraform.cli.TerraformCLI",
        &["terraform.cli.TerraformCLI"],
        &PROPS,
        "Runs Terraform commands.",
    ),
    plan: Some(crate::catalog::scripts::plan),
};
