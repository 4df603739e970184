//! The parsed form of a Pebble template: nodes of text and tags, and expressions.

use serde_json::Value;

/// A piece of a template.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// Literal text.
    Text(String),
    /// `{{ expr }}`.
    Print(Expr),
    /// `{% if %}…{% elseif %}…{% else %}…{% endif %}`.
    If {
        branches: Vec<(Expr, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    /// `{% for var in iter %}…{% else %}…{% endfor %}`.
    For {
        var: String,
        iter: Expr,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    /// `{% set name = value %}`.
    Set { name: String, value: Expr },
    /// `{% filter f | g %}…{% endfilter %}`: the body's output through filters.
    Filter { filters: Vec<Call>, body: Vec<Node> },
}

/// An expression with the line it is on.
#[derive(Debug, Clone)]
pub(super) struct Expr {
    pub(super) kind: Kind,
    pub(super) line: usize,
}

/// A filter, test or function call: a name and its arguments.
#[derive(Debug, Clone)]
pub(super) struct Call {
    pub(super) name: String,
    pub(super) args: Vec<Arg>,
    pub(super) line: usize,
}

/// One argument, positional or `name=value`.
#[derive(Debug, Clone)]
pub(super) struct Arg {
    pub(super) name: Option<String>,
    pub(super) value: Expr,
}

/// Binary operators, as Pebble's core extension and Kestra's extension define them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinOp {
    Or,
    And,
    Contains,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Concat,
    Range,
    /// `??`: the right side when the left is undefined or null.
    Coalesce,
    /// `???`: the right side only when the left is undefined.
    CoalesceUndefined,
}

/// What an expression is.
#[derive(Debug, Clone)]
pub(super) enum Kind {
    Lit(Value),
    Var(String),
    /// `a.b` or `a[expr]`.
    Attr(Box<Expr>, Box<Expr>),
    /// `a.method(args)`: the few Java methods flows call on strings, lists and maps.
    Method(Box<Expr>, String, Vec<Expr>),
    Func(Call),
    Filter(Box<Expr>, Call),
    /// `a is test` (negated for `is not`).
    Test(Box<Expr>, Call, bool),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Plus(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    /// The parts of an interpolated string, joined.
    Concat(Vec<Expr>),
}

impl Expr {
    pub(super) fn new(kind: Kind, line: usize) -> Self {
        Self { kind, line }
    }

    /// The dotted path of a plain variable reference (`inputs.x`, `outputs['a-b'].c`), if it is one.
    pub(super) fn path(&self) -> Option<Vec<String>> {
        match &self.kind {
            Kind::Var(name) => Some(vec![name.clone()]),
            Kind::Attr(base, key) => {
                let mut path = base.path()?;
                match &key.kind {
                    Kind::Lit(Value::String(k)) => path.push(k.clone()),
                    Kind::Lit(Value::Number(n)) => path.push(n.to_string()),
                    _ => return None,
                }
                Some(path)
            }
            _ => None,
        }
    }
}
