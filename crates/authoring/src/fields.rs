//! Record fields as dotted leaf paths, and which of them a set of rules reads.

use serde_json::Value;

/// Every leaf of a record as `(dotted path, value)`; arrays are leaves.
pub(crate) fn leaves(record: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    walk(record, String::new(), &mut out);
    out
}

fn walk<'v>(value: &'v Value, prefix: String, out: &mut Vec<(String, &'v Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(v, path, out);
            }
        }
        _ if !prefix.is_empty() => out.push((prefix, value)),
        _ => {}
    }
}

/// Whether a rule reading `read` reads the field at `leaf` (a read of `alert` covers
/// `alert.signature`; a read of `alert.signature` covers only that leaf).
pub(crate) fn covers(read: &str, leaf: &str) -> bool {
    leaf == read
        || leaf
            .strip_prefix(read)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The value of a dotted field in a record: nested keys first, then the whole name as one key
/// (Zeek's `id.orig_h`).
pub(crate) fn lookup<'v>(record: &'v Value, dotted: &str) -> Option<&'v Value> {
    let mut node = record;
    let mut nested = true;
    for part in dotted.split('.') {
        match node.get(part) {
            Some(v) => node = v,
            None => {
                nested = false;
                break;
            }
        }
    }
    if nested {
        Some(node)
    } else {
        record.get(dotted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_are_dotted_paths_with_arrays_as_leaves() {
        let rec = json!({"a": {"b": 1, "c": [1, 2]}, "id.orig_h": "x"});
        let paths: Vec<String> = leaves(&rec).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["a.b", "a.c", "id.orig_h"]);
    }

    #[test]
    fn a_read_of_an_object_covers_its_fields() {
        assert!(covers("alert", "alert.signature"));
        assert!(covers("alert.signature", "alert.signature"));
        assert!(!covers("alert.sig", "alert.signature"));
        assert!(!covers("alert.signature", "alert"));
    }

    #[test]
    fn dotted_names_are_found_nested_or_whole() {
        let rec = json!({"a": {"b": 1}, "id.orig_h": "x"});
        assert_eq!(lookup(&rec, "a.b"), Some(&json!(1)));
        assert_eq!(lookup(&rec, "id.orig_h"), Some(&json!("x")));
        assert_eq!(lookup(&rec, "nope"), None);
    }
}
