//! The deserializer's error: why a value could not be read, and once the innermost node has
//! claimed it, the diagnostic it became.

use crate::diagnostic::Diagnostic;
use serde::de;
use std::fmt;

/// Why a value could not be read.
#[derive(Debug)]
pub(super) enum Problem {
    /// A value of another type was expected (serde's description of it).
    Type(String),
    /// A field the type requires is absent.
    Missing(&'static str),
    /// Anything else a visitor said.
    Other(String),
}

/// The deserializer's error: a problem, and once a node claimed it, the diagnostic.
#[derive(Debug)]
pub(in crate::k8s) struct DeError {
    pub(super) problem: Problem,
    /// Set by the innermost node that saw the error.
    pub(in crate::k8s) diagnostic: Option<Diagnostic>,
    /// An error about a placeholder, or one not worth reporting: never becomes a diagnostic.
    pub(super) quiet: bool,
}

impl DeError {
    /// An error not yet claimed by a node.
    pub(super) fn new(problem: Problem) -> Self {
        DeError {
            problem,
            diagnostic: None,
            quiet: false,
        }
    }

    /// The same error, never to become a diagnostic (unless it already is one).
    pub(super) fn quiet(mut self) -> Self {
        if self.diagnostic.is_none() {
            self.quiet = true;
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::Type(expected) => write!(f, "expected {expected}"),
            Problem::Missing(field) => write!(f, "missing field `{field}`"),
            Problem::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::new(Problem::Other(msg.to_string()))
    }

    fn invalid_type(_unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError::new(Problem::Type(exp.to_string()))
    }

    fn missing_field(field: &'static str) -> Self {
        DeError::new(Problem::Missing(field))
    }
}

/// Placeholder errors are not the user's.
pub(super) fn quiet<T>(r: Result<T, DeError>) -> Result<T, DeError> {
    r.map_err(DeError::quiet)
}
