//! The intake sink against real local HTTP servers: wiremock for behaviour, and a small
//! fault-injecting server (tests/common/fault_server.rs) for transport faults and crashes.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::fault_server::{Fault, FaultServer};
use common::{Outcomes, config, creds, group, pos, uid};
use ocsf_map_intake::{
    Checkpoint, DryRunSink, IntakeError, IntakeMode, IntakeSink, Outcome, Summary,
};
use ocsf_map_sinks::Sink;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A wiremock server on its own runtime (the sink under test is synchronous and owns another).
struct Server {
    rt: tokio::runtime::Runtime,
    mock: MockServer,
}

impl Server {
    fn start() -> Server {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mock = rt.block_on(MockServer::start());
        Server { rt, mock }
    }

    fn token(&self, expires_in: u64, expect: u64) {
        self.mount(
            Mock::given(method("POST"))
                .and(path("/token"))
                .and(header("content-type", "application/x-www-form-urlencoded"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "access_token": "tok", "token_type": "bearer", "expires_in": expires_in
                })))
                .expect(expect),
        );
    }

    fn mount(&self, m: Mock) {
        self.rt.block_on(m.mount(&self.mock));
    }

    fn intake_ok(&self) -> Mock {
        Mock::given(method("POST"))
            .and(path("/api/v1/custom_detection_findings"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"detection_id": "d"})))
    }

    fn intake(&self) -> wiremock::MockBuilder {
        Mock::given(method("POST")).and(path("/api/v1/custom_detection_findings"))
    }

    fn requests(&self, p: &str) -> Vec<Request> {
        self.rt
            .block_on(self.mock.received_requests())
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == p)
            .collect()
    }

    fn intake_requests(&self) -> Vec<Request> {
        self.requests("/api/v1/custom_detection_findings")
    }

    fn base(&self) -> String {
        self.mock.uri()
    }

    fn verify(&self) {
        self.rt.block_on(self.mock.verify());
    }
}

fn run(
    cfg: ocsf_map_intake::IntakeConfig,
    checkpoint: Option<Checkpoint>,
    groups: impl IntoIterator<Item = u64>,
) -> (Result<Summary, IntakeError>, Outcomes) {
    let outcomes = Outcomes::default();
    let mut sink = IntakeSink::new(
        cfg.validate().unwrap(),
        creds(),
        checkpoint,
        outcomes.callback(),
    )
    .unwrap();
    for n in groups {
        sink.submit(&pos(n), &group(n)).unwrap();
    }
    (sink.finish_summary(), outcomes)
}

#[test]
fn findings_are_delivered_with_token_headers_and_projected_body() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(s.intake_ok().expect(3));
    let (summary, outcomes) = run(config(&s.base()), None, 1..=3);
    assert_eq!(summary.unwrap().delivered, 3);
    assert_eq!(outcomes.delivered().len(), 3);
    let reqs = s.intake_requests();
    let r = &reqs[0];
    assert_eq!(r.headers["authorization"], "Bearer tok");
    assert_eq!(r.headers["module-instance-id"], "mod-123");
    assert_eq!(r.headers["x-workflow-run-id"], "run-9");
    assert_eq!(r.headers["content-type"], "application/json");
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["detection_findings"]["severity"], "Medium");
    assert_eq!(body["network_activity"][0]["activity_name"], "Traffic");
    assert!(body["detection_findings"].get("class_uid").is_none());
    s.verify();
}

#[test]
fn too_many_requests_waits_for_retry_after_then_resends_the_same_body() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(
        s.intake()
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
            .up_to_n_times(1)
            .with_priority(1),
    );
    s.mount(s.intake_ok().with_priority(2));
    let start = Instant::now();
    let (summary, _) = run(config(&s.base()), None, [1]);
    assert_eq!(summary.unwrap().delivered, 1);
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    let reqs = s.intake_requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body);
}

#[test]
fn service_unavailable_is_retried() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(
        s.intake()
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(2)
            .with_priority(1),
    );
    s.mount(s.intake_ok().with_priority(2));
    let (summary, _) = run(config(&s.base()), None, [1]);
    let summary = summary.unwrap();
    assert_eq!(
        (summary.delivered, summary.requests, summary.retries),
        (1, 3, 2)
    );
}

#[test]
fn a_slow_answer_times_out_and_is_resent_with_the_same_uid() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(
        s.intake()
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
            .up_to_n_times(1)
            .with_priority(1),
    );
    s.mount(s.intake_ok().with_priority(2));
    let mut cfg = config(&s.base());
    cfg.request_timeout = Duration::from_millis(300);
    let (summary, _) = run(cfg, None, [1]);
    assert_eq!(summary.unwrap().delivered, 1);
    let reqs = s.intake_requests();
    assert_eq!(reqs.len(), 2, "ambiguous: sent at most twice");
    assert_eq!(reqs[0].body, reqs[1].body, "with the same uid");
}

#[test]
fn a_401_fetches_a_new_token_once() {
    let s = Server::start();
    s.token(600, 2);
    s.mount(
        s.intake()
            .respond_with(ResponseTemplate::new(401))
            .up_to_n_times(1)
            .with_priority(1),
    );
    s.mount(s.intake_ok().with_priority(2));
    let (summary, _) = run(config(&s.base()), None, [1]);
    assert_eq!(summary.unwrap().token_fetches, 2);
    s.verify();
}

#[test]
fn a_401_to_a_fresh_token_ends_the_run() {
    let s = Server::start();
    s.token(600, 2);
    s.mount(s.intake().respond_with(ResponseTemplate::new(401)));
    let (summary, _) = run(config(&s.base()), None, [1]);
    assert!(
        matches!(summary, Err(IntakeError::Unauthorized)),
        "{summary:?}"
    );
}

#[test]
fn a_failing_token_endpoint_shows_in_the_progress_while_it_is_retried() {
    let s = Server::start();
    s.mount(
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(503)),
    );
    let mut sink = IntakeSink::new(
        config(&s.base()).validate().unwrap(),
        creds(),
        None,
        Outcomes::default().callback(),
    )
    .unwrap();
    let progress = sink.progress();
    let _ = sink.submit(&pos(1), &group(1));
    let summary = sink.finish_summary();
    let Err(IntakeError::TokenUnavailable { attempts, .. }) = summary else {
        panic!("{summary:?}")
    };
    let snapshot = progress.snapshot();
    assert_eq!(snapshot.token_failures, u64::from(attempts));
    assert!(
        snapshot.line(None).contains(&format!(
            "token endpoint failing ({attempts} attempts so far)"
        )),
        "{}",
        snapshot.line(None)
    );
}

#[test]
fn a_token_is_refreshed_before_it_expires() {
    let s = Server::start();
    s.token(1, 2);
    s.mount(s.intake_ok());
    let outcomes = Outcomes::default();
    let cfg = config(&s.base()).validate().unwrap();
    let mut sink = IntakeSink::new(cfg, creds(), None, outcomes.callback()).unwrap();
    sink.submit(&pos(1), &group(1)).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    sink.submit(&pos(2), &group(2)).unwrap();
    let summary = sink.finish_summary().unwrap();
    assert_eq!((summary.delivered, summary.token_fetches), (2, 2));
    s.verify();
}

#[test]
fn a_client_error_is_rejected_with_the_answer_and_the_position() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(
        s.intake()
            .respond_with(
                ResponseTemplate::new(400).set_body_string(r#"{"message":"bad finding"}"#),
            )
            .expect(1),
    );
    let (summary, outcomes) = run(config(&s.base()), None, [7]);
    assert_eq!(summary.unwrap().rejected, 1);
    match &outcomes.all()[0] {
        Outcome::Rejected {
            pos,
            status,
            body,
            uid: u,
            ..
        } => {
            assert_eq!((pos.record, *status), (7, 400));
            assert!(body.contains("bad finding"));
            assert_eq!(u, &uid(7));
        }
        other => panic!("{other:?}"),
    }
    s.verify();
}

#[test]
fn an_invalid_group_never_reaches_the_network() {
    let s = Server::start();
    s.token(600, 0);
    s.mount(s.intake_ok().expect(0));
    let outcomes = Outcomes::default();
    let cfg = config(&s.base()).validate().unwrap();
    let mut sink = IntakeSink::new(cfg, creds(), None, outcomes.callback()).unwrap();
    let mut docs = group(1);
    docs[0]["attacks"][0]["tactic"]["uid"] = json!("TA9999");
    sink.submit(&pos(1), &docs).unwrap();
    assert_eq!(sink.finish_summary().unwrap().invalid, 1);
    match &outcomes.all()[0] {
        Outcome::Invalid { violations, .. } => {
            assert_eq!(
                violations[0].path,
                "detection_findings.attacks[0].tactic.uid"
            )
        }
        other => panic!("{other:?}"),
    }
    s.verify();
}

#[test]
fn pacing_holds_the_hourly_budget() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(s.intake_ok());
    let mut cfg = config(&s.base());
    cfg.max_requests_per_hour = 36_000; // one request per 100 ms
    let start = Instant::now();
    let (summary, _) = run(cfg, None, 1..=8);
    assert_eq!(summary.unwrap().delivered, 8);
    // 8 requests need 7 intervals, whatever the concurrency.
    assert!(
        start.elapsed() >= Duration::from_millis(700),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn low_org_remaining_slows_the_pace() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(
        Mock::given(method("POST")).respond_with(
            ResponseTemplate::new(200).insert_header("x-ratelimit-org-remaining", "1"),
        ),
    );
    let mut cfg = config(&s.base());
    cfg.max_requests_per_hour = 360_000; // 10 ms
    cfg.slow_down_below = 20; // remaining 1 → 20 × 10 ms
    cfg.concurrency = 1;
    let start = Instant::now();
    let (summary, _) = run(cfg, None, 1..=4);
    assert_eq!(summary.unwrap().delivered, 4);
    // The first answer brings the news: the three requests after it are 200 ms apart.
    assert!(
        start.elapsed() >= Duration::from_millis(400),
        "{:?}",
        start.elapsed()
    );
}

/// Answers a bundle: decodes the gzip body and names every finding whose title ends in "bad".
struct BundleJudge;

impl Respond for BundleJudge {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let mut text = String::new();
        if flate2::read::GzDecoder::new(&r.body[..])
            .read_to_string(&mut text)
            .is_err()
        {
            return ResponseTemplate::new(400);
        }
        let b: Value = serde_json::from_str(&text).unwrap();
        let events = b["events"].as_array().unwrap();
        if b["count"].as_u64() != Some(events.len() as u64) {
            return ResponseTemplate::new(400);
        }
        let errors: Vec<Value> = events
            .iter()
            .filter(|e| {
                e["finding_info"]["title"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("bad"))
            })
            .map(|e| json!({"code": "invalid", "detail": "no", "uid": e["finding_info"]["uid"]}))
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": {"version": "1.4.0"}, "errors": errors}))
    }
}

#[test]
fn a_bundle_is_gzipped_and_partial_success_maps_errors_to_records() {
    let s = Server::start();
    s.token(600, 1);
    s.mount(
        Mock::given(method("POST"))
            .and(path("/api/v1/detection_findings"))
            .and(header("content-encoding", "gzip"))
            .respond_with(BundleJudge),
    );
    let mut cfg = config(&s.base());
    cfg.mode = IntakeMode::Bundle;
    cfg.bundle_max_groups = 3;
    let outcomes = Outcomes::default();
    let mut sink =
        IntakeSink::new(cfg.validate().unwrap(), creds(), None, outcomes.callback()).unwrap();
    for n in 1..=6 {
        let mut docs = group(n);
        if n == 4 {
            docs[0]["finding_info"]["title"] = json!("finding 4 bad");
        }
        sink.submit(&pos(n), &docs).unwrap();
    }
    let summary = sink.finish_summary().unwrap();
    assert_eq!((summary.delivered, summary.rejected), (5, 1));
    let rejected: Vec<u64> = outcomes
        .all()
        .iter()
        .filter(|o| matches!(o, Outcome::Rejected { .. }))
        .map(|o| o.pos().record)
        .collect();
    assert_eq!(rejected, [4]);
}

#[test]
fn a_resumed_run_skips_acknowledged_findings() {
    let dir = tempfile::tempdir().unwrap();
    let cp_path = dir.path().join("ckpt");
    let s = Server::start();
    s.token(600, 2);
    s.mount(s.intake_ok().expect(5));
    let (first, _) = run(
        config(&s.base()),
        Some(Checkpoint::open(&cp_path).unwrap()),
        1..=3,
    );
    assert_eq!(first.unwrap().delivered, 3);
    let (second, _) = run(
        config(&s.base()),
        Some(Checkpoint::open(&cp_path).unwrap()),
        1..=5,
    );
    let second = second.unwrap();
    assert_eq!((second.already_delivered, second.delivered), (3, 2));
    s.verify();
}

#[test]
fn dry_run_prints_the_requests_with_secrets_redacted() {
    let cfg = config("https://findings.example.invalid")
        .validate()
        .unwrap();
    let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    struct W(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for W {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut sink = DryRunSink::new(cfg, Box::new(W(out.clone())), None, Box::new(|_| {}));
    sink.write_group(&pos(1), &group(1)).unwrap();
    sink.finish().unwrap();
    let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    assert!(
        text.starts_with(
            "POST https://findings.example.invalid/token\nauthorization: Basic <redacted>\n"
        ),
        "{text}"
    );
    assert!(text.contains("POST https://findings.example.invalid/api/v1/custom_detection_findings\nauthorization: Bearer <redacted>\n"));
    assert!(text.contains("module-instance-id: mod-123\n"));
    assert!(text.contains(&uid(1)));
    assert!(!text.contains("s3cret"));
}

#[test]
fn transport_faults_lose_nothing_and_never_resend_an_acknowledged_finding() {
    let server = FaultServer::start(|n| match n {
        n if n % 5 == 1 => Fault::DropBeforeRecord,
        n if n % 7 == 2 => Fault::DropAfterRecord,
        3 | 17 => Fault::TooMany(1),
        n if n % 13 == 4 => Fault::Unavailable,
        n if n % 9 == 5 => Fault::Slow(Duration::from_millis(200)),
        _ => Fault::Ok,
    });
    let start = Instant::now();
    let (summary, outcomes) = run(config(&server.base), None, 0..40);
    let summary = summary.unwrap();
    assert_eq!(summary.delivered, 40);
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    let delivered = outcomes.delivered();
    server.with(|r| {
        assert!(r.breaches.is_empty(), "{:?}", r.breaches);
        assert!(
            r.resent_after_ack.is_empty(),
            "re-sent after ack: {:?}",
            r.resent_after_ack
        );
        for n in 0..40 {
            assert!(r.acked.contains(&uid(n)), "finding {n} lost");
            let times = r.received[&uid(n)];
            // Sent once, plus once per ambiguous failure (recorded, then no answer).
            let ambiguous = r.ambiguous.get(&uid(n)).copied().unwrap_or(0);
            assert!(
                times <= 1 + ambiguous,
                "{n}: received {times}, ambiguous {ambiguous}"
            );
        }
        assert_eq!(delivered.len(), 40);
    });
}

/// Child mode for the crash test: when `OCSF_MAP_INTAKE_CHILD` is set, this "test" is the
/// backfill process that the parent kills.
#[test]
fn child_backfill() {
    let Ok(spec) = std::env::var("OCSF_MAP_INTAKE_CHILD") else {
        return;
    };
    let v: Value = serde_json::from_str(&spec).unwrap();
    let mut cfg = config(v["base"].as_str().unwrap());
    cfg.max_requests_per_hour = 36_000;
    let cp = Checkpoint::open(v["checkpoint"].as_str().unwrap().as_ref()).unwrap();
    let (summary, _) = run(cfg, Some(cp), 0..v["n"].as_u64().unwrap());
    let s = summary.unwrap();
    println!("SUMMARY {} {}", s.delivered, s.already_delivered);
}

fn spawn_child(base: &str, checkpoint: &std::path::Path, n: u64) -> std::process::Child {
    let spec = json!({"base": base, "checkpoint": checkpoint, "n": n}).to_string();
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_backfill",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("OCSF_MAP_INTAKE_CHILD", spec)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_kill_9_midway_then_a_resume_delivers_every_finding_exactly_once() {
    const N: u64 = 40;
    let server = FaultServer::start(|_| Fault::Slow(Duration::from_millis(20)));
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("ckpt");

    let mut child = spawn_child(&server.base, &cp, N);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.with(|r| r.acked.len()) < 12 {
        assert!(Instant::now() < deadline, "the child made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let acked_at_kill = server.with(|r| r.acked.len());
    assert!(
        acked_at_kill < N as usize,
        "killed too late to test anything"
    );

    let child = spawn_child(&server.base, &cp, N);
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find_map(|l| l.split_once("SUMMARY ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no summary in {text}"));
    let nums: Vec<u64> = line
        .split(' ')
        .take(2)
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(nums[0] + nums[1], N, "every group accounted for: {line}");

    server.with(|r| {
        for n in 0..N {
            assert!(r.acked.contains(&uid(n)), "finding {n} lost");
            assert!(
                r.received[&uid(n)] <= 2,
                "finding {n} sent {} times",
                r.received[&uid(n)]
            );
        }
        // Only findings acknowledged by the server but not yet journaled when the process died
        // (at most those in flight: the concurrency) may come again, with the same uid.
        assert!(r.resent_after_ack.len() <= 4, "{:?}", r.resent_after_ack);
    });
    assert_eq!(Checkpoint::open(&cp).unwrap().len(), N as usize);
}
