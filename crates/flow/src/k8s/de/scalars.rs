//! Single values read for a k8s-openapi type: whole numbers in range, numbers, strings, ports
//! (`IntOrString`), quantities and timestamps, each with a fix when it is of the wrong shape.

use super::NodeDe;
use super::dummy::{Dummy, EPOCH};
use super::error::{DeError, quiet};
use crate::diagnostic::Diagnostic;
use crate::k8s::quantity;
use crate::yaml::Value;
use serde::de::{Deserializer, Visitor};

impl NodeDe<'_, '_> {
    /// Whole numbers in `min..=max`.
    pub(super) fn int<'de, V: Visitor<'de>>(self, visitor: V, min: i64, max: i64) -> Result<V::Value, DeError> {
        if self.template() {
            return quiet(Dummy::default().deserialize_i64(visitor));
        }
        let NodeDe { node, st } = self;
        match &node.value {
            Value::Int(i) if (min..=max).contains(i) => visitor.visit_i64(*i).map_err(|e| st.claim(node, e)),
            Value::String(s) if st.rendered && s.trim().parse::<i64>().is_ok_and(|i| (min..=max).contains(&i)) => {
                let i = s.trim().parse::<i64>().unwrap_or_default();
                visitor.visit_i64(i).map_err(|e| st.claim(node, e))
            }
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

    /// Any number; whole numbers are read as floats.
    pub(super) fn float<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.template() {
            return quiet(Dummy::default().deserialize_f64(visitor));
        }
        let NodeDe { node, st } = self;
        match &node.value {
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => visitor.visit_f64(*i as f64).map_err(|e| st.claim(node, e)),
            Value::Float(f) => visitor.visit_f64(*f).map_err(|e| st.claim(node, e)),
            Value::String(s) if st.rendered && s.trim().parse::<f64>().is_ok() => {
                let f = s.trim().parse::<f64>().unwrap_or_default();
                visitor.visit_f64(f).map_err(|e| st.claim(node, e))
            }
            _ => {
                st.wrong_type(node, "a number", "write a number, like `1.5`");
                quiet(visitor.visit_f64(0.0))
            }
        }
    }

    /// Text; other scalars are an error with a fix (quote it).
    pub(super) fn string<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let NodeDe { node, st } = self;
        match &node.value {
            Value::String(s) => visitor.visit_str(s).map_err(|e| st.claim(node, e)),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) if st.rendered => {
                let text = node.scalar_text().unwrap_or_default();
                visitor.visit_str(&text).map_err(|e| st.claim(node, e))
            }
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
    pub(super) fn int_or_string<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
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
    pub(super) fn quantity<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
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
    pub(super) fn time<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
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
}
