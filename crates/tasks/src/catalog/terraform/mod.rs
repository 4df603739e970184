//! Kestra's Terraform plugin: TerraformCLI.
//!
//! Kestra: <https://kestra.io/plugins/plugin-terraform>

pub mod cli;
