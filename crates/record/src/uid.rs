//! Stable identities derived from record content.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Domain separator, so that these digests never collide with another use of SHA-256 on the
/// same bytes. Changing it changes every derived uid: don't.
const DOMAIN: &[u8] = b"ocsf-map finding uid v1\0";

/// A uid derived from a JSON value: the same value always gives the same uid.
///
/// SHA-256 over the value's canonical JSON (object keys sorted at every level, no whitespace,
/// numbers and strings as serde_json writes them), formatted as a version-8 UUID (RFC 9562: 122
/// bits of the digest, the version and variant bits set). Key order does not matter; any change
/// to a value does. Used for findings whose mapping sets no `finding_info.uid`, so that a
/// finding re-sent after a crash carries the same identity.
pub fn stable_uid(value: &Value) -> String {
    let mut canonical = Vec::with_capacity(256);
    write_canonical(value, &mut canonical);
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
    // Writing a scalar into a Vec cannot fail.
    serde_json::to_writer(out, v).expect("scalars serialise");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_content_gives_the_same_uid_whatever_the_key_order() {
        assert_eq!(
            stable_uid(&json!({"a": 1, "b": [1, {"x": 2, "y": 3}]})),
            stable_uid(&json!({"b": [1, {"y": 3, "x": 2}], "a": 1}))
        );
    }

    #[test]
    fn any_change_of_value_changes_the_uid() {
        assert_ne!(stable_uid(&json!({"a": 1})), stable_uid(&json!({"a": 2})));
        assert_ne!(stable_uid(&json!({"a": 1})), stable_uid(&json!({"a": "1"})));
    }

    #[test]
    fn the_uid_is_pinned() {
        // A change here silently breaks every resume of an older checkpoint.
        assert_eq!(
            stable_uid(&json!({"a": 1})),
            "a26aba30-450c-85b9-82c5-b9a879f49108"
        );
    }

    #[test]
    fn the_uid_is_a_version_8_uuid() {
        let uid = stable_uid(&json!({"a": 1}));
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "8");
        assert!(matches!(&uid[19..20], "8" | "9" | "a" | "b"));
    }
}
