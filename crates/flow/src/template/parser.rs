//! Pebble's parser: tokens become [`Node`]s, expressions by precedence climbing with
//! Pebble's table (`or` 10, `and` 15, `is`/`contains` 20, comparisons 30, `+ -` 40,
//! `* / %` 60, `|` 100, `~` 110, `..` and Kestra's `??`/`???` 120, unary 500) and the ternary
//! `a ? b : c` at the top of an expression, as `ExpressionParser` does.

use serde_json::Value;

use super::ast::{Arg, BinOp, Call, Expr, Kind, Node};
use super::lexer::{Spanned, Tok};
use super::{TemplateError, TemplateErrorKind, terr};

/// The tags Sluice understands, for error messages.
const TAGS: &str = "if/elseif/else/endif, for/else/endfor, set, filter/endfilter, raw/endraw";

pub(super) struct Parser {
    toks: Vec<Spanned>,
    pos: usize,
}

fn binary(op: &str) -> Option<(BinOp, u16)> {
    Some(match op {
        "or" => (BinOp::Or, 10),
        "and" => (BinOp::And, 15),
        "contains" => (BinOp::Contains, 20),
        "==" | "equals" => (BinOp::Eq, 30),
        "!=" => (BinOp::Ne, 30),
        ">" => (BinOp::Gt, 30),
        "<" => (BinOp::Lt, 30),
        ">=" => (BinOp::Ge, 30),
        "<=" => (BinOp::Le, 30),
        "+" => (BinOp::Add, 40),
        "-" => (BinOp::Sub, 40),
        "*" => (BinOp::Mul, 60),
        "/" => (BinOp::Div, 60),
        "%" => (BinOp::Mod, 60),
        "~" => (BinOp::Concat, 110),
        ".." => (BinOp::Range, 120),
        "??" => (BinOp::Coalesce, 120),
        "???" => (BinOp::CoalesceUndefined, 120),
        _ => return None,
    })
}

/// Where a body stops: the tag names that end it.
type Ends = &'static [&'static str];

impl Parser {
    pub(super) fn new(toks: Vec<Spanned>) -> Self {
        Self { toks, pos: 0 }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn line(&self) -> usize {
        self.toks.get(self.pos).or_else(|| self.toks.last()).map_or(1, |t| t.1)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.0.clone());
        self.pos += 1;
        t
    }

    fn err(&self, message: String, help: Option<&str>) -> TemplateError {
        terr(
            TemplateErrorKind::Syntax,
            message,
            Some(self.line()),
            help.map(str::to_string),
        )
    }

    fn describe(t: Option<&Tok>) -> String {
        match t {
            None => "the end of the template".into(),
            Some(Tok::Close) => "the end of the block".into(),
            Some(Tok::Name(n)) => format!("`{n}`"),
            Some(Tok::Op(o)) => format!("`{o}`"),
            Some(Tok::Punct(c)) => format!("`{c}`"),
            Some(Tok::Str(s)) => format!("the string '{s}'"),
            Some(Tok::Long(n)) => format!("`{n}`"),
            Some(Tok::Double(n)) => format!("`{n}`"),
            Some(t) => format!("{t:?}"),
        }
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), TemplateError> {
        if self.peek() == Some(&want) {
            self.pos += 1;
            return Ok(());
        }
        let help = match (&want, self.peek()) {
            (Tok::Close, Some(Tok::Name(n))) if n == "if" || n == "else" => {
                Some("Pebble has no `b if a else c`; write `a ? b : c`")
            }
            _ => None,
        };
        Err(self.err(format!("expected {what}, found {}", Self::describe(self.peek())), help))
    }

    fn name(&mut self, what: &str) -> Result<String, TemplateError> {
        match self.peek() {
            Some(Tok::Name(n)) => {
                let n = n.clone();
                self.pos += 1;
                Ok(n)
            }
            other => Err(self.err(format!("expected {what}, found {}", Self::describe(other)), None)),
        }
    }

    /// Parses the whole template.
    pub(super) fn template(&mut self) -> Result<Vec<Node>, TemplateError> {
        let (nodes, end) = self.body(&[])?;
        match end {
            None => Ok(nodes),
            Some(tag) => Err(self.err(format!("`{{% {tag} %}}` without its opening tag"), None)),
        }
    }

    /// Nodes up to one of the `ends` tags (consumed, returned) or the end of input.
    fn body(&mut self, ends: Ends) -> Result<(Vec<Node>, Option<String>), TemplateError> {
        let mut nodes = Vec::new();
        while let Some(tok) = self.next() {
            match tok {
                Tok::Text(t) => nodes.push(Node::Text(t)),
                Tok::PrintOpen => {
                    if self.peek() == Some(&Tok::Close) {
                        return Err(self.err("empty `{{ }}`: write an expression inside".into(), None));
                    }
                    let e = self.expression()?;
                    self.expect(Tok::Close, "`}}`")?;
                    nodes.push(Node::Print(e));
                }
                Tok::ExecOpen => {
                    let tag = self.name("a tag name after `{%`")?;
                    if ends.contains(&tag.as_str()) {
                        return Ok((nodes, Some(tag)));
                    }
                    nodes.push(self.tag(&tag)?);
                }
                other => return Err(self.err(format!("unexpected {}", Self::describe(Some(&other))), None)),
            }
        }
        // The closing tag is the last of `ends` (`endif` after `elseif` and `else`).
        if let Some(last) = ends.last() {
            let what = format!("missing `{{% {last} %}}`");
            return Err(self.err(what, Some("close every block tag")));
        }
        Ok((nodes, None))
    }

    fn tag(&mut self, tag: &str) -> Result<Node, TemplateError> {
        match tag {
            "if" => {
                let mut branches = Vec::new();
                let mut cond = self.expression()?;
                loop {
                    self.expect(Tok::Close, "`%}`")?;
                    let (body, end) = self.body(&["elseif", "else", "endif"])?;
                    branches.push((cond, body));
                    match end.as_deref() {
                        Some("elseif") => cond = self.expression()?,
                        Some("else") => {
                            self.expect(Tok::Close, "`%}`")?;
                            let (otherwise, _) = self.body(&["endif"])?;
                            self.expect(Tok::Close, "`%}`")?;
                            return Ok(Node::If { branches, otherwise });
                        }
                        _ => {
                            self.expect(Tok::Close, "`%}`")?;
                            return Ok(Node::If {
                                branches,
                                otherwise: Vec::new(),
                            });
                        }
                    }
                }
            }
            "for" => {
                let var = self.name("a loop variable")?;
                if self.peek() == Some(&Tok::Punct(',')) {
                    return Err(self.err(
                        "Pebble loops take one variable".into(),
                        Some("loop over a map's entries: `{% for e in map %}{{ e.key }}{{ e.value }}{% endfor %}`"),
                    ));
                }
                match self.next() {
                    Some(Tok::Name(n)) if n == "in" => {}
                    _ => return Err(self.err("expected `in` in `{% for x in items %}`".into(), None)),
                }
                let iter = self.expression()?;
                self.expect(Tok::Close, "`%}`")?;
                let (body, end) = self.body(&["else", "endfor"])?;
                let mut otherwise = Vec::new();
                if end.as_deref() == Some("else") {
                    self.expect(Tok::Close, "`%}`")?;
                    otherwise = self.body(&["endfor"])?.0;
                }
                self.expect(Tok::Close, "`%}`")?;
                Ok(Node::For {
                    var,
                    iter,
                    body,
                    otherwise,
                })
            }
            "set" => {
                let name = self.name("a variable name")?;
                self.expect(Tok::Punct('='), "`=` in `{% set x = value %}`")?;
                let value = self.expression()?;
                self.expect(Tok::Close, "`%}`")?;
                Ok(Node::Set { name, value })
            }
            "filter" => {
                let mut filters = vec![self.call_after_name()?];
                while self.peek() == Some(&Tok::Op("|")) {
                    self.pos += 1;
                    filters.push(self.call_after_name()?);
                }
                self.expect(Tok::Close, "`%}`")?;
                let (body, _) = self.body(&["endfilter"])?;
                self.expect(Tok::Close, "`%}`")?;
                Ok(Node::Filter { filters, body })
            }
            other => Err(self.err(
                format!("unknown tag `{{% {other} %}}`"),
                Some(&format!("Sluice's templates have the tags {TAGS}")),
            )),
        }
    }

    /// A full expression, with the ternary at its top.
    pub(super) fn expression(&mut self) -> Result<Expr, TemplateError> {
        let cond = self.binary(0)?;
        if self.peek() != Some(&Tok::Punct('?')) {
            return Ok(cond);
        }
        let line = self.line();
        self.pos += 1;
        let then = self.expression()?;
        self.expect(Tok::Punct(':'), "`:` in `a ? b : c`")?;
        let otherwise = self.expression()?;
        Ok(Expr::new(
            Kind::Ternary(Box::new(cond), Box::new(then), Box::new(otherwise)),
            line,
        ))
    }

    fn binary(&mut self, min: u16) -> Result<Expr, TemplateError> {
        let line = self.line();
        let mut left = match self.peek() {
            Some(Tok::Op(op @ ("not" | "-" | "+"))) => {
                let op = *op;
                self.pos += 1;
                // Pebble 3.2 parses the operand at the operator's precedence, 500 for all
                // three: `not a and b` is `(not a) and b`, then the binary loop goes on.
                let inner = Box::new(self.binary(500)?);
                let kind = match op {
                    "not" => Kind::Not(inner),
                    "-" => Kind::Neg(inner),
                    _ => Kind::Plus(inner),
                };
                Expr::new(kind, line)
            }
            _ => self.primary()?,
        };
        loop {
            let line = self.line();
            let op = match self.peek() {
                Some(Tok::Op(op)) => *op,
                _ => break,
            };
            match op {
                "|" if min <= 100 => {
                    self.pos += 1;
                    let call = self.call_after_name()?;
                    left = Expr::new(Kind::Filter(Box::new(left), call), line);
                }
                "is" | "is not" if min <= 20 => {
                    self.pos += 1;
                    let call = self.call_after_name()?;
                    left = Expr::new(Kind::Test(Box::new(left), call, op == "is not"), line);
                }
                _ => match binary(op) {
                    Some((bin, prec)) if prec >= min => {
                        self.pos += 1;
                        let right = self.binary(prec + 1)?;
                        left = Expr::new(Kind::Bin(bin, Box::new(left), Box::new(right)), line);
                    }
                    _ => break,
                },
            }
        }
        Ok(left)
    }

    /// `name` or `name(args)` after `|`, `is` or `{% filter`.
    fn call_after_name(&mut self) -> Result<Call, TemplateError> {
        let line = self.line();
        let name = match self.peek() {
            Some(Tok::Op(op @ ("null" | "empty"))) => op.to_string(),
            _ => self.name("a filter or test name")?,
        };
        let args = match self.peek() {
            Some(Tok::Punct('(')) => self.args()?,
            _ => Vec::new(),
        };
        Ok(Call { name, args, line })
    }

    fn args(&mut self) -> Result<Vec<Arg>, TemplateError> {
        self.expect(Tok::Punct('('), "`(`")?;
        let mut args = Vec::new();
        while self.peek() != Some(&Tok::Punct(')')) {
            let named = match (self.peek(), self.toks.get(self.pos + 1).map(|t| &t.0)) {
                (Some(Tok::Name(n)), Some(Tok::Punct('='))) => Some(n.clone()),
                _ => None,
            };
            if named.is_some() {
                self.pos += 2;
            } else if args.iter().any(|a: &Arg| a.name.is_some()) {
                return Err(self.err("positional argument after a named one".into(), None));
            }
            let value = self.expression()?;
            args.push(Arg { name: named, value });
            if self.peek() == Some(&Tok::Punct(',')) {
                self.pos += 1;
            } else if self.peek() != Some(&Tok::Punct(')')) {
                return Err(self.err(
                    format!("expected `,` or `)`, found {}", Self::describe(self.peek())),
                    None,
                ));
            }
        }
        self.pos += 1;
        Ok(args)
    }

    fn primary(&mut self) -> Result<Expr, TemplateError> {
        let line = self.line();
        let kind = match self.next() {
            Some(Tok::Punct('(')) => {
                let e = self.expression()?;
                self.expect(Tok::Punct(')'), "`)`")?;
                return self.postfix(e);
            }
            Some(Tok::Punct('[')) => {
                let mut items = Vec::new();
                while self.peek() != Some(&Tok::Punct(']')) {
                    items.push(self.expression()?);
                    if self.peek() == Some(&Tok::Punct(',')) {
                        self.pos += 1;
                    } else if self.peek() != Some(&Tok::Punct(']')) {
                        return Err(self.err("expected `,` or `]` in a list".into(), None));
                    }
                }
                self.pos += 1;
                Kind::List(items)
            }
            Some(Tok::Punct('{')) => {
                let mut entries = Vec::new();
                while self.peek() != Some(&Tok::Punct('}')) {
                    let key = self.expression()?;
                    self.expect(Tok::Punct(':'), "`:` between a map key and its value")?;
                    entries.push((key, self.expression()?));
                    if self.peek() == Some(&Tok::Punct(',')) {
                        self.pos += 1;
                    } else if self.peek() != Some(&Tok::Punct('}')) {
                        return Err(self.err("expected `,` or `}` in a map".into(), None));
                    }
                }
                self.pos += 1;
                Kind::Map(entries)
            }
            Some(Tok::Name(n)) => match n.as_str() {
                "true" | "TRUE" => Kind::Lit(Value::Bool(true)),
                "false" | "FALSE" => Kind::Lit(Value::Bool(false)),
                "null" | "NULL" | "none" | "NONE" => Kind::Lit(Value::Null),
                _ if self.peek() == Some(&Tok::Punct('(')) => Kind::Func(Call {
                    name: n,
                    args: self.args()?,
                    line,
                }),
                _ => Kind::Var(n),
            },
            Some(Tok::Long(n)) => Kind::Lit(Value::from(n)),
            Some(Tok::Double(n)) => Kind::Lit(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
            Some(Tok::Str(s)) => Kind::Lit(Value::String(s)),
            Some(Tok::StrOpen) => {
                let mut parts = Vec::new();
                loop {
                    match self.next() {
                        Some(Tok::Str(s)) => parts.push(Expr::new(Kind::Lit(Value::String(s)), line)),
                        Some(Tok::InterpOpen) => {
                            parts.push(self.expression()?);
                            self.expect(Tok::InterpClose, "`}` closing `#{`")?;
                        }
                        Some(Tok::StrClose) => break,
                        _ => return Err(self.err("broken string interpolation".into(), None)),
                    }
                }
                Kind::Concat(parts)
            }
            other => {
                self.pos -= 1;
                let help = match other {
                    Some(Tok::Punct('?')) => Some("`??` needs a value on both sides"),
                    _ => None,
                };
                return Err(self.err(
                    format!("expected a value, found {}", Self::describe(other.as_ref())),
                    help,
                ));
            }
        };
        self.postfix(Expr::new(kind, line))
    }

    fn postfix(&mut self, mut e: Expr) -> Result<Expr, TemplateError> {
        loop {
            let line = self.line();
            match self.peek() {
                Some(Tok::Punct('.')) => {
                    self.pos += 1;
                    let key = match self.next() {
                        Some(Tok::Name(n)) => n,
                        Some(Tok::Long(n)) => n.to_string(),
                        Some(Tok::Op(op)) if op.chars().all(char::is_alphabetic) => op.to_string(),
                        other => {
                            self.pos -= 1;
                            let found = Self::describe(other.as_ref());
                            let help = "use brackets for keys with dashes: `outputs['my-task']`";
                            return Err(self.err(format!("expected a name after `.`, found {found}"), Some(help)));
                        }
                    };
                    if self.peek() == Some(&Tok::Punct('(')) {
                        let args = self.args()?.into_iter().map(|a| a.value).collect();
                        e = Expr::new(Kind::Method(Box::new(e), key, args), line);
                    } else {
                        let key = Expr::new(Kind::Lit(Value::String(key)), line);
                        e = Expr::new(Kind::Attr(Box::new(e), Box::new(key)), line);
                    }
                }
                Some(Tok::Punct('[')) => {
                    self.pos += 1;
                    let key = self.expression()?;
                    self.expect(Tok::Punct(']'), "`]`")?;
                    e = Expr::new(Kind::Attr(Box::new(e), Box::new(key)), line);
                }
                _ => return Ok(e),
            }
        }
    }
}
