//! Pebble's evaluator: renders nodes and evaluates expressions against a JSON context, in
//! Kestra's strict mode (an undefined variable fails, except under `??`, `???`, `default`
//! and `is defined`).

use std::borrow::Cow;
use std::cell::Cell;

use serde_json::{Map, Value};

use super::ast::{BinOp, Expr, Kind, Node};
use super::ops::{binary, contains, range};
use super::scope::{Fail, Scope, fail};
use super::value::{Num, java_string, print, truth, type_name};
use super::{Env, filters, functions, methods, predicates};

type Out<'s> = Result<Cow<'s, Value>, Fail>;

impl<'e> Scope<'e> {
    /// Renders `source`, text that holds a template, with this scope's variables (for
    /// `render()`); nesting is capped at Kestra's limit.
    pub(super) fn render_nested(&self, source: &str) -> Result<String, Fail> {
        if self.env.depth >= super::MAX_DEPTH {
            return fail(format!(
                "templates rendered inside templates nest deeper than {}",
                super::MAX_DEPTH
            ));
        }
        let nodes = super::parse(source).map_err(|e| {
            Fail::Error(
                format!("the text given to `render` is not a valid template: {}", e.message),
                e.help,
            )
        })?;
        let env = Env {
            depth: self.env.depth + 1,
            ..*self.env
        };
        let mut inner = Scope {
            env: &env,
            locals: self.locals.clone(),
            line: Cell::new(self.line()),
        };
        let mut out = String::new();
        inner.render(&nodes, &mut out)?;
        Ok(out)
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        match self.locals.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Some(v),
            None => self.env.root.get(name),
        }
    }

    /// Every variable visible here, for `printContext()` and suggestions.
    pub(super) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .env
            .root
            .as_object()
            .map_or(Vec::new(), |m| m.keys().cloned().collect());
        names.extend(self.locals.iter().map(|l| l.0.clone()));
        names.retain(|n| !n.starts_with("__"));
        names
    }

    /// The whole context with the local variables, as `printContext()` shows it.
    pub(super) fn context(&self) -> Value {
        let mut map = self.env.root.as_object().cloned().unwrap_or_default();
        for (k, v) in &self.locals {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map)
    }

    /// Renders `nodes` into `out`.
    pub(super) fn render(&mut self, nodes: &[Node], out: &mut String) -> Result<(), Fail> {
        for node in nodes {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Print(e) => print(out, &*self.eval(e)?),
                Node::If { branches, otherwise } => {
                    let mut chosen = otherwise;
                    for (cond, body) in branches {
                        if self.condition(cond, "if")? {
                            chosen = body;
                            break;
                        }
                    }
                    self.render(chosen, out)?; // `if` opens no scope in Pebble
                }
                Node::For {
                    var,
                    iter,
                    body,
                    otherwise,
                } => self.for_loop(var, iter, body, otherwise, out)?,
                Node::Set { name, value } => {
                    let v = self.eval(value)?.into_owned();
                    self.locals.push((name.clone(), v));
                }
                Node::Filter { filters: chain, body } => {
                    let mut inner = String::new();
                    let mark = self.locals.len();
                    self.render(body, &mut inner)?;
                    self.locals.truncate(mark);
                    let mut v = Value::String(inner);
                    for call in chain {
                        let args = self.args(&call.args)?;
                        v = filters::apply(self, &call.name, &v, &args)?;
                    }
                    print(out, &v);
                }
            }
        }
        Ok(())
    }

    fn for_loop(
        &mut self,
        var: &str,
        iter: &Expr,
        body: &[Node],
        otherwise: &[Node],
        out: &mut String,
    ) -> Result<(), Fail> {
        let items: Vec<Value> = match self.eval(iter)?.into_owned() {
            Value::Array(items) => items,
            Value::Object(map) => map
                .into_iter()
                .map(|(k, v)| Value::Object(Map::from_iter([("key".into(), Value::String(k)), ("value".into(), v)])))
                .collect(),
            Value::Null => Vec::new(),
            other => {
                return Err(Fail::Error(
                    format!("cannot loop over {}", type_name(&other)),
                    Some("loop over a list or a map; `fromJson(text)` reads a JSON string".into()),
                ));
            }
        };
        if items.is_empty() {
            return self.render(otherwise, out);
        }
        let len = items.len();
        let mark = self.locals.len();
        for (i, item) in items.into_iter().enumerate() {
            let lp = serde_json::json!({
                "index": i, "revindex": len - i - 1, "first": i == 0, "last": i + 1 == len, "length": len,
            });
            self.locals.truncate(mark);
            self.locals.push(("loop".into(), lp));
            self.locals.push((var.to_string(), item));
            self.render(body, out)?;
        }
        self.locals.truncate(mark);
        Ok(())
    }

    /// A condition of `if`, `and`, `or`, `not` or the ternary, as Pebble casts it.
    pub(super) fn condition(&self, e: &Expr, what: &str) -> Result<bool, Fail> {
        let v = self.eval(e)?;
        match truth(&v) {
            Ok(Some(b)) => Ok(b),
            Ok(None) if what == "ternary" => Ok(false),
            Ok(None) => Err(Fail::Error(
                format!("null value given to `{what}`"),
                Some(
                    "Kestra's strict mode refuses null here: test it with `is not null`, or give a default with `??`"
                        .into(),
                ),
            )),
            Err(ty) => fail(format!("`{what}` needs a boolean, a number or a string, not {ty}")),
        }
    }

    /// Evaluates arguments: positional values, then `(name, value)` for named ones.
    pub(super) fn args(&self, args: &[super::ast::Arg]) -> Result<filters::Args, Fail> {
        let mut out = filters::Args::default();
        for a in args {
            let v = self.eval(&a.value)?.into_owned();
            match &a.name {
                Some(n) => out.named.push((n.clone(), v)),
                None => out.pos.push(v),
            }
        }
        Ok(out)
    }

    /// Evaluates an expression; borrowed from the context where it can be.
    pub(super) fn eval<'s>(&'s self, e: &Expr) -> Out<'s> {
        self.line.set(e.line);
        Ok(match &e.kind {
            Kind::Lit(v) => Cow::Owned(v.clone()),
            Kind::Var(name) => match self.lookup(name) {
                Some(v) => Cow::Borrowed(v),
                None => return Err(Fail::Undefined(name.clone(), self.names())),
            },
            Kind::Attr(base, key) => return self.attr(e, base, key),
            Kind::Method(recv, name, args) => {
                let recv = self.eval(recv)?;
                let args = args
                    .iter()
                    .map(|a| self.eval(a).map(Cow::into_owned))
                    .collect::<Result<Vec<_>, _>>()?;
                Cow::Owned(methods::call(&recv, name, &args)?)
            }
            Kind::Func(call) => Cow::Owned(functions::call(self, call)?),
            Kind::Filter(input, call) => {
                let args = self.args(&call.args)?;
                let v = match (self.eval(input), call.name.as_str()) {
                    (Err(Fail::Undefined(..)), "default") => Cow::Owned(Value::Null),
                    (v, _) => v?,
                };
                Cow::Owned(filters::apply(self, &call.name, &v, &args)?)
            }
            Kind::Test(input, call, negated) => {
                let v = match (self.eval(input), call.name.as_str()) {
                    (Err(Fail::Undefined(..)), "defined") => None,
                    (v, _) => Some(v?),
                };
                let args = self.args(&call.args)?;
                let result = predicates::apply(&call.name, v.as_deref(), &args)?;
                Cow::Owned(Value::Bool(result != *negated))
            }
            Kind::Not(inner) => {
                let v = self.eval(inner)?;
                match truth(&v) {
                    Ok(Some(b)) => Cow::Owned(Value::Bool(!b)),
                    Ok(None) => return fail("null value given to `not`: test it with `is null`"),
                    Err(ty) => return fail(format!("`not` needs a boolean, not {ty}")),
                }
            }
            Kind::Neg(inner) => Cow::Owned(binary(BinOp::Mul, &Value::from(-1), &*self.eval(inner)?)?),
            Kind::Plus(inner) => Cow::Owned(binary(BinOp::Mul, &Value::from(1), &*self.eval(inner)?)?),
            Kind::Ternary(c, a, b) => match self.condition(c, "ternary")? {
                true => self.eval(a)?,
                false => self.eval(b)?,
            },
            Kind::List(items) => Cow::Owned(Value::Array(
                items
                    .iter()
                    .map(|i| self.eval(i).map(Cow::into_owned))
                    .collect::<Result<_, _>>()?,
            )),
            Kind::Map(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    let key = match &k.kind {
                        Kind::Var(name) if self.lookup(name).is_none() => name.clone(),
                        _ => java_string(&*self.eval(k)?),
                    };
                    map.insert(key, self.eval(v)?.into_owned());
                }
                Cow::Owned(Value::Object(map))
            }
            Kind::Concat(parts) => {
                let mut s = String::new();
                for p in parts {
                    print(&mut s, &*self.eval(p)?);
                }
                Cow::Owned(Value::String(s))
            }
            Kind::Bin(op, l, r) => return self.bin(*op, l, r),
        })
    }

    fn attr<'s>(&'s self, e: &Expr, base: &Expr, key: &Expr) -> Out<'s> {
        let key = self.eval(key)?;
        let path = || e.path().map_or_else(|| java_string(&key), |p| p.join("."));
        let base = self.eval(base)?;
        let found = match (&base, &*key) {
            (Cow::Borrowed(b), k) => lookup_in(b, k).map(Cow::Borrowed),
            (Cow::Owned(b), k) => lookup_in(b, k).map(|v| Cow::Owned(v.clone())),
        };
        match found {
            Some(v) => Ok(v),
            None => {
                let keys = base.as_object().map_or(Vec::new(), |m| m.keys().cloned().collect());
                Err(Fail::Undefined(path(), keys))
            }
        }
    }

    fn bin<'s>(&'s self, op: BinOp, l: &Expr, r: &Expr) -> Out<'s> {
        Ok(Cow::Owned(match op {
            BinOp::Coalesce => {
                return match self.eval(l) {
                    Ok(v) if !v.is_null() => Ok(v),
                    Ok(_) | Err(Fail::Undefined(..)) => self.eval(r),
                    Err(e) => Err(e),
                };
            }
            BinOp::CoalesceUndefined => {
                return match self.eval(l) {
                    Err(Fail::Undefined(..)) => self.eval(r),
                    other => other,
                };
            }
            BinOp::And => Value::Bool(self.condition(l, "and")? && self.condition(r, "and")?),
            BinOp::Or => Value::Bool(self.condition(l, "or")? || self.condition(r, "or")?),
            BinOp::Contains => {
                let left = self.eval(l)?;
                Value::Bool(!left.is_null() && contains(&left, &*self.eval(r)?)?)
            }
            BinOp::Range => range(&*self.eval(l)?, &*self.eval(r)?, &Value::from(1))?,
            BinOp::Concat => {
                let (a, b) = (self.eval(l)?, self.eval(r)?);
                let mut s = String::new();
                for v in [&*a, &*b] {
                    if !v.is_null() {
                        s.push_str(&java_string(v));
                    }
                }
                Value::String(s)
            }
            _ => binary(op, &*self.eval(l)?, &*self.eval(r)?)?,
        }))
    }
}

/// `map.key`, `map['key']`, `list[0]`.
fn lookup_in<'v>(base: &'v Value, key: &Value) -> Option<&'v Value> {
    match (base, key) {
        (Value::Object(m), Value::String(k)) => m.get(k),
        (Value::Object(m), other) => m.get(&java_string(other)),
        (Value::Array(a), k) => match super::value::to_num(k)? {
            Num::Long(i) if i >= 0 => a.get(usize::try_from(i).ok()?),
            _ => None,
        },
        _ => None,
    }
}
