//! README "Writing a mapping": the walkthrough's commands, run as written.

use crate::util::*;

const SAMPLE: &str = "samples/zeek/syslog.log";

#[test]
fn the_readme_shows_the_walkthrough_mapping_as_it_is() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mapping = std::fs::read_to_string(root().join("docs/walkthrough/pix.yaml")).unwrap();
    assert!(
        readme.contains(&mapping),
        "README.md must show docs/walkthrough/pix.yaml verbatim"
    );
}

#[test]
fn the_walkthrough_goes_from_a_new_sample_to_a_passing_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let pix = dir.path().join("pix.yaml");
    std::fs::copy(root().join("docs/walkthrough/pix.yaml"), &pix).unwrap();
    let m = pix.to_str().unwrap();

    let out = run(&["check", m]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("pix.yaml: ok (network_activity)"));

    let out = run(&["-m", m, SAMPLE, "--dry-run", "--preview", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("valid OCSF 1.4.0").count(), 2);

    let out = run(&["explain", "-m", m, SAMPLE, "--record", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("lookup `inline table at line 16`: Built (hit)"),
        "{}",
        stdout(&out)
    );

    let out = run(&["coverage", "-m", m, SAMPLE, "--min-required", "100"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let case = dir.path().join("pix.tests/connections");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::copy(root().join(SAMPLE), case.join("input.jsonl")).unwrap();
    let out = run(&["test", m, "--update"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        json_lines(&std::fs::read_to_string(case.join("expected.jsonl")).unwrap()).len(),
        3
    );
    let out = run(&["test", m]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("ok      zeek-pix/connections"),
        "{}",
        stdout(&out)
    );
}
