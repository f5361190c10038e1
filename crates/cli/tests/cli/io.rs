//! Inputs and outputs: files, stdin, several inputs, -o, CSV, closed pipes.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::util::*;

const ZEEK: &str = "mappings/zeek-conn.yaml";

fn first_conn_lines(n: usize) -> String {
    let text = std::fs::read_to_string(root().join("samples/zeek/conn.log")).unwrap();
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

#[test]
fn output_goes_to_a_file_with_dash_o() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.jsonl");
    let out = run(&[
        "-m",
        ZEEK,
        "-o",
        target.to_str().unwrap(),
        "samples/zeek/conn.log",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap().lines().count(),
        1250
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn no_input_reads_stdin() {
    let out = run_with_stdin(&["-m", ZEEK], &first_conn_lines(3));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_lines(&stdout(&out)).len(), 3);
}

#[test]
fn dash_reads_stdin() {
    let out = run_with_stdin(&["-m", ZEEK, "-"], &first_conn_lines(2));
    assert_eq!(json_lines(&stdout(&out)).len(), 2);
}

#[test]
fn several_inputs_are_read_in_order() {
    let (_a, first) = temp_file("a.log", &first_conn_lines(1));
    let (_b, second) = temp_file("b.log", &first_conn_lines(2)[first_conn_lines(1).len()..]);
    let out = run(&[
        "-m",
        ZEEK,
        second.to_str().unwrap(),
        first.to_str().unwrap(),
    ]);
    let docs = json_lines(&stdout(&out));
    assert_eq!(docs[0]["metadata"]["uid"], "CTiYRY3I1EYG5gsLwd");
    assert_eq!(docs[1]["metadata"]["uid"], "CPNkcu1aY5i3SzaKt1");
}

#[test]
fn csv_input_is_mapped_by_header_name() {
    let mapping = "outputs:\n  - class: network_activity\n    fields:\n      activity_id: 6\n      \
                   severity_id: 1\n      time: $.time\n      metadata.product.name: Export\n      \
                   src_endpoint.ip: $.src\n      src_endpoint.port: $.port\n      message: $.note\n";
    let (_m, m) = temp_file("m.yaml", mapping);
    let csv =
        "\u{feff}time,src,port,note\n2024-01-02T03:04:05Z,10.0.0.1,443,\"two\nlines, quoted\"\n";
    let (_c, c) = temp_file("in.csv", csv);
    let out = run(&["-m", m.to_str().unwrap(), c.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = &json_lines(&stdout(&out))[0];
    assert_eq!(doc["time"], 1704164645000_i64);
    assert_eq!(doc["src_endpoint"]["port"], 443);
    assert_eq!(doc["message"], "two\nlines, quoted");
}

#[test]
fn a_chosen_csv_delimiter_is_used() {
    let mapping = "outputs:\n  - class: network_activity\n    fields:\n      activity_id: 6\n      \
                   severity_id: 1\n      time: 1\n      metadata.product.name: X\n      src_endpoint.ip: $.src\n";
    let (_m, m) = temp_file("m.yaml", mapping);
    let (_c, c) = temp_file("in.txt", "src;port\n10.0.0.9;1\n");
    let out = run(&[
        "-m",
        m.to_str().unwrap(),
        "--format",
        "csv",
        "--delimiter",
        ";",
        c.to_str().unwrap(),
    ]);
    assert_eq!(
        json_lines(&stdout(&out))[0]["src_endpoint"]["ip"],
        "10.0.0.9"
    );
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let mut child = ocsf_map()
        .args([
            "-m",
            ZEEK,
            "samples/zeek/conn.log",
            "samples/zeek/conn.log",
            "samples/zeek/conn.log",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: like `ocsf-map ... | head -1`.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with('{'));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn any_thread_count_gives_the_same_output_as_one() {
    let with = |threads: &[&str]| {
        let mut args = vec![
            "--mapping",
            "mappings/zeek-conn.yaml",
            "samples/zeek/conn.log",
        ];
        args.extend(threads);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out.stdout
    };
    let one = with(&["--threads", "1"]);
    assert!(
        with(&["--threads", "2"]) == one,
        "--threads 2 must not change the output or its order"
    );
    assert!(
        with(&["--threads", "3"]) == one,
        "--threads 3 must not change the output or its order"
    );
    assert!(
        with(&[]) == one,
        "the default (one per core) must not either"
    );
}

#[test]
fn zero_threads_is_a_usage_error() {
    let out = run(&[
        "--mapping",
        "mappings/zeek-conn.yaml",
        "samples/zeek/conn.log",
        "--threads",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--threads"), "{}", stderr(&out));
}
