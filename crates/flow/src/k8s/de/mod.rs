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

mod access;
mod dummy;
mod error;
mod scalars;
mod state;

pub(super) use error::DeError;
pub(super) use state::State;

use crate::template::is_template;
use crate::yaml::{Node, Value};
use dummy::Dummy;
use error::{Problem, quiet};
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Reads one YAML node as whatever a k8s-openapi type asks for.
pub(in crate::k8s) struct NodeDe<'n, 's> {
    node: &'n Node,
    st: &'s mut State,
}

impl<'n, 's> NodeDe<'n, 's> {
    /// Reads `node`, reporting into `st`.
    pub(in crate::k8s) fn new(node: &'n Node, st: &'s mut State) -> Self {
        NodeDe { node, st }
    }

    fn template(&self) -> bool {
        !self.st.rendered && matches!(&self.node.value, Value::String(s) if is_template(s))
    }
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
                Value::String(s) if st.rendered && (s == "true" || s == "false") => {
                    visitor.visit_bool(s == "true").map_err(|e| st.claim(node, e))
                }
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
