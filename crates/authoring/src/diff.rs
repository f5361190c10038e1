//! Semantic comparison of JSON documents: key order ignored, differences listed by path.

use serde::Serialize;
use serde_json::Value;

/// One difference between an expected and an actual document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// Attribute path, e.g. `finding_info.types[0]`; empty for the whole document.
    pub path: String,
    /// The expected value; `None` when the attribute should not be there.
    pub expected: Option<Value>,
    /// The actual value; `None` when it is missing.
    pub actual: Option<Value>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        match (&self.expected, &self.actual) {
            (Some(e), Some(a)) => write!(f, "{path}: expected {e}, got {a}"),
            (Some(e), None) => write!(f, "{path}: missing (expected {e})"),
            (None, Some(a)) => write!(f, "{path}: unexpected {a}"),
            (None, None) => write!(f, "{path}: differs"),
        }
    }
}

/// Every difference between `expected` and `actual`, in path order.
pub fn diff(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk(String::new(), expected, actual, &mut out);
    out
}

fn walk(path: String, expected: &Value, actual: &Value, out: &mut Vec<Difference>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let mut keys: Vec<&String> = e
                .keys()
                .chain(a.keys().filter(|k| !e.contains_key(*k)))
                .collect();
            keys.sort();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (e.get(k), a.get(k)) {
                    (Some(ev), Some(av)) => walk(p, ev, av, out),
                    (ev, av) => out.push(Difference {
                        path: p,
                        expected: ev.cloned(),
                        actual: av.cloned(),
                    }),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            for i in 0..e.len().max(a.len()) {
                let p = format!("{path}[{i}]");
                match (e.get(i), a.get(i)) {
                    (Some(ev), Some(av)) => walk(p, ev, av, out),
                    (ev, av) => out.push(Difference {
                        path: p,
                        expected: ev.cloned(),
                        actual: av.cloned(),
                    }),
                }
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(Difference {
            path,
            expected: Some(e.clone()),
            actual: Some(a.clone()),
        }),
    }
}

/// Removes the attributes at `paths` (dotted; arrays transparent) from `doc`: volatile fields
/// that fixtures do not compare.
pub(crate) fn mask(doc: &mut Value, paths: &[String]) {
    for path in paths {
        let segments: Vec<&str> = path.split('.').collect();
        remove(doc, &segments);
    }
}

fn remove(node: &mut Value, segments: &[&str]) {
    match node {
        Value::Array(items) => items.iter_mut().for_each(|i| remove(i, segments)),
        Value::Object(map) => match segments {
            [] => {}
            [last] => {
                map.remove(*last);
            }
            [first, rest @ ..] => {
                if let Some(child) = map.get_mut(*first) {
                    remove(child, rest);
                }
            }
        },
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter() {
        assert!(diff(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1})).is_empty());
    }

    #[test]
    fn differences_are_listed_by_path() {
        let d = diff(
            &json!({"a": {"b": 1, "c": [1, 2]}}),
            &json!({"a": {"b": 2, "c": [1], "x": 0}}),
        );
        let text: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "a.b: expected 1, got 2",
                "a.c[1]: missing (expected 2)",
                "a.x: unexpected 0"
            ]
        );
    }

    #[test]
    fn masked_paths_are_removed_even_inside_arrays() {
        let mut doc = json!({"metadata": {"uid": "x", "v": 1}, "ev": [{"t": 1, "k": 2}]});
        mask(&mut doc, &["metadata.uid".into(), "ev.t".into()]);
        assert_eq!(doc, json!({"metadata": {"v": 1}, "ev": [{"k": 2}]}));
    }
}
