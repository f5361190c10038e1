//! Finding identity: the uid that makes a re-sent finding recognisable.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Domain separator, so that these digests never collide with another use of SHA-256 on the
/// same bytes. Changing it changes every derived uid: don't.
const DOMAIN: &[u8] = b"ocsf-map finding uid v1\0";

/// A finding uid derived from the source record: the same record always gives the same uid.
///
/// The uid is SHA-256 over the record's canonical JSON (object keys sorted at every level, no
/// whitespace, numbers and strings as serde_json writes them), formatted as a version-8 UUID
/// (RFC 9562: 122 bits of the digest, the version and variant bits set). Key order in the input
/// does not matter; any change to a value does. The record's position is not part of it, so a
/// renamed or re-split input still resumes; two byte-identical records are the same finding.
pub fn derive_finding_uid(record: &Value) -> String {
    let mut canonical = Vec::with_capacity(256);
    write_canonical(record, &mut canonical);
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(&canonical);
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(k.clone()), out);
                out.push(b':');
                write_canonical(&map[k], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(v: &Value, out: &mut Vec<u8>) {
    // Writing a scalar Value into a Vec cannot fail.
    serde_json::to_writer(out, v).expect("scalars serialise");
}

/// The group's detection finding (class_uid 2004), if it has exactly one.
pub(crate) fn finding_index(docs: &[Value]) -> Option<usize> {
    let mut it = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| crate::projection::class_uid(d) == 2004);
    match (it.next(), it.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// The uid of the group's detection finding (`finding_info.uid`), if it has one finding with one.
pub fn finding_uid(docs: &[Value]) -> Option<&str> {
    let doc = &docs[finding_index(docs)?];
    doc.get("finding_info")?.get("uid")?.as_str()
}

/// Sets `finding_info.uid` of the group's finding to [`derive_finding_uid`]`(record)` when the
/// mapping set none. Returns whether it did. The pipeline calls this before handing the group to
/// an intake sink.
pub fn ensure_finding_uid(docs: &mut [Value], record: &Value) -> bool {
    let Some(i) = finding_index(docs) else {
        return false;
    };
    let doc = &mut docs[i];
    if doc
        .get("finding_info")
        .and_then(|f| f.get("uid"))
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
    {
        return false;
    }
    let uid = derive_finding_uid(record);
    let Some(obj) = doc.as_object_mut() else {
        return false;
    };
    let info = obj
        .entry("finding_info")
        .or_insert_with(|| Value::Object(Default::default()));
    if !info.is_object() {
        *info = Value::Object(Default::default());
    }
    info["uid"] = Value::String(uid);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_change_the_uid() {
        let a: Value = serde_json::from_str(r#"{"a":1,"b":{"x":[1,2],"y":"z"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b":{"y":"z","x":[1,2]},"a":1}"#).unwrap();
        assert_eq!(derive_finding_uid(&a), derive_finding_uid(&b));
    }

    #[test]
    fn any_value_change_changes_the_uid() {
        assert_ne!(
            derive_finding_uid(&json!({"a": 1})),
            derive_finding_uid(&json!({"a": 2}))
        );
        assert_ne!(
            derive_finding_uid(&json!({"a": [1, 2]})),
            derive_finding_uid(&json!({"a": [2, 1]}))
        );
    }

    #[test]
    fn the_uid_is_a_stable_version_8_uuid() {
        let uid = derive_finding_uid(&json!({"src": "10.0.0.1", "n": 1}));
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "8");
        // Pinned: a change here silently breaks every resume of an older checkpoint.
        assert_eq!(uid, derive_finding_uid(&json!({"n": 1, "src": "10.0.0.1"})));
        assert_eq!(
            derive_finding_uid(&json!({"a": 1})),
            "a26aba30-450c-85b9-82c5-b9a879f49108"
        );
    }

    #[test]
    fn ensure_sets_only_a_missing_uid() {
        let record = json!({"line": "x"});
        let mut docs = vec![json!({"class_uid": 2004, "finding_info": {"title": "t"}})];
        assert!(ensure_finding_uid(&mut docs, &record));
        assert_eq!(
            finding_uid(&docs),
            Some(derive_finding_uid(&record).as_str())
        );
        assert!(!ensure_finding_uid(&mut docs, &json!({"other": 1})));
        assert_eq!(
            finding_uid(&docs),
            Some(derive_finding_uid(&record).as_str())
        );
    }
}
