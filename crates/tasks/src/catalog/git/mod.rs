//! Kestra's git plugin. Sluice runs git with the `git` command of the worker's machine (a
//! Debian package everywhere), not a Rust git library: it speaks every transport (file://,
//! git://, smart HTTP, SSH) and every credential form users already rely on, and costs the
//! build nothing.
//!
//! Kestra: <https://kestra.io/plugins/plugin-git>

pub mod clone;
