//! A small HTTP/1.1 server on 127.0.0.1 that enforces the intake contract and injects transport
//! faults at exact points (before or after it records a finding), which a mock server's
//! request/response model cannot express. It also serves tokens at `/token`.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with the n-th intake request (0-based).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    Ok,
    /// Close the connection without recording or answering.
    DropBeforeRecord,
    /// Record the finding, then close without answering (the ambiguous case).
    DropAfterRecord,
    /// 429 with `Retry-After: secs`.
    TooMany(u64),
    /// 503.
    Unavailable,
    /// Record, wait, then answer 200.
    Slow(Duration),
}

#[derive(Default)]
pub struct Record {
    /// uid → times the server recorded it.
    pub received: HashMap<String, u32>,
    /// uids answered 2xx.
    pub acked: HashSet<String>,
    /// uids received again after a 2xx answer.
    pub resent_after_ack: Vec<String>,
    /// uid → times it was recorded by a `DropAfterRecord`.
    pub ambiguous: HashMap<String, u32>,
    /// Contract breaches seen (missing bearer, bad body...).
    pub breaches: Vec<String>,
    pub intake_requests: u64,
    pub token_requests: u64,
}

pub struct FaultServer {
    pub base: String,
    pub record: Arc<Mutex<Record>>,
    runtime: Option<tokio::runtime::Runtime>,
}

type Plan = Arc<dyn Fn(u64) -> Fault + Send + Sync>;

impl FaultServer {
    pub fn start(plan: impl Fn(u64) -> Fault + Send + Sync + 'static) -> FaultServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let record = Arc::new(Mutex::new(Record::default()));
        let plan: Plan = Arc::new(plan);
        let r = record.clone();
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(stream, r.clone(), plan.clone()));
            }
        });
        FaultServer {
            base: format!("http://{addr}"),
            record,
            runtime: Some(runtime),
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&Record) -> T) -> T {
        f(&self.record.lock().unwrap())
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

struct Request {
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

async fn read_request(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let path = lines.next()?.split(' ').nth(1)?.to_owned();
            let headers: HashMap<String, String> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let len: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let mut chunk = [0u8; 8192];
                let n = s.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[end + 4..end + 4 + len].to_vec();
            buf.drain(..end + 4 + len);
            return Some(Request {
                path,
                headers,
                body,
            });
        }
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn respond(s: &mut TcpStream, status: &str, extra: &str, body: &str) -> bool {
    let msg = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n{body}",
        body.len()
    );
    s.write_all(msg.as_bytes()).await.is_ok() && s.flush().await.is_ok()
}

async fn serve(mut s: TcpStream, record: Arc<Mutex<Record>>, plan: Plan) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut s, &mut buf).await {
        if req.path == "/token" {
            record.lock().unwrap().token_requests += 1;
            let ok = req
                .headers
                .get("authorization")
                .is_some_and(|a| a.starts_with("Basic "));
            let (status, body) = if ok {
                (
                    "200 OK",
                    r#"{"access_token":"tok","token_type":"bearer","expires_in":600}"#,
                )
            } else {
                ("401 Unauthorized", r#"{"error":"invalid_client"}"#)
            };
            if !respond(&mut s, status, "", body).await {
                return;
            }
            continue;
        }
        let n = {
            let mut r = record.lock().unwrap();
            r.intake_requests += 1;
            r.intake_requests - 1
        };
        // The contract: bearer token, JSON, one finding with a uid.
        let uid = serde_json::from_slice::<serde_json::Value>(&req.body)
            .ok()
            .and_then(|v| {
                v["detection_findings"]["finding_info"]["uid"]
                    .as_str()
                    .map(str::to_owned)
            });
        let bearer = req
            .headers
            .get("authorization")
            .is_some_and(|a| a == "Bearer tok");
        let (Some(uid), true) = (uid, bearer) else {
            record
                .lock()
                .unwrap()
                .breaches
                .push(format!("request {n}: bad auth or body"));
            if !respond(&mut s, "400 Bad Request", "", r#"{"result":"error"}"#).await {
                return;
            }
            continue;
        };
        let fault = plan(n);
        let recorded = |r: &mut Record| {
            *r.received.entry(uid.clone()).or_default() += 1;
            if r.acked.contains(&uid) {
                r.resent_after_ack.push(uid.clone());
            }
        };
        match fault {
            Fault::DropBeforeRecord => return,
            Fault::DropAfterRecord => {
                let mut r = record.lock().unwrap();
                recorded(&mut r);
                *r.ambiguous.entry(uid.clone()).or_default() += 1;
                return;
            }
            Fault::TooMany(secs) => {
                let h = format!("retry-after: {secs}\r\n");
                if !respond(&mut s, "429 Too Many Requests", &h, "{}").await {
                    return;
                }
            }
            Fault::Unavailable => {
                if !respond(&mut s, "503 Service Unavailable", "", "{}").await {
                    return;
                }
            }
            Fault::Ok | Fault::Slow(_) => {
                recorded(&mut record.lock().unwrap());
                if let Fault::Slow(d) = fault {
                    tokio::time::sleep(d).await;
                }
                let body = format!(
                    r#"{{"detection_id":"{uid}","timestamp":"2026-01-01T00:00:00Z","version":"1.4.0"}}"#
                );
                if !respond(
                    &mut s,
                    "200 OK",
                    "x-ratelimit-org-remaining: 7000\r\n",
                    &body,
                )
                .await
                {
                    return;
                }
                record.lock().unwrap().acked.insert(uid);
            }
        }
    }
}
