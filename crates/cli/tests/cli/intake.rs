//! `--sink intake` end to end: the binary against a real HTTP server on loopback.

use std::process::Output;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::util::*;

const SURICATA: [&str; 3] = [
    "-m",
    "mappings/suricata-alert.yaml",
    "samples/suricata/eve-alerts.log",
];

async fn server(intake_status: u16) -> MockServer {
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
        .respond_with(ResponseTemplate::new(intake_status).set_body_json(
            json!({"detection_id": "x", "timestamp": "2026-12-04T00:00:00Z", "version": "1.4.0"}),
        ))
        .mount(&server)
        .await;
    server
}

/// Runs `ocsf-map` (blocking) with the intake pointed at `server` and credentials in the
/// environment.
async fn deliver(server: &MockServer, extra: &[&str]) -> Output {
    let mut args: Vec<String> = SURICATA.iter().map(|s| s.to_string()).collect();
    args.extend(
        [
            "--sink",
            "intake",
            "--module-instance-id",
            "mod-1",
            "--endpoint",
        ]
        .map(String::from),
    );
    args.push(server.uri());
    args.push("--token-url".into());
    args.push(format!("{}/token", server.uri()));
    // The default budget (8000/hour) paces 21 requests over ~10 s; tests need no pacing.
    args.extend(["--max-requests-per-hour", "3600000"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    tokio::task::spawn_blocking(move || {
        ocsf_map()
            .args(&args)
            .env("XDR_CLIENT_ID", "client")
            .env("XDR_CLIENT_SECRET", "s3cret")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    })
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
