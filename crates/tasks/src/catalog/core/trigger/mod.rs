//! `io.kestra.plugin.core.trigger`: what starts an execution.

pub mod flow;
pub mod preconditions;
pub mod schedule;
pub mod webhook;
