//! `io.kestra.plugin.core.trigger`: what starts an execution.

pub mod schedule;
