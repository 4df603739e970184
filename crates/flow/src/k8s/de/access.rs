//! Lists and mappings: their items and entries handed to the visitor one by one, with the path
//! kept up to date, duplicate keys reported and unknown fields of a struct left out.

use super::NodeDe;
use super::dummy::Empty;
use super::error::{DeError, Problem, quiet};
use super::state::{Owner, Seg, State};
use crate::diagnostic::{Diagnostic, Pos};
use crate::template::is_template;
use crate::yaml::{Node, Value};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;

impl NodeDe<'_, '_> {
    /// A list, item by item.
    pub(super) fn seq<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
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

    /// A mapping, as a struct of the named Kubernetes type with its known `fields`, or as a
    /// map when `strukt` is `None`.
    pub(super) fn map<'de, V: Visitor<'de>>(
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
