//! Kestra's OpenAI plugin: calls to OpenAI's API (or any server that speaks it, at `baseUrl`).
//!
//! Kestra: <https://kestra.io/plugins/plugin-openai>

pub mod chat_completion;
