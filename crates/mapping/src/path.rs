//! JSONPath selectors, compiled once.
//!
//! Every path is parsed by serde_json_path (RFC 9535 complete) so that authors get the standard's
//! syntax and its error positions. Singular paths (`$.a.b`, `$['id.orig_h']`, `$.a[0]`) — the
//! vast majority in mappings — are then lowered to a direct key/index walk, which is several times
//! faster than running a query engine per record.

use serde_json::Value;
use serde_json_path::JsonPath;

/// A compiled selector and the text it was compiled from.
#[derive(Debug)]
pub(crate) struct Selector {
    pub(crate) text: String,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// A singular path, walked key by key: selects at most one value.
    Direct(Vec<Segment>),
    /// Anything else (wildcards, slices, filters, descendants): selects a list.
    Query(Box<JsonPath>),
}

/// One step of a direct walk.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Segment {
    Key(String),
    Index(i64),
}

/// A JSONPath that did not parse: the byte offset in the path text and the parser's message.
#[derive(Debug)]
pub(crate) struct PathSyntaxError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

impl Selector {
    /// Compiles a JSONPath.
    pub(crate) fn parse(text: &str) -> Result<Selector, PathSyntaxError> {
        let query = JsonPath::parse(text).map_err(|e| PathSyntaxError {
            offset: e.position(),
            message: e.message().to_owned(),
        })?;
        let kind = match lower_singular(text) {
            Some(segments) => Kind::Direct(segments),
            None => Kind::Query(Box::new(query)),
        };
        Ok(Selector {
            text: text.to_owned(),
            kind,
        })
    }

    /// Whether the path is walked directly (singular) rather than run as a query.
    #[cfg(test)]
    fn is_direct(&self) -> bool {
        matches!(self.kind, Kind::Direct(_))
    }

    /// The record field this path reads, as a dotted name (`alert.signature`, `id.orig_h`):
    /// for a query, the singular part before its first wildcard, filter or slice.
    pub(crate) fn reads(&self) -> Option<String> {
        let segments: Vec<Segment> = match &self.kind {
            Kind::Direct(segments) => segments.clone(),
            Kind::Query(_) => {
                let cut = self.text.find(['*', '?', ':']).unwrap_or(self.text.len());
                let cut = self.text[..cut].find("..").unwrap_or(cut);
                let head = self.text[..cut].trim_end_matches(['.', '[']);
                lower_singular(head)?
            }
        };
        let keys: Vec<String> = segments
            .into_iter()
            .map_while(|s| match s {
                Segment::Key(k) => Some(k),
                Segment::Index(_) => None,
            })
            .collect();
        (!keys.is_empty()).then(|| keys.join("."))
    }

    /// Selects from a record. A singular path gives the value it reaches; a query gives an array
    /// of every match. Nothing selected (or a JSON `null`, or an empty match list) is `None`, so
    /// that `default` applies and the attribute stays absent.
    pub(crate) fn select(&self, root: &Value) -> Option<Value> {
        match &self.kind {
            Kind::Direct(_) => self.select_direct(root).cloned(),
            Kind::Query(path) => {
                let found: Vec<Value> = path.query(root).all().into_iter().cloned().collect();
                (!found.is_empty()).then_some(Value::Array(found))
            }
        }
    }
}

impl Selector {
    /// For a singular path (walked directly): the value it selects, borrowed; `None` when
    /// absent or null, and always for a query.
    pub(crate) fn select_direct<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let Kind::Direct(segments) = &self.kind else {
            return None;
        };
        let mut node = root;
        for seg in segments {
            node = match (seg, node) {
                (Segment::Key(k), Value::Object(map)) => map.get(k)?,
                (Segment::Index(i), Value::Array(items)) => {
                    let idx = if *i < 0 { items.len() as i64 + i } else { *i };
                    items.get(usize::try_from(idx).ok()?)?
                }
                _ => return None,
            };
        }
        (!node.is_null()).then_some(node)
    }
}

/// Recognises `$`, `.name`, `['name']`, `["name"]` and `[n]` segments; anything else (or an
/// escape inside a quoted name) is left to the query engine.
fn lower_singular(text: &str) -> Option<Vec<Segment>> {
    let mut rest = text.strip_prefix('$')?;
    let mut segments = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            let mut chars = name.chars();
            let first = chars.next()?;
            let ok_first = first == '_' || first.is_ascii_alphabetic() || !first.is_ascii();
            let ok_rest = chars.all(|c| c == '_' || c.is_ascii_alphanumeric() || !c.is_ascii());
            if !(ok_first && ok_rest) {
                return None;
            }
            segments.push(Segment::Key(name.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let inner = r[..close].trim();
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            match quoted {
                Some(name) if !name.contains(['\\', '\'', '"']) => {
                    segments.push(Segment::Key(name.to_owned()))
                }
                Some(_) => return None,
                None => segments.push(Segment::Index(inner.parse().ok()?)),
            }
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    Some(segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_are_walked_directly() {
        let sel = Selector::parse("$.alert.signature").unwrap();
        assert!(sel.is_direct());
        let rec = json!({"alert": {"signature": "ET POLICY"}});
        assert_eq!(sel.select(&rec), Some(json!("ET POLICY")));
    }

    #[test]
    fn bracketed_names_with_dots_are_walked_directly() {
        let sel = Selector::parse("$['id.orig_h']").unwrap();
        assert_eq!(
            sel.select(&json!({"id.orig_h": "10.0.0.1"})),
            Some(json!("10.0.0.1"))
        );
    }

    #[test]
    fn indexes_count_from_the_end_when_negative() {
        let sel = Selector::parse("$.to[-1]").unwrap();
        assert!(sel.is_direct());
        assert_eq!(sel.select(&json!({"to": ["a", "b"]})), Some(json!("b")));
    }

    #[test]
    fn selected_values_keep_their_json_type() {
        let sel = Selector::parse("$.src_port").unwrap();
        assert_eq!(sel.select(&json!({"src_port": 32858})), Some(json!(32858)));
    }

    #[test]
    fn missing_and_null_values_select_nothing() {
        let sel = Selector::parse("$.a.b").unwrap();
        assert_eq!(sel.select(&json!({"a": {}})), None);
        assert_eq!(sel.select(&json!({"a": {"b": null}})), None);
        assert_eq!(sel.select(&json!({"a": 3})), None);
    }

    #[test]
    fn queries_select_every_match_as_an_array() {
        let sel = Selector::parse("$.rcpt[*].addr").unwrap();
        assert!(!sel.is_direct());
        let rec = json!({"rcpt": [{"addr": "a@x.org"}, {"addr": "b@x.org"}]});
        assert_eq!(sel.select(&rec), Some(json!(["a@x.org", "b@x.org"])));
        assert_eq!(sel.select(&json!({"rcpt": []})), None);
    }

    #[test]
    fn filters_run_through_the_query_engine() {
        let sel = Selector::parse("$.ev[?@.type == 'auth'].id").unwrap();
        let rec = json!({"ev": [{"type": "auth", "id": 1}, {"type": "x", "id": 2}]});
        assert_eq!(sel.select(&rec), Some(json!([1])));
    }

    #[test]
    fn paths_say_which_field_they_read() {
        let read = |p: &str| Selector::parse(p).unwrap().reads();
        assert_eq!(
            read("$.alert.signature").as_deref(),
            Some("alert.signature")
        );
        assert_eq!(read("$['id.orig_h']").as_deref(), Some("id.orig_h"));
        assert_eq!(read("$.rcpt[*].addr").as_deref(), Some("rcpt"));
        assert_eq!(read("$.to[0]").as_deref(), Some("to"));
        assert_eq!(read("$..id"), None);
    }

    #[test]
    fn syntax_errors_carry_their_offset() {
        let err = Selector::parse("$.a[?").unwrap_err();
        assert!(err.offset >= 3, "{err:?}");
        assert!(!err.message.is_empty());
    }
}
