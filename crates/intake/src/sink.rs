//! The intake sink: groups in, HTTP requests out, one [`Outcome`] per group back.
//!
//! ```text
//! write_group ──(bounded queue)──▶ dispatcher ──▶ ≤ concurrency workers ──▶ results ──▶ ack thread
//!  (checks, projection,              (batches        (pacer slot, token,      (fsync checkpoint,
//!   skips acknowledged uids)          bundles)         send, retry)            then on_outcome)
//! ```

use std::cell::Cell;
use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use ocsf_map_record::SourcePos;
use ocsf_map_sinks::{Sink, SinkError};
use serde_json::Value;
use tokio::sync::{Semaphore, mpsc, watch};

use crate::checkpoint::{Ack, Checkpoint};
use crate::config::{IntakeMode, ValidatedIntake};
use crate::credentials::Credentials;
use crate::error::IntakeError;
use crate::pacer::Pacer;
use crate::progress::Progress;
use crate::projection::Violation;
use crate::request::{Planned, build_bundle, plan};
use crate::retry::{Action, AttemptResult, RetryReason, retry_decision};
use crate::token::TokenSource;
use crate::uid::finding_uid;

/// What became of one group. Every group given to a sink gets exactly one, except groups still
/// queued or in flight when a fatal error stops the run (counted in [`Summary::abandoned`]; not
/// journaled, so a resumed run sends them).
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The intake acknowledged the finding, and the checkpoint (if any) has it on disk.
    Delivered {
        /// Where the record was read.
        pos: SourcePos,
        /// The finding's uid.
        uid: String,
        /// The intake's `detection_id`, when it returned one.
        detection_id: Option<String>,
    },
    /// The finding's uid was acknowledged before (checkpoint), or an earlier group of this run
    /// had the same uid; nothing was sent.
    AlreadyDelivered {
        /// Where the record was read.
        pos: SourcePos,
        /// The finding's uid.
        uid: String,
    },
    /// The intake refused the group (a 4xx other than 401/408/429, or an error naming it in a
    /// bundle answer). Dead-letter it.
    Rejected {
        /// Where the record was read.
        pos: SourcePos,
        /// The finding's uid.
        uid: String,
        /// The HTTP status.
        status: u16,
        /// The server's answer (at most 8 KiB), or the bundle errors naming this group.
        body: String,
        /// The group's documents.
        docs: Vec<Value>,
    },
    /// The group cannot pass Cisco's known constraints (or has no single finding with a uid),
    /// so it was not sent. Dead-letter it.
    Invalid {
        /// Where the record was read.
        pos: SourcePos,
        /// The finding's uid, when it has one.
        uid: Option<String>,
        /// Every reason.
        violations: Vec<Violation>,
        /// The group's documents.
        docs: Vec<Value>,
    },
}

impl Outcome {
    /// Where the group's record was read.
    pub fn pos(&self) -> &SourcePos {
        match self {
            Outcome::Delivered { pos, .. }
            | Outcome::AlreadyDelivered { pos, .. }
            | Outcome::Rejected { pos, .. }
            | Outcome::Invalid { pos, .. } => pos,
        }
    }

    /// For a dead-letter line: why the group was not delivered (`None` when it was).
    pub fn error_message(&self) -> Option<String> {
        match self {
            Outcome::Delivered { .. } | Outcome::AlreadyDelivered { .. } => None,
            Outcome::Rejected { status, body, .. } => {
                Some(format!("the intake answered HTTP {status}: {body}"))
            }
            Outcome::Invalid { violations, .. } => Some(
                violations
                    .iter()
                    .map(Violation::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    }
}

/// Receives every [`Outcome`], on one thread (not a runtime thread: blocking I/O is fine), in
/// the order they are decided.
pub type OnOutcome = Box<dyn FnMut(Outcome) + Send>;

/// Totals at the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Groups delivered.
    pub delivered: u64,
    /// Groups skipped as already delivered.
    pub already_delivered: u64,
    /// Groups refused by the intake.
    pub rejected: u64,
    /// Groups not sent because they failed the checks.
    pub invalid: u64,
    /// Groups dropped unsent because a fatal error stopped the run.
    pub abandoned: u64,
    /// HTTP requests to the intake, retries included.
    pub requests: u64,
    /// Of which retries.
    pub retries: u64,
    /// Tokens fetched.
    pub token_fetches: u64,
    /// Wall time.
    pub elapsed: Duration,
}

pub(crate) struct Group {
    pub(crate) pos: SourcePos,
    pub(crate) uid: String,
    pub(crate) docs: Vec<Value>,
    pub(crate) planned: Option<Planned>,
}

/// The checks shared by the sink and the dry run: a group is skipped, refused, or ready.
pub(crate) enum Prepared {
    Done(Outcome),
    Ready(Group),
}

pub(crate) fn prepare(
    cfg: &ValidatedIntake,
    known: &mut HashSet<String>,
    pos: &SourcePos,
    docs: &[Value],
) -> Prepared {
    let Some(uid) = finding_uid(docs).map(str::to_owned) else {
        return Prepared::Done(Outcome::Invalid {
            pos: pos.clone(),
            uid: None,
            violations: vec![Violation {
                path: "detection_findings.finding_info.uid".to_owned(),
                reason: "the group needs exactly one detection finding (class_uid 2004) with a \
                         finding_info.uid"
                    .to_owned(),
            }],
            docs: docs.to_vec(),
        });
    };
    if known.contains(&uid) {
        return Prepared::Done(Outcome::AlreadyDelivered {
            pos: pos.clone(),
            uid,
        });
    }
    let planned = match cfg.mode {
        IntakeMode::Custom => {
            let p = cfg.projection.project(docs);
            if !p.is_valid() {
                return Prepared::Done(Outcome::Invalid {
                    pos: pos.clone(),
                    uid: Some(uid),
                    violations: p.violations,
                    docs: docs.to_vec(),
                });
            }
            Some(plan(cfg, &p.body))
        }
        IntakeMode::Bundle => None,
    };
    known.insert(uid.clone());
    Prepared::Ready(Group {
        pos: pos.clone(),
        uid,
        docs: docs.to_vec(),
        planned,
    })
}

pub(crate) fn bundle_request(cfg: &ValidatedIntake, groups: &[Group]) -> Planned {
    let slices: Vec<&[Value]> = groups.iter().map(|g| g.docs.as_slice()).collect();
    plan(cfg, &build_bundle(&slices))
}

enum Msg {
    Outcome(Outcome),
    Done(Vec<(Group, Verdict)>),
    Fatal(IntakeError),
    Abandoned(u64),
}

enum Verdict {
    Delivered(Option<String>),
    Rejected { status: u16, body: String },
}

struct Ctx {
    cfg: ValidatedIntake,
    client: reqwest::Client,
    tokens: TokenSource,
    pacer: Arc<Pacer>,
    progress: Progress,
    cancel: watch::Sender<bool>,
    stopped: AtomicBool,
}

impl Ctx {
    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.cancel.send_replace(true);
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Sleeps `d`; returns `true` if the run was stopped meanwhile.
    async fn sleep(&self, d: Duration) -> bool {
        let mut rx = self.cancel.subscribe();
        tokio::select! {
            () = tokio::time::sleep(d) => false,
            _ = rx.wait_for(|c| *c) => true,
        }
    }
}

/// Delivers groups to the Cisco XDR Findings Intake API (see the crate documentation).
///
/// `write_group` returns as soon as the group is queued (it blocks while the queue is full);
/// outcomes arrive through the [`OnOutcome`] callback; `finish` waits for every queued group.
pub struct IntakeSink {
    ctx: Arc<Ctx>,
    known: HashSet<String>,
    runtime: Option<tokio::runtime::Runtime>,
    jobs: Option<mpsc::Sender<Group>>,
    results: Option<mpsc::Sender<Msg>>,
    dispatcher: Option<tokio::task::JoinHandle<()>>,
    acker: Option<std::thread::JoinHandle<Result<Summary, IntakeError>>>,
    summary: Option<Summary>,
}

impl IntakeSink {
    /// Starts a sink: its runtime (two threads), HTTP client and acknowledgement thread. No
    /// request is made until the first group arrives.
    pub fn new(
        cfg: ValidatedIntake,
        credentials: Credentials,
        checkpoint: Option<Checkpoint>,
        on_outcome: OnOutcome,
    ) -> Result<IntakeSink, IntakeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ocsf-map-intake")
            .enable_all()
            .build()
            .map_err(IntakeError::Runtime)?;
        let client = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ocsf-map/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(IntakeError::Client)?;
        let pacer = Arc::new(Pacer::new(cfg.pace_interval, cfg.slow_down_below));
        let per_request = match cfg.mode {
            IntakeMode::Custom => 1,
            IntakeMode::Bundle => cfg.bundle_max_groups,
        };
        let progress = Progress::new(pacer.clone(), per_request);
        let tokens = TokenSource::new(
            client.clone(),
            cfg.token_url.clone(),
            credentials,
            cfg.retry.clone(),
            progress.clone(),
        );
        let known = checkpoint
            .as_ref()
            .map(|c| c.acked().clone())
            .unwrap_or_default();
        let (cancel, _) = watch::channel(false);
        let ctx = Arc::new(Ctx {
            client,
            tokens,
            pacer,
            progress: progress.clone(),
            cancel,
            stopped: AtomicBool::new(false),
            cfg,
        });
        let (jobs_tx, jobs_rx) = mpsc::channel(ctx.cfg.concurrency * 2 * per_request);
        let (results_tx, results_rx) = mpsc::channel(1024);
        let acker_ctx = ctx.clone();
        let acker = std::thread::Builder::new()
            .name("ocsf-map-intake-ack".to_owned())
            .spawn(move || ack_loop(results_rx, checkpoint, on_outcome, &acker_ctx))
            .map_err(IntakeError::Runtime)?;
        let dispatcher = runtime.spawn(dispatch(jobs_rx, ctx.clone(), results_tx.clone()));
        Ok(IntakeSink {
            ctx,
            known,
            runtime: Some(runtime),
            jobs: Some(jobs_tx),
            results: Some(results_tx),
            dispatcher: Some(dispatcher),
            acker: Some(acker),
            summary: None,
        })
    }

    /// Queues the group read at `pos` (blocks while the queue is full). Errors only when the run
    /// has stopped; [`IntakeSink::finish_summary`] then returns the cause.
    pub fn submit(&mut self, pos: &SourcePos, docs: &[Value]) -> Result<(), IntakeError> {
        if self.ctx.stopped() {
            return Err(IntakeError::Stopped);
        }
        let (Some(jobs), Some(results)) = (&self.jobs, &self.results) else {
            return Err(IntakeError::Stopped);
        };
        match prepare(&self.ctx.cfg, &mut self.known, pos, docs) {
            Prepared::Done(o) => results
                .blocking_send(Msg::Outcome(o))
                .map_err(|_| IntakeError::Stopped),
            Prepared::Ready(g) => jobs.blocking_send(g).map_err(|_| IntakeError::Stopped),
        }
    }

    /// A handle for drawing progress.
    pub fn progress(&self) -> Progress {
        self.ctx.progress.clone()
    }

    /// Waits for every queued group, then returns the totals, or the error that stopped the run
    /// (groups acknowledged before it are journaled all the same).
    pub fn finish_summary(&mut self) -> Result<Summary, IntakeError> {
        if let Some(s) = &self.summary {
            return Ok(s.clone());
        }
        drop(self.jobs.take());
        drop(self.results.take());
        let runtime = self.runtime.take().ok_or(IntakeError::Stopped)?;
        if let Some(d) = self.dispatcher.take() {
            // A dispatcher that panicked has dropped its channels; the ack thread still ends.
            let _ = runtime.block_on(d);
        }
        let result = match self.acker.take().map(std::thread::JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Err(IntakeError::Stopped),
        };
        runtime.shutdown_timeout(Duration::from_secs(1));
        let mut summary = result?;
        let snap = self.ctx.progress.snapshot();
        summary.requests = snap.requests;
        summary.retries = snap.retries;
        summary.token_fetches = self.ctx.tokens.fetches();
        summary.elapsed = snap.elapsed;
        self.summary = Some(summary.clone());
        Ok(summary)
    }

    /// The totals, once the sink has finished.
    pub fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref()
    }
}

impl Sink for IntakeSink {
    fn write_group(&mut self, pos: &SourcePos, docs: &[Value]) -> Result<(), SinkError> {
        Ok(self.submit(pos, docs)?)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.finish_summary().map(drop).map_err(SinkError::from)
    }
}

impl Drop for IntakeSink {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            self.ctx.stop();
            drop(self.jobs.take());
            drop(self.results.take());
            rt.shutdown_background();
        }
    }
}

async fn dispatch(mut jobs: mpsc::Receiver<Group>, ctx: Arc<Ctx>, results: mpsc::Sender<Msg>) {
    let slots = ctx.cfg.concurrency;
    let sem = Arc::new(Semaphore::new(slots));
    let mut abandoned = 0u64;
    while let Some(first) = jobs.recv().await {
        let mut groups = vec![first];
        if ctx.cfg.mode == IntakeMode::Bundle {
            while groups.len() < ctx.cfg.bundle_max_groups {
                match jobs.try_recv() {
                    Ok(g) => groups.push(g),
                    Err(_) => break,
                }
            }
        }
        if ctx.stopped() {
            abandoned += groups.len() as u64;
            continue;
        }
        let planned = match groups[0].planned.take() {
            Some(p) => p,
            None => bundle_request(&ctx.cfg, &groups),
        };
        let mut cancel = ctx.cancel.subscribe();
        let permit = tokio::select! {
            p = sem.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = cancel.wait_for(|c| *c) => {
                abandoned += groups.len() as u64;
                continue;
            }
        };
        let ctx = ctx.clone();
        let results = results.clone();
        tokio::spawn(async move {
            let n = groups.len() as u64;
            let msg = deliver(groups, planned, &ctx).await;
            if matches!(msg, Msg::Fatal(_)) {
                ctx.stop();
                let _ = results.send(Msg::Abandoned(n)).await;
            }
            let _ = results.send(msg).await;
            drop(permit);
        });
    }
    // Wait for every worker: each holds a permit until its result is sent.
    let _ = sem.acquire_many(slots as u32).await;
    if abandoned > 0 {
        let _ = results.send(Msg::Abandoned(abandoned)).await;
    }
}

/// The read cap on an answer body kept for messages.
const BODY_CAP: usize = 8 * 1024;

async fn deliver(groups: Vec<Group>, planned: Planned, ctx: &Ctx) -> Msg {
    let body = planned.wire_body();
    let mut attempt = 0u32;
    let mut refreshed = false;
    loop {
        if ctx.stopped() {
            return Msg::Abandoned(groups.len() as u64);
        }
        ctx.pacer.acquire().await;
        if ctx.stopped() {
            return Msg::Abandoned(groups.len() as u64);
        }
        let (token, generation) = match ctx.tokens.get().await {
            Ok(t) => t,
            Err(e) => return Msg::Fatal(e),
        };
        attempt += 1;
        ctx.progress.add_request(attempt > 1);
        let mut req = ctx
            .client
            .post(planned.url.clone())
            .bearer_auth(&token)
            .body(body.clone());
        for (k, v) in &planned.headers {
            req = req.header(k, v);
        }
        let sent = req.send().await;
        let (response, failure) = match sent {
            Ok(r) => (Some(r), AttemptResult::Transport),
            Err(e) => (None, classify(&e)),
        };
        let status = response.as_ref().map_or(0, |r| r.status().as_u16());
        let header = |name: &str| {
            response
                .as_ref()
                .and_then(|r| r.headers().get(name))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header("retry-after");
        if let Some(rem) = header("x-ratelimit-org-remaining").and_then(|v| v.trim().parse().ok()) {
            ctx.pacer.observe_remaining(rem);
        }
        let result = match response {
            Some(_) => AttemptResult::Status {
                status,
                retry_after: retry_after.as_deref(),
            },
            None => failure,
        };
        let action = retry_decision(result, attempt, &ctx.cfg.retry, SystemTime::now(), jitter());
        match action {
            Action::Success | Action::Reject => {
                let text = match response {
                    Some(r) => read_capped(r).await,
                    None => String::new(),
                };
                return Msg::Done(verdicts(ctx.cfg.mode, groups, status, &text));
            }
            Action::RefreshToken if !refreshed => {
                refreshed = true;
                attempt -= 1;
                ctx.tokens.invalidate(generation).await;
            }
            Action::RefreshToken => return Msg::Fatal(IntakeError::Unauthorized),
            Action::Retry { after, reason } => {
                if reason == RetryReason::RateLimited {
                    ctx.pacer.hold_until(tokio::time::Instant::now() + after);
                }
                ctx.progress.retrying(1);
                let stopped = ctx.sleep(after).await;
                ctx.progress.retrying(-1);
                if stopped {
                    return Msg::Abandoned(groups.len() as u64);
                }
            }
            Action::GiveUp => {
                let g = &groups[0];
                return Msg::Fatal(IntakeError::RetriesExhausted {
                    pos: g.pos.clone(),
                    uid: g.uid.clone(),
                    attempts: attempt,
                    last: match result {
                        AttemptResult::Status { status, .. } => format!("HTTP {status}"),
                        AttemptResult::Timeout => "timed out".to_owned(),
                        AttemptResult::Connect => "cannot connect".to_owned(),
                        AttemptResult::Transport => "connection broken".to_owned(),
                    },
                });
            }
        }
    }
}

async fn read_capped(mut r: reqwest::Response) -> String {
    let mut buf = Vec::new();
    while let Ok(Some(chunk)) = r.chunk().await {
        let room = BODY_CAP.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room == 0 {
            break;
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn verdicts(
    mode: IntakeMode,
    groups: Vec<Group>,
    status: u16,
    body: &str,
) -> Vec<(Group, Verdict)> {
    let success = (200..300).contains(&status);
    match mode {
        IntakeMode::Custom => {
            let verdict = if success {
                let id = serde_json::from_str::<Value>(body)
                    .ok()
                    .and_then(|v| v.get("detection_id")?.as_str().map(str::to_owned));
                Verdict::Delivered(id)
            } else {
                Verdict::Rejected {
                    status,
                    body: body.to_owned(),
                }
            };
            let mut groups = groups;
            let g = groups.remove(0);
            vec![(g, verdict)]
        }
        IntakeMode::Bundle => {
            let uids: Vec<Vec<&str>> = groups.iter().map(event_uids).collect();
            let split = bundle_verdicts(&uids, success, body);
            let v: Vec<Verdict> = split
                .into_iter()
                .map(|r| match r {
                    Ok(()) => Verdict::Delivered(None),
                    Err(body) => Verdict::Rejected { status, body },
                })
                .collect();
            groups.into_iter().zip(v).collect()
        }
    }
}

/// The uids an error in a bundle answer may name for this group: the finding uid first, then
/// each event's `metadata.uid`.
fn event_uids(g: &Group) -> Vec<&str> {
    let mut out = vec![g.uid.as_str()];
    out.extend(
        g.docs
            .iter()
            .filter_map(|d| d.get("metadata")?.get("uid")?.as_str()),
    );
    out
}

/// Splits a bundle answer between its groups: `Ok` for delivered, `Err(errors)` for rejected.
///
/// Each `errors[].uid` is matched against every group's uids. A group some error names is
/// rejected with those errors. An error naming no group makes every unnamed group rejected too
/// (the answer does not say which failed; a dead letter is better than a silent loss). A non-2xx
/// answer without `data` rejects every group.
pub(crate) fn bundle_verdicts(
    uids: &[Vec<&str>],
    success: bool,
    body: &str,
) -> Vec<Result<(), String>> {
    let parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let errors: Vec<&Value> = parsed
        .get("errors")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let has_data = parsed.get("data").is_some_and(|d| !d.is_null());
    if !success && !has_data {
        return uids.iter().map(|_| Err(body.to_owned())).collect();
    }
    let names = |e: &Value, ids: &[&str]| {
        e.get("uid")
            .and_then(Value::as_str)
            .is_some_and(|u| ids.contains(&u))
    };
    let unattributed: Vec<&Value> = errors
        .iter()
        .copied()
        .filter(|e| !uids.iter().any(|ids| names(e, ids)))
        .collect();
    uids.iter()
        .map(|ids| {
            let mine: Vec<&Value> = errors.iter().copied().filter(|e| names(e, ids)).collect();
            if !mine.is_empty() {
                Err(serde_json::to_string(&mine).unwrap_or_default())
            } else if !unattributed.is_empty() {
                Err(format!(
                    "the intake reported errors it did not attribute to a finding: {}",
                    serde_json::to_string(&unattributed).unwrap_or_default()
                ))
            } else {
                Ok(())
            }
        })
        .collect()
}

fn ack_loop(
    mut rx: mpsc::Receiver<Msg>,
    mut checkpoint: Option<Checkpoint>,
    mut on_outcome: OnOutcome,
    ctx: &Ctx,
) -> Result<Summary, IntakeError> {
    let progress = &ctx.progress;
    let mut summary = Summary::default();
    let mut fatal: Option<IntakeError> = None;
    let mut batch = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < 256 {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        // Journal first: a finding is reported delivered only once it is on disk.
        let acks: Vec<Ack> = batch
            .iter()
            .filter_map(|m| match m {
                Msg::Done(v) => Some(v),
                _ => None,
            })
            .flatten()
            .filter_map(|(g, v)| match v {
                Verdict::Delivered(id) => Some(Ack::new(&g.uid, &g.pos, id.clone())),
                Verdict::Rejected { .. } => None,
            })
            .collect();
        if let Some(cp) = checkpoint.as_mut()
            && let Err(e) = cp.append(&acks)
        {
            ctx.stop();
            if fatal.is_none() || matches!(fatal, Some(IntakeError::Stopped)) {
                fatal = Some(e.into());
            }
        }
        for msg in batch.drain(..) {
            match msg {
                Msg::Outcome(o) => {
                    match &o {
                        Outcome::AlreadyDelivered { .. } => {
                            summary.already_delivered += 1;
                            progress.add_already();
                        }
                        Outcome::Invalid { .. } => {
                            summary.invalid += 1;
                            progress.add_invalid();
                        }
                        _ => {}
                    }
                    on_outcome(o);
                }
                Msg::Done(verdicts) => {
                    for (g, v) in verdicts {
                        let o = match v {
                            Verdict::Delivered(detection_id) => {
                                summary.delivered += 1;
                                progress.add_delivered();
                                Outcome::Delivered {
                                    pos: g.pos,
                                    uid: g.uid,
                                    detection_id,
                                }
                            }
                            Verdict::Rejected { status, body } => {
                                summary.rejected += 1;
                                progress.add_rejected();
                                Outcome::Rejected {
                                    pos: g.pos,
                                    uid: g.uid,
                                    status,
                                    body,
                                    docs: g.docs,
                                }
                            }
                        };
                        on_outcome(o);
                    }
                }
                Msg::Fatal(e) => {
                    if fatal.is_none() {
                        fatal = Some(e);
                    }
                }
                Msg::Abandoned(n) => summary.abandoned += n,
            }
        }
    }
    match fatal {
        Some(e) => Err(e),
        None => Ok(summary),
    }
}

/// How a transport failure counts for retrying.
pub(crate) fn classify(e: &reqwest::Error) -> AttemptResult<'static> {
    if e.is_timeout() {
        AttemptResult::Timeout
    } else if e.is_connect() {
        AttemptResult::Connect
    } else {
        AttemptResult::Transport
    }
}

/// A number in `[0, 1)` for backoff jitter (xorshift, seeded per thread from the OS-random
/// hasher keys; not for cryptography).
pub(crate) fn jitter() -> f64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let mut h = RandomState::new().build_hasher();
            h.write_u64(0x9e37_79b9_7f4a_7c15);
            h.finish() | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_bundle_answer_delivers_every_group() {
        let v = bundle_verdicts(
            &[vec!["a"], vec!["b"]],
            true,
            r#"{"data":{"version":"1.4.0"}}"#,
        );
        assert_eq!(v, vec![Ok(()), Ok(())]);
    }

    #[test]
    fn a_partial_answer_rejects_only_the_named_group() {
        let body = r#"{"data":{},"errors":[{"code":"bad","detail":"x","uid":"b-net"}]}"#;
        let v = bundle_verdicts(&[vec!["a"], vec!["b", "b-net"]], true, body);
        assert_eq!(v[0], Ok(()));
        assert!(v[1].as_ref().unwrap_err().contains("b-net"));
    }

    #[test]
    fn an_unattributed_error_rejects_the_unnamed_groups() {
        let body = r#"{"data":{},"errors":[{"code":"bad","uid":"zzz"}]}"#;
        let v = bundle_verdicts(&[vec!["a"], vec!["b"]], true, body);
        assert!(v.iter().all(Result::is_err));
    }

    #[test]
    fn a_failed_answer_without_data_rejects_everything() {
        let v = bundle_verdicts(
            &[vec!["a"], vec!["b"]],
            false,
            r#"{"errors":[{"uid":"a"}]}"#,
        );
        assert!(v.iter().all(Result::is_err));
    }

    #[test]
    fn a_failed_answer_with_data_is_partial() {
        let v = bundle_verdicts(
            &[vec!["a"], vec!["b"]],
            false,
            r#"{"data":{},"errors":[{"uid":"a"}]}"#,
        );
        assert!(v[0].is_err());
        assert_eq!(v[1], Ok(()));
    }

    #[test]
    fn jitter_stays_in_the_unit_interval() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
