//! Kestra's core plugin: logs, flowable tasks, execution control, debug and output tasks, HTTP,
//! the KV store, namespace files, triggers.

pub mod condition;
pub mod debug;
pub mod execution;
pub mod flow;
pub mod http;
pub mod kv;
pub mod log;
pub mod namespace;
pub mod output;
pub mod storage;
pub mod templating;
pub mod trigger;
