//! Shared helpers: groups, configs, an outcome collector, and a fault-injecting HTTP server.

#![allow(dead_code, unreachable_pub)]

pub mod fault_server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ocsf_map_intake::{
    Credentials, IntakeConfig, IntakeMode, OnOutcome, Outcome, RetryPolicy, derive_finding_uid,
};
use ocsf_map_record::SourcePos;
use serde_json::{Value, json};

pub fn pos(n: u64) -> SourcePos {
    SourcePos {
        source: "test.jsonl".into(),
        record: n,
        line: n,
        offset: n * 100,
    }
}

pub fn uid(n: u64) -> String {
    derive_finding_uid(&json!({ "n": n }))
}

/// One submission: a detection finding plus a network activity.
pub fn group(n: u64) -> Vec<Value> {
    vec![
        json!({
            "class_uid": 2004, "activity_id": 1, "severity_id": 3, "time": 1_760_000_000_000_i64 + n as i64,
            "finding_info": {"uid": uid(n), "title": format!("finding {n}"), "types": ["Network"]},
            "attacks": [{"tactic": {"uid": "TA0011"}}],
            "metadata": {"uid": format!("meta-{n}")}
        }),
        json!({
            "class_uid": 4001, "activity_id": 6,
            "src_endpoint": {"ip": "10.0.0.1", "port": 40000},
            "dst_endpoint": {"ip": "192.0.2.7", "port": 443},
            "metadata": {"uid": format!("net-{n}")}
        }),
    ]
}

pub fn config(base: &str) -> IntakeConfig {
    IntakeConfig {
        endpoint: Some(base.to_owned()),
        token_url: Some(format!("{base}/token")),
        module_instance_id: Some("mod-123".into()),
        headers: vec!["X-Workflow-Run-Id: run-9".into()],
        mode: IntakeMode::Custom,
        max_requests_per_hour: 3_600_000,
        concurrency: 4,
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        },
        ..IntakeConfig::default()
    }
}

pub fn creds() -> Credentials {
    Credentials::new("client-id", "client-s3cret")
}

/// Collects outcomes for assertions.
#[derive(Clone, Default)]
pub struct Outcomes(pub Arc<Mutex<Vec<Outcome>>>);

impl Outcomes {
    pub fn callback(&self) -> OnOutcome {
        let me = self.0.clone();
        Box::new(move |o| me.lock().unwrap().push(o))
    }

    pub fn all(&self) -> Vec<Outcome> {
        self.0.lock().unwrap().clone()
    }

    pub fn delivered(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter_map(|o| match o {
                Outcome::Delivered { uid, .. } => Some(uid),
                _ => None,
            })
            .collect()
    }
}
