//! `io.kestra.plugin.dbt`: dbt from the command line.

pub mod cli;
