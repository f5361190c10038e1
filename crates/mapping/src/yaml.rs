//! The mapping file as a tree of YAML nodes that remember where they are.
//!
//! serde-saphyr parses the text (and reports syntax errors, duplicate keys and bad indentation
//! with positions); this module keeps every node's byte span so that the checks that come after
//! parsing — unknown keys, bad JSONPaths, template syntax, unknown OCSF attributes — can point at
//! the exact place in the file.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML node and the byte range it occupies in the mapping file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) span: Range<usize>,
    pub(crate) kind: NodeKind,
}

/// What a YAML node holds. Mappings keep their keys' nodes (and so their spans) and their order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NodeKind {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A short name of the node's type, for messages ("expected a string, found a sequence").
    pub(crate) fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Number(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a sequence",
            NodeKind::Map(_) => "a mapping",
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The node as a JSON value (for literals).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(n) => Value::Number(n.clone()),
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A scalar's text as a lookup key: strings as they are, numbers and booleans as written in
    /// JSON (`1`, `true`). Other nodes give their JSON text.
    pub(crate) fn scalar_text(&self) -> String {
        match &self.kind {
            NodeKind::Str(s) => s.clone(),
            NodeKind::Number(n) => n.to_string(),
            NodeKind::Bool(b) => b.to_string(),
            NodeKind::Null => "null".to_owned(),
            _ => self.to_json().to_string(),
        }
    }
}

/// Parses the mapping file's text into a node tree.
pub(crate) fn parse(text: &str) -> Result<Node, serde_saphyr::Error> {
    serde_saphyr::from_str::<Node>(text)
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        Ok(Node {
            span: start..start + len,
            kind: spanned.value.0,
        })
    }
}

/// Newtype so that `Spanned<Kind>` goes through serde-saphyr's span capture.
struct Kind(NodeKind);

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Kind, D::Error> {
        deserializer.deserialize_any(KindVisitor).map(Kind)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        d.deserialize_any(KindVisitor)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
        Ok(NodeKind::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeKind, E> {
        serde_json::Number::from_f64(v)
            .map(NodeKind::Number)
            .ok_or_else(|| E::custom("non-finite numbers cannot appear in OCSF documents"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<NodeKind, E> {
        Ok(NodeKind::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeKind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Node, Node>()? {
            entries.push((k, v));
        }
        Ok(NodeKind::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.clone()]
    }

    #[test]
    fn scalars_keep_their_spans() {
        let text = "a: hello\nb: \"quoted\"\nc: 42\n";
        let root = parse(text).unwrap();
        let NodeKind::Map(entries) = &root.kind else {
            panic!("{root:?}")
        };
        assert_eq!(at(text, &entries[0].0), "a");
        assert_eq!(at(text, &entries[0].1), "hello");
        assert!(
            at(text, &entries[1].1).contains("quoted"),
            "{:?}",
            entries[1].1.span
        );
        assert_eq!(at(text, &entries[2].1), "42");
        assert_eq!(entries[2].1.kind, NodeKind::Number(42.into()));
    }

    #[test]
    fn nested_nodes_keep_their_spans() {
        let text = "outputs:\n  - class: x\n    fields:\n      a.b: $.c\n";
        let root = parse(text).unwrap();
        let NodeKind::Map(top) = &root.kind else {
            panic!()
        };
        let NodeKind::Seq(outs) = &top[0].1.kind else {
            panic!()
        };
        let NodeKind::Map(out) = &outs[0].kind else {
            panic!()
        };
        let NodeKind::Map(fields) = &out[1].1.kind else {
            panic!()
        };
        assert_eq!(at(text, &fields[0].0), "a.b");
        assert_eq!(at(text, &fields[0].1), "$.c");
    }

    #[test]
    fn duplicate_keys_are_errors_with_a_location() {
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.location().map(|l| l.line()), Some(2), "{err}");
    }
}
