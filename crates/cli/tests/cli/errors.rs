//! Errors: bad mappings stop the run (exit 2), bad records fail alone (exit 1).

use crate::util::*;

const MAPPING: &str = "outputs:\n  - class: network_activity\n    fields:\n      activity_id: 6\n      \
                       severity_id: 1\n      time: $.ts\n      metadata.product.name: X\n      \
                       src_endpoint.ip: $.src\n      message: \"{{ msg }}\"\n";

/// Runs `mapping` on `input` (JSON lines) with a dead-letter file: the run's output and the
/// dead letters written.
fn run_with_dead_letters(
    mapping: &str,
    input: &str,
) -> (std::process::Output, Vec<serde_json::Value>) {
    let (dir, m) = temp_file("m.yaml", mapping);
    let i = dir.path().join("in.jsonl");
    std::fs::write(&i, input).unwrap();
    let dead = dir.path().join("dead.jsonl");
    let args = [
        "-m",
        m.to_str().unwrap(),
        "--dead-letter",
        dead.to_str().unwrap(),
        i.to_str().unwrap(),
    ];
    let out = run(&args);
    let letters = std::fs::read_to_string(&dead)
        .map(|t| json_lines(&t))
        .unwrap_or_default();
    (out, letters)
}

#[test]
fn a_bad_record_fails_alone_and_goes_to_the_dead_letter_file() {
    let input = "{\"ts\":1,\"src\":\"10.0.0.1\",\"msg\":\"a\"}\n{\"ts\":2,\"src\":\"10.0.0.2\"}\nnot json\n{\"ts\":3,\"src\":\"10.0.0.3\",\"msg\":\"c\"}\n";
    let (out, letters) = run_with_dead_letters(MAPPING, input);
    assert_eq!(out.status.code(), Some(1));
    let docs = json_lines(&stdout(&out));
    assert_eq!(docs.len(), 2, "the good records are all written");
    assert_eq!(letters.len(), 2);
    assert_eq!(letters[0]["position"]["line"], 2);
    assert_eq!(letters[0]["stage"], "map");
    assert_eq!(letters[0]["target"], "network_activity.message");
    assert_eq!(letters[0]["mapping_line"], 9);
    assert_eq!(letters[0]["record"]["src"], "10.0.0.2");
    assert_eq!(letters[1]["position"]["line"], 3);
    assert_eq!(letters[1]["stage"], "read");
    assert_eq!(letters[1]["raw"], "not json");
}

#[test]
fn a_failed_record_is_reported_with_file_line_and_attribute() {
    let (_d, m) = temp_file("m.yaml", MAPPING);
    let (_i, i) = temp_file("in.jsonl", "{\"ts\":2,\"src\":\"10.0.0.2\"}\n");
    let err = stderr(&run(&["-m", m.to_str().unwrap(), i.to_str().unwrap()]));
    let first = err.lines().next().unwrap();
    assert!(first.starts_with("error: "), "{err}");
    assert!(
        first.contains("in.jsonl:1 (record 1): network_activity.message: undefined value"),
        "{err}"
    );
    assert!(first.ends_with("(mapping line 9)"), "{err}");
    assert!(
        err.contains("0 mapped into 0 documents, 0 skipped by filter, 1 failed"),
        "{err}"
    );
}

#[test]
fn an_invalid_document_fails_strict_validation() {
    let mapping = MAPPING.replace("      src_endpoint.ip: $.src\n", "");
    let (out, letters) = run_with_dead_letters(&mapping, "{\"ts\":1,\"msg\":\"no endpoint\"}\n");
    assert_eq!(out.status.code(), Some(1));
    let letter = &letters[0];
    assert_eq!(letter["stage"], "validate");
    assert!(
        letter["error"].as_str().unwrap().contains("src_endpoint"),
        "{letter}"
    );
}

#[test]
fn an_invalid_document_names_the_mapping_line_of_the_rule_at_fault() {
    // `time: $.ts` (line 6) selects nothing, so the required `time` is missing.
    let (out, letters) = run_with_dead_letters(MAPPING, "{\"src\":\"10.0.0.1\",\"msg\":\"m\"}\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(letters[0]["stage"], "validate");
    assert_eq!(letters[0]["mapping_line"], 6, "{}", letters[0]);
    assert!(
        stderr(&out).contains("time: required attribute is missing (mapping line 6)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_warn_writes_invalid_documents_and_reports_them() {
    let mapping = MAPPING.replace("      src_endpoint.ip: $.src\n", "");
    let (_d, m) = temp_file("m.yaml", &mapping);
    let (_i, i) = temp_file("in.jsonl", "{\"ts\":1,\"msg\":\"no endpoint\"}\n");
    let out = run(&[
        "-m",
        m.to_str().unwrap(),
        "--validate",
        "warn",
        i.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_lines(&stdout(&out)).len(), 1);
    assert!(stderr(&out).contains("warning: "), "{}", stderr(&out));
}

#[test]
fn a_bad_mapping_stops_the_run_with_exit_2_and_its_position() {
    let (_d, m) = temp_file(
        "m.yaml",
        &MAPPING.replace("src_endpoint.ip", "src_endpoint.ipp"),
    );
    let out = run(&["-m", m.to_str().unwrap(), "samples/zeek/conn.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error[M011]"), "{err}");
    assert!(err.contains("m.yaml:8:7"), "{err}");
    assert!(err.contains("did you mean `ip`?"), "{err}");
}

#[test]
fn a_dead_letter_file_that_cannot_be_written_stops_the_run_before_the_first_record() {
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("no-such-dir/failed.jsonl");
    let out = run(&[
        "-m",
        "mappings/suricata-alert.yaml",
        "samples/suricata/eve-alerts.log",
        "--dead-letter",
        dead.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "nothing is mapped");
    assert!(
        stderr(&out).contains("--dead-letter") && stderr(&out).contains("no directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_input_file_is_exit_2() {
    let out = run(&["-m", "mappings/zeek-conn.yaml", "no/such/file.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/file.log"));
}

#[test]
fn a_missing_mapping_argument_is_exit_2() {
    assert_eq!(run(&["samples/zeek/conn.log"]).status.code(), Some(2));
}

#[test]
fn check_accepts_the_shipped_mappings() {
    let out = run(&[
        "check",
        "mappings/suricata-alert.yaml",
        "mappings/zeek-conn.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("mappings/zeek-conn.yaml: ok (network_activity)"));
}

#[test]
fn check_reports_json_diagnostics_for_tools() {
    let (_d, m) = temp_file(
        "m.yaml",
        &MAPPING.replace("src_endpoint.ip", "src_endpoint.ipp"),
    );
    let out = run(&["check", "--message-format", "json", m.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let diag = &json_lines(&stderr(&out))[0];
    assert_eq!(diag["code"], "M011");
    assert_eq!(diag["line"], 8);
    assert_eq!(diag["column"], 7);
}

#[test]
fn record_errors_are_json_lines_with_message_format_json() {
    let (_d, m) = temp_file("m.yaml", MAPPING);
    let (_i, i) = temp_file("in.jsonl", "{\"ts\":2,\"src\":\"10.0.0.2\"}\n");
    let out = run(&[
        "-m",
        m.to_str().unwrap(),
        "--message-format",
        "json",
        "-q",
        i.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let first = &json_lines(stderr(&out).lines().next().unwrap())[0];
    assert_eq!(first["position"]["line"], 1);
    assert_eq!(first["stage"], "map");
    assert_eq!(first["target"], "network_activity.message");
    assert_eq!(first["mapping_line"], 9);
}
