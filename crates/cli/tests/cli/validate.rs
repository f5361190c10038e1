//! `ocsf-map validate` on existing OCSF documents, and `check --deny-warnings`.

use crate::util::*;

#[test]
fn the_golden_outputs_are_valid_ocsf() {
    let out = run(&[
        "validate",
        "tests/golden/suricata-alert.jsonl",
        "tests/golden/zeek-conn.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "1292 valid, 0 invalid\n");
}

#[test]
fn each_invalid_document_is_one_line_with_path_and_reason() {
    let golden = std::fs::read_to_string(root().join("tests/golden/zeek-conn.jsonl")).unwrap();
    let mut docs = json_lines(&golden)[..3].to_vec();
    docs[1]["src_endpoint"]["port"] = serde_json::json!(70000);
    docs[2].as_object_mut().unwrap().remove("time");
    let text: String = docs.iter().map(|d| format!("{d}\n")).collect();
    let (_d, f) = temp_file("docs.jsonl", &text);
    let out = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].ends_with("docs.jsonl:2: network_activity: src_endpoint.port: 70000 is out of range for port_t (0..65535)"), "{lines:?}");
    assert!(
        lines[1].ends_with("docs.jsonl:3: network_activity: time: required attribute is missing"),
        "{lines:?}"
    );
    assert_eq!(lines[2], "1 valid, 2 invalid");
}

#[test]
fn a_json_array_of_documents_is_validated_by_index() {
    let golden = std::fs::read_to_string(root().join("tests/golden/suricata-alert.jsonl")).unwrap();
    let mut docs = json_lines(&golden)[..2].to_vec();
    docs[0]["class_uid"] = serde_json::json!(9999);
    let (_d, f) = temp_file("docs.json", &serde_json::to_string_pretty(&docs).unwrap());
    let out = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("docs.json[0]: class_uid: 9999 is not a class"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).ends_with("1 valid, 1 invalid\n"));
}

#[test]
fn a_published_example_that_breaks_the_email_constraint_is_caught() {
    let out = run(&["validate", "tests/data/o365-messagetrace-delivered.ocsf"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("email"), "{}", stdout(&out));
}

#[test]
fn check_deny_warnings_fails_on_warnings() {
    let mapping = "outputs:\n  - class: network_activity\n    fields:\n      activity_id: 6\n      severity_id: 1\n      \
                   time: 1\n      metadata.product.name: X\n      src_endpoint.ip: 10.0.0.1\n      \
                   traffic.bytes: \"{{ n }}\"\n";
    let (_d, m) = temp_file("m.yaml", mapping);
    assert_eq!(run(&["check", m.to_str().unwrap()]).status.code(), Some(0));
    let out = run(&["check", "--deny-warnings", m.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("warning[M042]"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("m.yaml: failed: 1 warning, denied by --deny-warnings"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(": ok"), "{}", stderr(&out));
}

#[test]
fn check_takes_a_directory_of_mappings() {
    let out = run(&["check", "mappings"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let checked = stderr(&out)
        .lines()
        .filter(|l| l.contains(": ok ("))
        .count();
    let shipped = std::fs::read_dir(root().join("mappings"))
        .unwrap()
        .filter(|e| {
            let p = e.as_ref().unwrap().path();
            p.is_file() && p.extension().is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(checked, shipped, "{}", stderr(&out));
}
