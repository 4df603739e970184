//! Diagnostics: what is wrong with a flow, where, and how to fix it, in rustc's shape.

use serde::Serialize;
use std::fmt;

/// A place in a flow's source text. Lines and columns start at 1, as editors count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl Pos {
    /// A position from 1-based line and column.
    pub fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
}

/// How bad a diagnostic is: errors make a flow invalid, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The flow cannot be stored or run.
    Error,
    /// The flow runs, but probably not as its author meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One finding of the validator, pointing at a line and column, with a fix when one is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the source the problem is.
    #[serde(flatten)]
    pub pos: Pos,
    /// A stable, greppable name of the kind of problem, like `unknown-property`.
    pub code: &'static str,
    /// What is wrong, one line.
    pub message: String,
    /// How to fix it, when we can say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `pos`.
    pub fn error(pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            pos,
            code,
            message: message.into(),
            help: None,
        }
    }

    /// A warning at `pos`.
    pub fn warning(pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(pos, code, message)
        }
    }

    /// The same diagnostic with a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders as `path:line:column: error: message` plus an indented `help:` line.
    pub fn render(&self, path: &str) -> String {
        let mut out = format!(
            "{path}:{}:{}: {}: {}",
            self.pos.line, self.pos.column, self.severity, self.message
        );
        if let Some(help) = &self.help {
            out.push_str("\n  help: ");
            out.push_str(help);
        }
        out
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}
