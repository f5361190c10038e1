//! The shipped mappings on the shipped samples, compared with golden outputs.

use crate::util::*;

#[test]
fn suricata_alerts_become_findings_with_network_evidence() {
    let out = run(&[
        "--mapping",
        "mappings/suricata-alert.yaml",
        "samples/suricata/eve-alerts.log",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_golden(&stdout(&out), "tests/golden/suricata-alert.jsonl");
}

#[test]
fn suricata_run_summary_counts_the_skipped_tls_record() {
    let out = run(&[
        "--mapping",
        "mappings/suricata-alert.yaml",
        "samples/suricata/eve-alerts.log",
    ]);
    assert_eq!(
        stderr(&out).trim(),
        "ocsf-map: 22 records read, 21 mapped into 42 documents, 1 skipped by filter, 0 failed"
    );
}

#[test]
fn each_suricata_group_is_a_finding_followed_by_its_activity() {
    let out = run(&[
        "--mapping",
        "mappings/suricata-alert.yaml",
        "samples/suricata/eve-alerts.log",
    ]);
    let docs = json_lines(&stdout(&out));
    for pair in docs.chunks(2) {
        assert_eq!(pair[0]["class_uid"], 2004);
        assert_eq!(pair[1]["class_uid"], 4001);
        assert_eq!(
            pair[0]["finding_info"]["related_events"][0]["uid"],
            pair[1]["metadata"]["uid"]
        );
    }
}

#[test]
fn zeek_connections_become_network_activity() {
    let out = run(&[
        "--mapping",
        "mappings/zeek-conn.yaml",
        "samples/zeek/conn.log",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_golden(&stdout(&out), "tests/golden/zeek-conn.jsonl");
}
