//! Kestra's core plugin: logs, flowable tasks, triggers.

pub mod flow;
pub mod log;
pub mod trigger;
