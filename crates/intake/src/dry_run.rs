//! `--dry-run`: the requests a real run would send, written out instead of sent.

use std::collections::HashSet;
use std::io::Write;

use ocsf_map_record::SourcePos;
use ocsf_map_sinks::{Sink, SinkError};
use serde_json::Value;

use crate::checkpoint::Checkpoint;
use crate::config::{IntakeMode, ValidatedIntake};
use crate::request::{write_request, write_token_request};
use crate::sink::{Group, OnOutcome, Prepared, bundle_request, prepare};

/// Writes each HTTP request a real run would send — method and URL, headers with the token
/// redacted, body — to a writer, touching no network. The same checks run as in
/// [`crate::IntakeSink`], so invalid and already-delivered groups are reported through the same
/// callback and print nothing. The token request is printed once, before the first intake
/// request. In bundle mode, groups are batched `bundle_max_groups` at a time (a real run batches
/// up to that many, as they arrive).
pub struct DryRunSink {
    cfg: ValidatedIntake,
    out: Box<dyn Write + Send>,
    on_outcome: OnOutcome,
    known: HashSet<String>,
    pending: Vec<Group>,
    token_shown: bool,
    requests: u64,
}

impl DryRunSink {
    /// A dry run; with a checkpoint, groups it has acknowledged are skipped as a resumed run
    /// would skip them (the checkpoint is only read).
    pub fn new(
        cfg: ValidatedIntake,
        out: Box<dyn Write + Send>,
        checkpoint: Option<&Checkpoint>,
        on_outcome: OnOutcome,
    ) -> DryRunSink {
        DryRunSink {
            known: checkpoint.map(|c| c.acked().clone()).unwrap_or_default(),
            cfg,
            out,
            on_outcome,
            pending: Vec::new(),
            token_shown: false,
            requests: 0,
        }
    }

    /// How many intake requests were printed.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    fn flush_pending(&mut self) -> Result<(), SinkError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let groups = std::mem::take(&mut self.pending);
        let planned = match groups[0].planned.clone() {
            Some(p) if groups.len() == 1 => p,
            _ => bundle_request(&self.cfg, &groups),
        };
        if !self.token_shown {
            write_token_request(&mut self.out, &self.cfg.token_url).map_err(io_error)?;
            self.token_shown = true;
        }
        write_request(&mut self.out, &planned).map_err(io_error)?;
        self.requests += 1;
        Ok(())
    }
}

fn io_error(e: std::io::Error) -> SinkError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        SinkError::BrokenPipe
    } else {
        SinkError::Io {
            path: "dry-run output".to_owned(),
            source: e,
        }
    }
}

impl Sink for DryRunSink {
    fn write_group(&mut self, pos: &SourcePos, docs: &[Value]) -> Result<(), SinkError> {
        match prepare(&self.cfg, &mut self.known, pos, docs) {
            Prepared::Done(o) => {
                (self.on_outcome)(o);
                Ok(())
            }
            Prepared::Ready(g) => {
                self.pending.push(g);
                let batch = match self.cfg.mode {
                    IntakeMode::Custom => 1,
                    IntakeMode::Bundle => self.cfg.bundle_max_groups,
                };
                if self.pending.len() >= batch {
                    self.flush_pending()?;
                }
                Ok(())
            }
        }
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.flush_pending()?;
        self.out.flush().map_err(io_error)
    }
}
