//! `--sink intake`: building the Cisco XDR intake sink from the command line.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ocsf_map_intake::{
    Checkpoint, Credentials, DryRunSink, IntakeConfig, IntakeSink, Outcome, ValidatedIntake,
};
use ocsf_map_sinks::{DeadLetter, DeadLetterWriter, Stage};

use crate::args::IntakeArgs;
use crate::report;

/// The validated intake settings (no I/O, no credentials).
pub(crate) fn config(args: &IntakeArgs) -> Result<ValidatedIntake, String> {
    let region = args.region.parse().map_err(|e| format!("--region: {e}"))?;
    let mode = args.mode.parse().map_err(|e| format!("--intake: {e}"))?;
    let cfg = IntakeConfig {
        region,
        mode,
        endpoint: args.endpoint.clone(),
        token_url: args.token_url.clone(),
        module_instance_id: args.module_instance_id.clone(),
        headers: args.headers.clone(),
        max_requests_per_hour: args.max_requests_per_hour,
        ..IntakeConfig::default()
    };
    cfg.validate().map_err(|e| e.to_string())
}

/// What the delivery callback counts.
#[derive(Default)]
pub(crate) struct Refusals {
    /// Groups the intake refused or that broke its constraints.
    pub(crate) refused: AtomicU64,
}

/// The real intake sink. Refused groups are reported (up to `max_errors` lines, shared with the
/// pipeline's count `shown`) and dead-lettered with stage `deliver`.
pub(crate) fn sink(
    args: &IntakeArgs,
    dead_letters: Option<DeadLetterWriter>,
    refusals: Arc<Refusals>,
    shown: Arc<AtomicU64>,
    max_errors: u64,
) -> Result<IntakeSink, String> {
    let cfg = config(args)?;
    let credentials = match &args.credentials_file {
        Some(path) => Credentials::from_file(path),
        None => Credentials::from_env(),
    }
    .map_err(|e| e.to_string())?;
    let checkpoint = match &args.checkpoint {
        Some(path) => Some(Checkpoint::open(path).map_err(|e| e.to_string())?),
        None => None,
    };
    let on_outcome = Box::new(move |o: Outcome| {
        let Some(why) = o.error_message() else { return };
        refusals.refused.fetch_add(1, Ordering::Relaxed);
        if shown.fetch_add(1, Ordering::Relaxed) < max_errors {
            report::line(format_args!("error: {}: not delivered: {why}", o.pos()));
        }
        if let Some(w) = &dead_letters {
            let documents = match &o {
                Outcome::Rejected { docs, .. } | Outcome::Invalid { docs, .. } => {
                    Some(docs.clone())
                }
                _ => None,
            };
            let letter = DeadLetter {
                position: o.pos().clone(),
                stage: Stage::Deliver,
                target: None,
                mapping_line: None,
                error: why,
                record: None,
                raw: None,
                documents,
            };
            if let Err(e) = w.write(&letter) {
                report::line(format_args!("error: {e}"));
            }
        }
    });
    IntakeSink::new(cfg, credentials, checkpoint, on_outcome).map_err(|e| e.to_string())
}

/// A dry-run intake sink writing the requests into a buffer the preview drains after each group;
/// groups that would be refused are reported and counted in `refusals`.
pub(crate) fn dry_run(
    args: &IntakeArgs,
    refusals: Arc<Refusals>,
) -> Result<(DryRunSink, SharedBuffer), String> {
    let cfg = config(args)?;
    let checkpoint = match &args.checkpoint {
        Some(path) => Some(Checkpoint::open(path).map_err(|e| e.to_string())?),
        None => None,
    };
    let buffer = SharedBuffer::default();
    let on_outcome = Box::new(move |o: Outcome| {
        if let Some(why) = o.error_message() {
            refusals.refused.fetch_add(1, Ordering::Relaxed);
            report::line(format_args!(
                "error: {}: would not be delivered: {why}",
                o.pos()
            ));
        }
    });
    let sink = DryRunSink::new(
        cfg,
        Box::new(buffer.clone()),
        checkpoint.as_ref(),
        on_outcome,
    );
    Ok((sink, buffer))
}

/// A writer whose bytes can be taken out by another handle.
#[derive(Clone, Default)]
pub(crate) struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// Takes what was written so far.
    pub(crate) fn take(&self) -> Vec<u8> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
