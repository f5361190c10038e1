//! `--sink intake` end to end: the binary against a real HTTP server on loopback.

use std::collections::HashMap;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::util::*;

const SURICATA_SAMPLE: &str = "samples/suricata/eve-alerts.log";
const SURICATA: [&str; 3] = ["-m", "mappings/suricata-alert.yaml", SURICATA_SAMPLE];

async fn server(intake_status: u16) -> MockServer {
    server_answering(ResponseTemplate::new(intake_status)).await
}

/// A token endpoint that grants a token, and an intake that answers `intake` (with an
/// acknowledgement body) to every finding.
async fn server_answering(intake: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "t0ken", "token_type": "bearer", "expires_in": 600}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/custom_detection_findings"))
        .respond_with(intake.set_body_json(
            json!({"detection_id": "x", "timestamp": "2026-12-04T00:00:00Z", "version": "1.4.0"}),
        ))
        .mount(&server)
        .await;
    server
}

/// `ocsf-map` mapping `inputs` with the Suricata mapping, with the intake pointed at `server`
/// and credentials in the environment.
fn delivery(server: &MockServer, inputs: &[&str], extra: &[&str]) -> Command {
    let mut cmd = ocsf_map();
    cmd.args(&SURICATA[..2])
        .args(inputs)
        .args(["--sink", "intake", "--module-instance-id", "mod-1"])
        .args(["--endpoint", &server.uri()])
        .args(["--token-url", &format!("{}/token", server.uri())])
        // The default budget (8000/hour) paces 21 requests over ~10 s; tests need no pacing.
        .args(["--max-requests-per-hour", "3600000"])
        .args(extra)
        .env("XDR_CLIENT_ID", "client")
        .env("XDR_CLIENT_SECRET", "s3cret")
        .stdin(Stdio::null());
    cmd
}

/// Runs `ocsf-map` (blocking) on the Suricata sample with the intake pointed at `server`.
async fn deliver(server: &MockServer, extra: &[&str]) -> Output {
    let mut cmd = delivery(server, &[SURICATA_SAMPLE], extra);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

async fn intake_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/api/v1/custom_detection_findings")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_alert_is_submitted_once_as_a_finding_with_its_evidence() {
    let server = server(202).await;
    let out = deliver(&server, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bodies = intake_bodies(&server).await;
    assert_eq!(bodies.len(), 21);
    assert_eq!(
        bodies[0]["detection_findings"]["finding_info"]["types"],
        json!(["Network"])
    );
    assert_eq!(
        bodies[0]["network_activity"][0]["src_endpoint"]["ip"],
        "192.168.1.146"
    );
    assert!(
        stderr(&out).contains("intake: 21 delivered, 0 already delivered"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("s3cret"),
        "the secret is never printed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_with_a_checkpoint_sends_nothing_already_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("backfill.ckpt");
    let ckpt = checkpoint.to_str().unwrap();
    let first = server(202).await;
    assert_eq!(
        deliver(&first, &["--checkpoint", ckpt]).await.status.code(),
        Some(0)
    );
    let second = server(202).await;
    let out = deliver(&second, &["--checkpoint", ckpt]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(intake_bodies(&second).await.is_empty());
    assert!(
        stderr(&out).contains("0 delivered, 21 already delivered"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_groups_go_to_the_dead_letter_file_with_their_documents() {
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.jsonl");
    let server = server(400).await;
    let out = deliver(&server, &["--dead-letter", dead.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let letters = json_lines(&std::fs::read_to_string(&dead).unwrap());
    assert_eq!(letters.len(), 21);
    assert_eq!(letters[0]["stage"], "deliver");
    assert!(
        letters[0]["error"].as_str().unwrap().contains("HTTP 400"),
        "{}",
        letters[0]
    );
    assert_eq!(letters[0]["documents"][0]["class_uid"], 2004);
}

/// `n` Suricata alerts made from the sample, each with its own `flow_id` (and so its own
/// finding uid).
fn many_alerts(n: usize) -> String {
    let sample = std::fs::read_to_string(root().join(SURICATA_SAMPLE)).unwrap();
    let alerts: Vec<Value> = sample
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut out = String::new();
    for i in 0..n {
        let mut alert = alerts[i % alerts.len()].clone();
        alert["flow_id"] = Value::from(1_000_000 + i);
        out.push_str(&alert.to_string());
        out.push('\n');
    }
    out
}

/// How many times the intake received each finding uid.
async fn received_uids(server: &MockServer) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for body in intake_bodies(server).await {
        let uid = body["detection_findings"]["finding_info"]["uid"]
            .as_str()
            .unwrap()
            .to_owned();
        *seen.entry(uid).or_default() += 1;
    }
    seen
}

/// The backfill guarantee, end to end on the binary with mapper threads: killed with SIGKILL
/// midway, the same command run again delivers every finding, and a finding reaches the intake
/// twice only if it was in flight (sent, its acknowledgement not yet journaled) at the kill.
#[tokio::test(flavor = "multi_thread")]
async fn a_backfill_killed_midway_resumes_losing_nothing_and_resending_only_what_was_in_flight() {
    let server =
        server_answering(ResponseTemplate::new(202).set_delay(Duration::from_millis(25))).await;
    let (dir, input) = temp_file("backfill.jsonl", &many_alerts(300));
    let checkpoint = dir.path().join("backfill.ckpt");
    let (input, checkpoint) = (input.to_str().unwrap(), checkpoint.to_str().unwrap());
    let command = || {
        delivery(
            &server,
            &[input],
            &["--checkpoint", checkpoint, "--threads", "2"],
        )
    };

    let mut first = command()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while intake_bodies(&server).await.len() < 40 {
        assert!(Instant::now() < deadline, "the first run made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = intake_bodies(&server).await.len();

    let mut second = command();
    let out = tokio::task::spawn_blocking(move || second.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let received = received_uids(&server).await;
    // Every finding the mapping makes of the input, as written to a file.
    let mapped = run(&[SURICATA[0], SURICATA[1], input]);
    let findings: Vec<String> = json_lines(&stdout(&mapped))
        .iter()
        .filter(|doc| doc["class_uid"] == 2004)
        .map(|doc| doc["finding_info"]["uid"].as_str().unwrap().to_owned())
        .collect();
    assert!(at_kill < findings.len(), "killed after the last finding");
    for uid in &findings {
        assert!(
            received.contains_key(uid),
            "finding {uid} was never delivered"
        );
    }
    assert_eq!(received.len(), findings.len(), "only the input's findings");
    assert!(received.values().all(|&n| n <= 2), "{received:?}");
    // Sent twice: those in flight at the kill (sent, the acknowledgement not yet journaled),
    // at most the sink's concurrent requests (4) and the acknowledged ones waiting for the
    // same fsync.
    let twice = received.values().filter(|&&n| n == 2).count();
    assert!(twice <= 8, "{twice} findings sent twice");
    let journaled = at_kill - twice;
    let summary = format!(
        "{} delivered, {journaled} already delivered",
        findings.len() - journaled
    );
    assert!(
        stderr(&out).contains(&summary),
        "expected `{summary}` in:\n{}",
        stderr(&out)
    );
}

/// Without a terminal, a run that cannot get a token says so while it retries: the progress
/// line is logged once a minute (this test takes that minute).
#[test]
fn a_failing_token_endpoint_is_logged_while_it_is_retried_when_stderr_is_not_a_terminal() {
    use std::io::BufRead;
    // Port 9 (discard) on loopback: connections are refused, and every token attempt fails.
    let mut child = ocsf_map()
        .args(SURICATA)
        .args(["--sink", "intake", "--module-instance-id", "mod-1"])
        .args(["--endpoint", "http://127.0.0.1:9"])
        .args(["--token-url", "http://127.0.0.1:9/token"])
        .env("XDR_CLIENT_ID", "client")
        .env("XDR_CLIENT_SECRET", "s3cret")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let started = Instant::now();
    let mut logged = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        if line.starts_with("intake: ") {
            logged = Some(line);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(150),
            "nothing logged"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let line = logged.expect("a progress line before the run gave up");
    assert!(
        line.contains("sent 0") && line.contains("token endpoint failing ("),
        "{line}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(59),
        "logged after a minute, not at once"
    );
}

#[test]
fn missing_credentials_stop_the_run_before_reading() {
    let out = ocsf_map()
        .args(SURICATA)
        .args(["--sink", "intake", "--endpoint", "http://127.0.0.1:9"])
        .env_remove("XDR_CLIENT_ID")
        .env_remove("XDR_CLIENT_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("XDR_CLIENT_ID"), "{}", stderr(&out));
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    let out = ocsf_map()
        .args(SURICATA)
        .args([
            "--sink",
            "intake",
            "--endpoint",
            "http://findings.example.com",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("http"), "{}", stderr(&out));
}

#[test]
fn dry_run_prints_the_requests_with_secrets_redacted_and_sends_nothing() {
    let out = ocsf_map()
        .args(SURICATA)
        .args([
            "--sink",
            "intake",
            "--dry-run",
            "--preview",
            "1",
            "--endpoint",
            "http://127.0.0.1:9",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("POST http://127.0.0.1:9/api/v1/custom_detection_findings"),
        "{text}"
    );
    assert!(text.contains("authorization: Bearer <redacted>"), "{text}");
    assert!(text.contains("{\"detection_findings\":{"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_end_the_run_with_exit_2_and_how_to_resume() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad client"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("c.ckpt");
    let out = deliver(&server, &["--checkpoint", checkpoint.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("refused the credentials"), "{err}");
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "the secret is never printed");
}
