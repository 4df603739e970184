//! What every part of the evaluator shares: why an evaluation stopped ([`Fail`]) and the state
//! of one rendering ([`Scope`]). The evaluator (`eval.rs`) adds Scope's rendering methods; the
//! filters, functions, tests and operators only need these types, so they sit below it.

use std::cell::Cell;

use serde_json::Value;

use super::Env;

/// Why evaluation stopped.
#[derive(Debug)]
pub(super) enum Fail {
    /// A variable or attribute that is not there: its dotted path, and the keys that were.
    Undefined(String, Vec<String>),
    /// Anything else, with an optional hint.
    Error(String, Option<String>),
    /// A secret that is not set, by name.
    Secret(String),
}

/// Shorthand for an error without a hint.
pub(super) fn fail<T>(message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Error(message.into(), None))
}

/// The state of one rendering: the context and the variables of `set` and `for`.
pub(super) struct Scope<'e> {
    pub(super) env: &'e Env<'e>,
    pub(super) locals: Vec<(String, Value)>,
    /// The line of the expression evaluated last, for error messages.
    pub(super) line: Cell<usize>,
}

impl<'e> Scope<'e> {
    pub(super) fn new(env: &'e Env<'e>) -> Self {
        Self {
            env,
            locals: Vec::new(),
            line: Cell::new(1),
        }
    }

    /// The line of the expression evaluated last.
    pub(super) fn line(&self) -> usize {
        self.line.get()
    }
}
