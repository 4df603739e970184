//! A serde [`Deserializer`] over the spanned YAML tree, driven by k8s-openapi's own `Deserialize`
//! impls, so the Kubernetes types themselves say which fields exist and what type each holds.
//!
//! k8s-openapi's generated impls call `deserialize_struct(NAME, FIELDS, visitor)` with every
//! known field name and read each field as an `Option`, ignoring unknown keys. This deserializer
//! reports what they would silently accept or reject, with the line and column of the YAML:
//!
//! - a key that is not in `FIELDS` is a warning with a did-you-mean, and is never shown to the
//!   visitor;
//! - a value of the wrong shape is an error; the visitor then gets a placeholder of the type it
//!   asked for (`0`, `""`, an empty list), so one mistake does not hide the ones after it;
//! - a template (`{{ … }}`) is rendered at run time, so it stands for any value: the visitor
//!   gets a placeholder and nothing is reported.
//!
//! It never panics: errors travel as values, and a visitor's own error (rare: the types above
//! are checked before the visitor sees them) ends the walk with one diagnostic.

use super::quantity;
use crate::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::template::is_template;
use crate::yaml::{Node, Value};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;

/// A timestamp that Kubernetes' `Time` accepts, fed for templates and mistakes.
const EPOCH: &str = "1970-01-01T00:00:00Z";
/// Structs with more fields than this are not listed in a help line; `kubectl explain` is.
const MAX_LISTED_FIELDS: usize = 10;

/// One step of the path from the root mapping to a value.
#[derive(Debug, Clone)]
enum Seg {
    Field(String),
    Index(usize),
}

/// A mapping with a `name`, like a container: messages say which one.
#[derive(Debug)]
struct Owner {
    /// Length of the path where the owner stands.
    depth: usize,
    /// Its Kubernetes type, like `Container`.
    kind: &'static str,
    /// Its `name`.
    name: String,
}

/// What one walk carries along: where it is, and what it found.
#[derive(Debug)]
pub(super) struct State {
    /// The root's name in messages: `spec`, `podSpec` or `metadata`.
    root: &'static str,
    /// What `kubectl explain` calls the root: `pod.spec` or `pod.metadata`.
    explain_root: &'static str,
    /// A partial value (an overlay): fields Kubernetes requires may be left out.
    pub(super) partial: bool,
    path: Vec<Seg>,
    owners: Vec<Owner>,
    /// Kubernetes type of each mapping read as a struct, by position.
    pub(super) structs: HashMap<Pos, &'static str>,
    /// What the walk found.
    pub(super) diags: Vec<Diagnostic>,
}

impl State {
    pub(super) fn new(root: &'static str, explain_root: &'static str, partial: bool) -> Self {
        State {
            root,
            explain_root,
            partial,
            path: Vec::new(),
            owners: Vec::new(),
            structs: HashMap::new(),
            diags: Vec::new(),
        }
    }

    /// `spec.containers[0].resources`.
    pub(super) fn path(&self) -> String {
        let mut out = self.root.to_string();
        for seg in &self.path {
            push_seg(&mut out, seg);
        }
        out
    }

    /// The value's own name: its field and any list indices after it, like `command[1]`.
    fn name(&self) -> String {
        let start = self.path.iter().rposition(|s| matches!(s, Seg::Field(_)));
        match start {
            Some(i) => {
                let mut out = String::new();
                for seg in &self.path[i..] {
                    push_seg(&mut out, seg);
                }
                out.trim_start_matches('.').to_string()
            }
            None => self.path(),
        }
    }

    /// `` `spec.containers[0].resources` (in Container `web`) ``, or `(a Toleration)` when no
    /// named mapping encloses the value.
    fn place(&self, kind: Option<&str>) -> String {
        let path = self.path();
        match (self.owners.last(), kind) {
            (Some(o), _) if o.depth == self.path.len() => format!("`{path}` ({} `{}`)", o.kind, o.name),
            (Some(o), _) => format!("`{path}` (in {} `{}`)", o.kind, o.name),
            (None, Some(kind)) => format!("`{path}` ({} {kind})", article(kind)),
            (None, None) => format!("`{path}`"),
        }
    }

    /// `pod.spec.containers.resources`, for `kubectl explain`.
    fn explain_path(&self) -> String {
        let mut out = self.explain_root.to_string();
        for seg in &self.path {
            if let Seg::Field(f) = seg {
                out.push('.');
                out.push_str(f);
            }
        }
        out
    }

    /// An error for a value of the wrong shape; `fix` says how to write it.
    fn wrong_type(&mut self, node: &Node, expected: &str, fix: &str) {
        let d = Diagnostic::error(
            node.pos,
            "k8s-wrong-type",
            format!("`{}` must be {expected}, found {}", self.name(), node.kind_name()),
        )
        .with_help(format!("{fix}; at {}", self.place(None)));
        self.diags.push(d);
    }

    /// A warning for a key the Kubernetes type does not have.
    fn unknown_field(&mut self, key_node: &Node, key: &str, kind: &str, fields: &[&str]) {
        let message = match did_you_mean(key, fields.iter().copied()) {
            Some(s) => format!("unknown field `{key}`; did you mean `{s}`?"),
            None => format!("unknown field `{key}`"),
        };
        let place = self.place(Some(kind));
        let help = if fields.len() <= MAX_LISTED_FIELDS {
            format!("{place} has: {}", fields.join(", "))
        } else {
            format!("{place}: `kubectl explain {}` lists its fields", self.explain_path())
        };
        self.diags.push(
            Diagnostic::warning(key_node.pos, "k8s-unknown-field", message)
                .with_help(format!("{help}; Kubernetes ignores unknown fields")),
        );
    }

    /// Turns a visitor's error into a diagnostic at `node`, unless one already claimed it.
    fn claim(&self, node: &Node, mut e: DeError) -> DeError {
        if e.diagnostic.is_some() || e.quiet {
            return e;
        }
        let place = self.place(None);
        e.diagnostic = match &e.problem {
            Problem::Type(expected) => Some(
                Diagnostic::error(
                    node.pos,
                    "k8s-wrong-type",
                    format!(
                        "`{}` must be {}, found {}",
                        self.name(),
                        friendly(expected),
                        node.kind_name()
                    ),
                )
                .with_help(format!("at {place}")),
            ),
            Problem::Missing(_) if self.partial => None,
            Problem::Missing(field) => Some(
                Diagnostic::error(
                    node.pos,
                    "k8s-missing-field",
                    format!("`{}` has no `{field}`", self.path()),
                )
                .with_help(format!("Kubernetes requires `{field}` here; at {place}")),
            ),
            Problem::Other(message) => Some(
                Diagnostic::error(node.pos, "k8s-invalid-value", format!("`{}`: {message}", self.name()))
                    .with_help(format!("at {place}")),
            ),
        };
        e.quiet = e.diagnostic.is_none();
        e
    }
}

fn push_seg(out: &mut String, seg: &Seg) {
    match seg {
        Seg::Field(f) => {
            out.push('.');
            out.push_str(f);
        }
        Seg::Index(i) => out.push_str(&format!("[{i}]")),
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

/// serde's names of expected types, as the flow's other messages say them.
fn friendly(expected: &str) -> String {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" => "a mapping".into(),
        other if other.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !other.contains(' ') => {
            format!("{} {other}", article(other))
        }
        other => other.to_string(),
    }
}

/// Why a value could not be read.
#[derive(Debug)]
enum Problem {
    /// A value of another type was expected (serde's description of it).
    Type(String),
    /// A field the type requires is absent.
    Missing(&'static str),
    /// Anything else a visitor said.
    Other(String),
}

/// The deserializer's error: a problem, and once a node claimed it, the diagnostic.
#[derive(Debug)]
pub(super) struct DeError {
    problem: Problem,
    /// Set by the innermost node that saw the error.
    pub(super) diagnostic: Option<Diagnostic>,
    /// An error about a placeholder, or one not worth reporting: never becomes a diagnostic.
    quiet: bool,
}

impl DeError {
    fn new(problem: Problem) -> Self {
        DeError {
            problem,
            diagnostic: None,
            quiet: false,
        }
    }

    fn quiet(mut self) -> Self {
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
fn quiet<T>(r: Result<T, DeError>) -> Result<T, DeError> {
    r.map_err(DeError::quiet)
}

/// What a visitor says it expects, without consuming it.
fn expecting<'de, V: Visitor<'de>>(visitor: &V) -> String {
    struct Expecting<'a, V>(&'a V);
    impl<'de, V: Visitor<'de>> fmt::Display for Expecting<'_, V> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }
    }
    Expecting(visitor).to_string()
}

/// Reads one YAML node as whatever a k8s-openapi type asks for.
pub(super) struct NodeDe<'n, 's> {
    node: &'n Node,
    st: &'s mut State,
}

impl<'n, 's> NodeDe<'n, 's> {
    pub(super) fn new(node: &'n Node, st: &'s mut State) -> Self {
        NodeDe { node, st }
    }

    fn template(&self) -> bool {
        matches!(&self.node.value, Value::String(s) if is_template(s))
    }

    /// Whole numbers in `min..=max`.
    fn int<'de, V: Visitor<'de>>(self, visitor: V, min: i64, max: i64) -> Result<V::Value, DeError> {
        if self.template() {
            return quiet(Dummy::default().deserialize_i64(visitor));
        }
        let NodeDe { node, st } = self;
        match &node.value {
            Value::Int(i) if (min..=max).contains(i) => visitor.visit_i64(*i).map_err(|e| st.claim(node, e)),
            Value::Int(i) => {
                let d = Diagnostic::error(
                    node.pos,
                    "k8s-wrong-type",
                    format!("`{}` must be a whole number from {min} to {max}, found {i}", st.name()),
                )
                .with_help(format!("at {}", st.place(None)));
                st.diags.push(d);
                quiet(visitor.visit_i64(0))
            }
            other => {
                let fix = match other {
                    Value::String(s) if s.trim().parse::<i64>().is_ok() => {
                        format!("remove the quotes: `{}`", s.trim())
                    }
                    _ => "write a whole number, like `30`, or a template".to_string(),
                };
                st.wrong_type(node, "a whole number", &fix);
                quiet(visitor.visit_i64(0))
            }
        }
    }

    fn float<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.template() {
            return quiet(Dummy::default().deserialize_f64(visitor));
        }
        let NodeDe { node, st } = self;
        match &node.value {
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => visitor.visit_f64(*i as f64).map_err(|e| st.claim(node, e)),
            Value::Float(f) => visitor.visit_f64(*f).map_err(|e| st.claim(node, e)),
            _ => {
                st.wrong_type(node, "a number", "write a number, like `1.5`");
                quiet(visitor.visit_f64(0.0))
            }
        }
    }

    fn string<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let NodeDe { node, st } = self;
        match &node.value {
            Value::String(s) => visitor.visit_str(s).map_err(|e| st.claim(node, e)),
            other => {
                let fix = match (other, node.scalar_text()) {
                    (Value::Null, _) | (_, None) => "write a single value".to_string(),
                    (_, Some(text)) => format!("quote it: `\"{text}\"`"),
                };
                st.wrong_type(node, "a string", &fix);
                quiet(visitor.visit_str(""))
            }
        }
    }

    /// `IntOrString` (probe ports): a number or a name.
    fn int_or_string<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let NodeDe { node, st } = self;
        match &node.value {
            Value::Int(i) if i32::try_from(*i).is_ok() => visitor.visit_i64(*i).map_err(|e| st.claim(node, e)),
            Value::String(s) => visitor.visit_str(s).map_err(|e| st.claim(node, e)),
            _ => {
                st.wrong_type(
                    node,
                    "a whole number or a name",
                    "write a port number like `8080` or a port name like `http`",
                );
                quiet(visitor.visit_str(""))
            }
        }
    }

    /// `Quantity`: `500Mi`, `300m`, `2`, `0.5`.
    fn quantity<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let NodeDe { node, st } = self;
        match &node.value {
            Value::Int(_) => visitor.visit_newtype_struct(NodeDe { node, st }),
            Value::Float(f) if f.is_finite() => visitor.visit_newtype_struct(NodeDe { node, st }),
            Value::String(s) if quantity::is_quantity(s) => visitor.visit_newtype_struct(NodeDe { node, st }),
            Value::String(_) | Value::Float(_) => {
                let text = node.scalar_text().unwrap_or_default();
                let d = Diagnostic::error(
                    node.pos,
                    "k8s-invalid-quantity",
                    format!("`{}` is `{text}`, which is not a Kubernetes quantity", st.name()),
                );
                let help = match quantity::suggest(&text) {
                    Some(s) => format!("did you mean {s}? at {}", st.place(None)),
                    None => format!("{}; at {}", quantity::HELP, st.place(None)),
                };
                st.diags.push(d.with_help(help));
                quiet(visitor.visit_newtype_struct(Dummy::default()))
            }
            _ => {
                st.wrong_type(node, "a quantity", quantity::HELP);
                quiet(visitor.visit_newtype_struct(Dummy::default()))
            }
        }
    }

    /// `Time`: an RFC 3339 timestamp.
    fn time<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let NodeDe { node, st } = self;
        match &node.value {
            Value::String(s) if s.parse::<jiff::Timestamp>().is_ok() => {
                visitor.visit_newtype_struct(NodeDe { node, st })
            }
            _ => {
                st.wrong_type(
                    node,
                    "a timestamp",
                    "write an RFC 3339 time, like `2024-05-01T12:00:00Z`",
                );
                quiet(visitor.visit_newtype_struct(Dummy { text: EPOCH }))
            }
        }
    }

    fn seq<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let NodeDe { node, st } = self;
        match &node.value {
            Value::Seq(items) => visitor
                .visit_seq(SeqDe {
                    items: items.iter(),
                    index: 0,
                    st: &mut *st,
                })
                .map_err(|e| st.claim(node, e)),
            _ => {
                st.wrong_type(node, "a list", "write each item on its own line, starting with `- `");
                quiet(visitor.visit_seq(Empty))
            }
        }
    }

    fn map<'de, V: Visitor<'de>>(
        self,
        visitor: V,
        strukt: Option<(&'static str, &'static [&'static str])>,
    ) -> Result<V::Value, DeError> {
        let NodeDe { node, st } = self;
        let Value::Map(entries) = &node.value else {
            let fix = match strukt {
                Some((kind, _)) => format!("write the {kind} as `key: value` lines"),
                None => "write it as `key: value` lines, indented under its name".to_string(),
            };
            st.wrong_type(node, "a mapping", &fix);
            return quiet(visitor.visit_map(Empty));
        };
        let mut owned = false;
        if let Some((kind, _)) = strukt {
            st.structs.insert(node.pos, kind);
            if let Some(name) = node.get("name").and_then(Node::as_str)
                && !is_template(name)
            {
                st.owners.push(Owner {
                    depth: st.path.len(),
                    kind,
                    name: name.to_string(),
                });
                owned = true;
            }
        }
        let r = visitor.visit_map(MapDe {
            entries: entries.iter(),
            strukt,
            seen: HashMap::new(),
            value: None,
            st: &mut *st,
        });
        if owned {
            st.owners.pop();
        }
        r.map_err(|e| st.claim(node, e))
    }
}

/// Placeholder-fed methods for templates, else `$body`.
macro_rules! unless_template {
    ($self:ident, $dummy:expr, $body:expr) => {{
        if $self.template() {
            return quiet($dummy);
        }
        $body
    }};
}

macro_rules! ints {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.int(visitor, i64::try_from(<$ty>::MIN).unwrap_or(i64::MIN), i64::try_from(<$ty>::MAX).unwrap_or(i64::MAX))
        }
    )*};
}

impl<'de> Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        unless_template!(self, Dummy::default().deserialize_any(visitor), {
            if expecting(&visitor) == "IntOrString" {
                return self.int_or_string(visitor);
            }
            let NodeDe { node, st } = self;
            let r = match &node.value {
                Value::Null => visitor.visit_unit(),
                Value::Bool(b) => visitor.visit_bool(*b),
                Value::Int(i) => visitor.visit_i64(*i),
                Value::Float(f) => visitor.visit_f64(*f),
                Value::String(s) => visitor.visit_str(s),
                Value::Seq(_) => return NodeDe { node, st }.seq(visitor),
                Value::Map(_) => return NodeDe { node, st }.map(visitor, None),
            };
            r.map_err(|e| st.claim(node, e))
        })
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        unless_template!(self, Dummy::default().deserialize_bool(visitor), {
            let NodeDe { node, st } = self;
            match &node.value {
                Value::Bool(b) => visitor.visit_bool(*b).map_err(|e| st.claim(node, e)),
                other => {
                    let fix = match other {
                        Value::String(s) if s == "true" || s == "false" => format!("remove the quotes: `{s}`"),
                        _ => "write `true` or `false`".to_string(),
                    };
                    st.wrong_type(node, "true or false", &fix);
                    quiet(visitor.visit_bool(false))
                }
            }
        })
    }

    ints!(
        deserialize_i8: i8,
        deserialize_i16: i16,
        deserialize_i32: i32,
        deserialize_i64: i64,
        deserialize_u8: u8,
        deserialize_u16: u16,
        deserialize_u32: u32,
        deserialize_u64: u64,
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.float(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.float(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        unless_template!(self, Dummy::default().deserialize_char(visitor), self.string(visitor))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        unless_template!(self, Dummy::default().deserialize_unit(visitor), {
            let NodeDe { node, st } = self;
            if node.value != Value::Null {
                st.wrong_type(node, "nothing (null)", "leave the value empty");
            }
            quiet(visitor.visit_unit())
        })
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        unless_template!(
            self,
            Dummy::default().deserialize_newtype_struct(name, visitor),
            match name {
                "Quantity" => self.quantity(visitor),
                "Time" | "MicroTime" => self.time(visitor),
                _ => visitor.visit_newtype_struct(self),
            }
        )
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        unless_template!(self, Dummy::default().deserialize_seq(visitor), self.seq(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        unless_template!(self, Dummy::default().deserialize_map(visitor), self.map(visitor, None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        unless_template!(
            self,
            Dummy::default().deserialize_struct(name, fields, visitor),
            self.map(visitor, Some((name, fields)))
        )
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        unless_template!(self, Dummy::default().deserialize_enum(name, variants, visitor), {
            let NodeDe { node, st } = self;
            match &node.value {
                Value::String(s) => visitor
                    .visit_enum(de::value::StrDeserializer::<DeError>::new(s))
                    .map_err(|e| st.claim(node, e)),
                _ => {
                    st.wrong_type(node, "a string", &format!("write one of {}", variants.join(", ")));
                    Err(DeError::new(Problem::Other(String::new())).quiet())
                }
            }
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqDe<'n, 's> {
    items: std::slice::Iter<'n, Node>,
    index: usize,
    st: &'s mut State,
}

impl<'de> SeqAccess<'de> for SeqDe<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        self.st.path.push(Seg::Index(self.index));
        self.index += 1;
        let r = seed.deserialize(NodeDe {
            node,
            st: &mut *self.st,
        });
        self.st.path.pop();
        r.map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A mapping read as a struct (with the field names the type knows) or as a map.
struct MapDe<'n, 's> {
    entries: std::slice::Iter<'n, (Node, Node)>,
    strukt: Option<(&'static str, &'static [&'static str])>,
    seen: HashMap<String, Pos>,
    value: Option<(String, &'n Node)>,
    st: &'s mut State,
}

impl<'de> MapAccess<'de> for MapDe<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        for (k, v) in self.entries.by_ref() {
            let key = k.scalar_text().unwrap_or_default();
            if let Some(first) = self.seen.get(&key) {
                let d = Diagnostic::error(
                    k.pos,
                    "duplicate-key",
                    format!("`{key}` is set twice in `{}`", self.st.path()),
                )
                .with_help(format!("remove one of them; the other is at line {}", first.line));
                self.st.diags.push(d);
            } else {
                self.seen.insert(key.clone(), k.pos);
            }
            if let Some((kind, fields)) = self.strukt
                && !fields.contains(&key.as_str())
            {
                if !is_template(&key) {
                    self.st.unknown_field(k, &key, kind, fields);
                }
                continue;
            }
            let r = seed.deserialize(KeyDe(&key));
            self.value = Some((key, v));
            return r.map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        let Some((key, node)) = self.value.take() else {
            return Err(DeError::new(Problem::Other("a value without a key".into())).quiet());
        };
        self.st.path.push(Seg::Field(key));
        let r = seed.deserialize(NodeDe {
            node,
            st: &mut *self.st,
        });
        self.st.path.pop();
        r
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A mapping key: always text (JSON keys are strings, so `1: a` is the key `"1"`).
struct KeyDe<'a>(&'a str);

impl<'de> Deserializer<'de> for KeyDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// An empty list or mapping, fed for values of the wrong shape.
struct Empty;

impl<'de> SeqAccess<'de> for Empty {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, _seed: T) -> Result<Option<T::Value>, DeError> {
        Ok(None)
    }
}

impl<'de> MapAccess<'de> for Empty {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _seed: K) -> Result<Option<K::Value>, DeError> {
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, _seed: T) -> Result<T::Value, DeError> {
        Err(DeError::new(Problem::Other("a value without a key".into())).quiet())
    }
}

/// A placeholder of whatever type the visitor asks for: what a template stands for until run
/// time, and what a mistake is replaced with so the walk goes on.
#[derive(Debug, Clone, Copy, Default)]
struct Dummy {
    /// Text given for strings and untyped values.
    text: &'static str,
}

impl<'de> Deserializer<'de> for Dummy {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bool(false)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i64(0)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i64(0)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i64(0)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i64(0)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u64(0)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u64(0)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u64(0)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u64(0)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_f64(0.0)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_f64(0.0)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_char('x')
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bytes(self.text.as_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bytes(self.text.as_bytes())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_none()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        match name {
            "Time" | "MicroTime" => visitor.visit_newtype_struct(Dummy { text: EPOCH }),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(Empty)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(Empty)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_seq(Empty)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(Empty)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_map(Empty)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match variants.first() {
            Some(first) => visitor.visit_enum(de::value::StrDeserializer::<DeError>::new(first)),
            None => Err(DeError::new(Problem::Other("an enum without variants".into())).quiet()),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.text)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}
