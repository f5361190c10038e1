//! The mapping author's loop: --dry-run, explain, test, coverage.

use crate::util::*;

const SURICATA: [&str; 3] = [
    "-m",
    "mappings/suricata-alert.yaml",
    "samples/suricata/eve-alerts.log",
];

#[test]
fn dry_run_shows_the_first_groups_with_their_validation_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.jsonl");
    let dead = dir.path().join("dead.jsonl");
    let mut args = SURICATA.to_vec();
    let (t, d) = (target.to_str().unwrap(), dead.to_str().unwrap());
    args.extend(["--dry-run", "--preview", "2", "-o", t, "--dead-letter", d]);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.matches("── samples/suricata/eve-alerts.log:").count(),
        2,
        "{text}"
    );
    assert!(text.contains("2 document(s), valid OCSF 1.4.0"), "{text}");
    assert!(
        text.contains("\"class_name\": \"Detection Finding\""),
        "pretty-printed: {text}"
    );
    assert!(
        stderr(&out).contains("dry run: 2 groups shown from 2 records read"),
        "{}",
        stderr(&out)
    );
    assert!(
        !target.exists() && !dead.exists(),
        "a dry run writes nothing"
    );
}

#[test]
fn dry_run_shows_a_failed_record_with_its_error() {
    let mapping = std::fs::read_to_string(root().join("mappings/zeek-conn.yaml"))
        .unwrap()
        .replace("app_name: $.service", "app_name: \"{{ service }}\"");
    let (_d, m) = temp_file("m.yaml", &mapping);
    let conn = std::fs::read_to_string(root().join("samples/zeek/conn.log")).unwrap();
    let with = conn.lines().find(|l| l.contains("\"service\"")).unwrap();
    let without = conn.lines().find(|l| !l.contains("\"service\"")).unwrap();
    let (_i, input) = temp_file("conn.log", &format!("{with}\n{without}\n"));
    let out = run(&[
        "-m",
        m.to_str().unwrap(),
        input.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("(record 1): 1 document(s), valid OCSF 1.4.0"),
        "{text}"
    );
    assert!(
        text.contains("(record 2): FAILED: network_activity.app_name: undefined value"),
        "{text}"
    );
}

#[test]
fn explain_shows_each_rule_with_what_it_read_and_computed() {
    let mut args = vec!["explain"];
    args.extend(SURICATA);
    args.extend(["--record", "1"]);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "record 1 at samples/suricata/eve-alerts.log:1 (record 1): mapped into 2 document(s)"
        ),
        "{text}"
    );
    let time = "detection_finding.time    mappings/suricata-alert.yaml:38\n  rule: $.timestamp\n  \
                read: timestamp = \"2018-10-03T14:42:44.836744+0000\"\n  result: \"2018-10-03T14:42:44.836744+0000\"\n  \
                converted to timestamp_t: 1538577764836";
    assert!(text.contains(time), "{text}");
    assert!(
        text.contains("  lookup `severity`: 2 (hit)\n  result: \"Medium\""),
        "{text}"
    );
}

#[test]
fn explain_lists_the_fields_no_rule_read() {
    let mut args = vec!["explain"];
    args.extend(SURICATA);
    let text = stdout(&run(&args));
    let unread = text.split("source fields no rule read:\n").nth(1).unwrap();
    assert!(
        unread.contains("  http.http_user_agent = \"curl/7.58.0\""),
        "{unread}"
    );
    assert!(!unread.contains("alert.signature"), "{unread}");
}

#[test]
fn explain_json_is_for_tools() {
    let mut args = vec!["explain", "--json", "--record", "21"];
    args.extend(SURICATA);
    let out = run(&args);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["outcome"]["result"], "skipped");
    assert_eq!(v["steps"][0]["target"], "filter");
    assert_eq!(v["steps"][0]["holds"], false);
}

#[test]
fn every_shipped_mapping_has_fixtures_and_they_pass() {
    let out = run(&["test", "mappings"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("has no fixtures"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains(" passed, 0 failed"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_failing_fixture_shows_a_field_by_field_diff_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("zeek.yaml");
    std::fs::copy(root().join("mappings/zeek-conn.yaml"), &mapping).unwrap();
    let case = dir.path().join("zeek.tests/one");
    std::fs::create_dir_all(&case).unwrap();
    let input = root().join("mappings/zeek-conn.tests/tcp-established/input.jsonl");
    std::fs::copy(&input, case.join("input.jsonl")).unwrap();
    let expected = std::fs::read_to_string(
        root().join("mappings/zeek-conn.tests/tcp-established/expected.jsonl"),
    )
    .unwrap()
    .replace("\"app_name\":\"http\"", "\"app_name\":\"https\"");
    std::fs::write(case.join("expected.jsonl"), expected).unwrap();
    let junit = dir.path().join("junit.xml");
    let out = run(&[
        "test",
        mapping.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "FAILED  zeek-conn/one\n        document 1: app_name: expected \"https\", got \"http\""
        ),
        "{}",
        stdout(&out)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuite name=\"ocsf-map\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
}

#[test]
fn volatile_fields_declared_by_a_fixture_are_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("zeek.yaml");
    std::fs::copy(root().join("mappings/zeek-conn.yaml"), &mapping).unwrap();
    let case = dir.path().join("zeek.tests/one");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::copy(
        root().join("mappings/zeek-conn.tests/tcp-established/input.jsonl"),
        case.join("input.jsonl"),
    )
    .unwrap();
    let expected = std::fs::read_to_string(
        root().join("mappings/zeek-conn.tests/tcp-established/expected.jsonl"),
    )
    .unwrap()
    .replace(
        "\"app_name\":\"http\"",
        "\"app_name\":\"changes every run\"",
    );
    std::fs::write(case.join("expected.jsonl"), expected).unwrap();
    std::fs::write(case.join("case.yaml"), "volatile: [app_name]\n").unwrap();
    let out = run(&["test", mapping.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn update_rewrites_the_expected_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("zeek.yaml");
    std::fs::copy(root().join("mappings/zeek-conn.yaml"), &mapping).unwrap();
    let case = dir.path().join("zeek.tests/new");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::copy(
        root().join("mappings/zeek-conn.tests/udp-no-reply/input.jsonl"),
        case.join("input.jsonl"),
    )
    .unwrap();
    let out = run(&["test", "--update", mapping.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("updated zeek-conn/new"));
    let written = std::fs::read_to_string(case.join("expected.jsonl")).unwrap();
    assert_eq!(json_lines(&written).len(), 1);
    assert_eq!(
        run(&["test", mapping.to_str().unwrap()]).status.code(),
        Some(0)
    );
}

#[test]
fn coverage_reports_unread_fields_fill_rates_and_rules() {
    let out = run(&[
        "coverage",
        "-m",
        "mappings/suricata-alert.yaml",
        "samples/suricata/eve-alerts.log",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("22 records: 21 mapped, 1 skipped by filter, 0 failed"),
        "{text}"
    );
    assert!(text.contains("  http.http_user_agent"), "{text}");
    assert!(
        text.contains("detection_finding: 21 documents, required 100.0%"),
        "{text}"
    );
    assert!(text.contains("lookup `severity` (value — hits / fallbacks):\n  2                        6 / 0\n  3                        15 / 0"), "{text}");
}

#[test]
fn coverage_minimums_fail_the_run_for_ci() {
    let args = [
        "coverage",
        "-m",
        "mappings/zeek-conn.yaml",
        "samples/zeek/conn.log",
        "--min-required",
        "100",
    ];
    assert_eq!(run(&args).status.code(), Some(0));
    let out = run(&[
        "coverage",
        "-m",
        "mappings/zeek-conn.yaml",
        "samples/zeek/conn.log",
        "--min-recommended",
        "90",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("below --min-recommended 90"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn coverage_json_is_for_tools() {
    let out = run(&[
        "coverage",
        "--json",
        "-m",
        "mappings/zeek-conn.yaml",
        "samples/zeek/conn.log",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["records"], 1250);
    assert_eq!(v["classes"]["network_activity"]["documents"], 1250);
}
