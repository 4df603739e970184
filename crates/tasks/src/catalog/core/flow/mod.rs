//! `io.kestra.plugin.core.flow`: tasks that hold other tasks, walked by the engine.

pub mod parallel;
pub mod sequential;
