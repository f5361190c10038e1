//! Finding identity: the uid that makes a re-sent finding recognisable.

use serde_json::Value;

/// A finding uid derived from the source record: the same record always gives the same uid.
///
/// This is [`ocsf_map_record::stable_uid`], the identity the mapping engine gives a finding whose
/// mapping sets no `finding_info.uid`: SHA-256 over the record's canonical JSON (keys sorted),
/// shaped as a version-8 UUID. Key order in the input does not matter; any change to a value
/// does. The record's position is not part of it, so a renamed or re-split input still resumes;
/// two byte-identical records are the same finding.
pub fn derive_finding_uid(record: &Value) -> String {
    ocsf_map_record::stable_uid(record)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_finding_uid_is_read_from_the_groups_one_finding() {
        let docs = vec![
            json!({"class_uid": 2004, "finding_info": {"uid": "f-1"}}),
            json!({"class_uid": 4001}),
        ];
        assert_eq!(finding_uid(&docs), Some("f-1"));
    }

    #[test]
    fn a_group_with_two_findings_has_no_single_uid() {
        let f = json!({"class_uid": 2004, "finding_info": {"uid": "f-1"}});
        assert_eq!(finding_uid(&[f.clone(), f]), None);
    }
}
