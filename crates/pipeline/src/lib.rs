//! Wires reader → compiled mapping → sink, and counts what happened.
//!
//! [`run`] reads every input in order, maps each record into a group of OCSF documents, checks
//! them against OCSF 1.4.0 ([`Validation`]), and hands each group to a [`Sink`]. A record that
//! fails at any stage becomes a [`DeadLetter`] — given to the caller's observer and written to
//! the dead-letter file — and the run goes on. Only problems that make going on pointless (an
//! input that cannot be opened, a sink that cannot write) end it.
//!
//! # Threads
//!
//! [`run_with`] with [`RunOptions::threads`] above 1 runs the same steps on more cores: a reader
//! thread cuts the input into numbered batches of [`RunOptions::batch_size`] records, `threads`
//! mapper threads map and validate them, and the caller's thread writes them back in input order.
//! What a run writes does not depend on the thread count:
//!
//! - **Order.** The sink receives the same `write_group` calls, with the same documents, in the
//!   same order as in a sequential run; the dead-letter file gets the same lines in the same
//!   order; the observer sees the same events in the same order. The sink, the dead-letter writer
//!   and the observer are only ever called from the caller's thread, so they need not be `Send`,
//!   and a sink that checkpoints what it has written (the intake sink's journal) sees the same
//!   sequence.
//! - **Errors.** An input that cannot be opened ends the run after every record of the inputs
//!   before it has been written, as in a sequential run; a sink error ends it at once. Either way
//!   `finish` is not called, as in a sequential run.
//! - **Memory.** At most `2 × threads + 2` batches are in the pipeline at once (read, being
//!   mapped, or waiting for an earlier batch to be written); the reader waits for the writer
//!   when that many are out. With the default 128 records a batch, that is a few MB whatever the
//!   input's size.
//!
//! `threads <= 1` is the sequential loop: no thread is started.

mod parallel;
mod step;

use ocsf_map_mapping::{CompiledMapping, Document, Mapper};
use ocsf_map_readers::{Input, OpenError, ReaderOptions};
use ocsf_map_sinks::{DeadLetterWriter, Sink, SinkError};
use serde_json::Value;

use crate::step::{Deliver, Group, position, step};

/// How emitted documents are checked against OCSF 1.4.0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Validation {
    /// An invalid document fails its record (dead-lettered, not written).
    #[default]
    Strict,
    /// Invalid documents are written; each problem is reported as a warning.
    Warn,
    /// No validation.
    Off,
}

/// What a run did. Every record read is counted in exactly one of `skipped`, `mapped` and
/// `failed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records the readers yielded (including ones that could not be decoded).
    pub read: u64,
    /// Records the mapping's filter left out.
    pub skipped: u64,
    /// Records whose documents were written.
    pub mapped: u64,
    /// Documents written.
    pub documents: u64,
    /// Records that failed (read, map or validate) and went to the dead-letter file.
    pub failed: u64,
    /// Validation warnings (with [`Validation::Warn`]).
    pub warnings: u64,
}

/// Something the caller may want to show while the run goes on.
#[derive(Debug)]
pub enum Event<'a> {
    /// A record failed; it is also in the dead-letter file when there is one.
    Failed(&'a ocsf_map_sinks::DeadLetter),
    /// A written document has an OCSF problem ([`Validation::Warn`]).
    Invalid {
        /// The record the document came from.
        position: &'a ocsf_map_record::SourcePos,
        /// The attribute path and the problem.
        message: String,
    },
}

/// A problem that ends the run.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// An input could not be opened.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The sink or the dead-letter file could not be written.
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// The things a run writes to.
pub struct Outputs<'a> {
    /// Where documents go.
    pub sink: &'a mut dyn Sink,
    /// Where failed records go, if anywhere.
    pub dead_letters: Option<&'a mut DeadLetterWriter>,
    /// Told about every failure and warning, in input order.
    pub observer: &'a mut dyn FnMut(Event<'_>),
}

/// How a run uses threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Mapper threads. `0` and `1` run sequentially on the caller's thread; `N > 1` starts a
    /// reader thread and `N` mapper threads, and writes on the caller's thread. Default 1.
    pub threads: usize,
    /// Records per batch handed to a mapper thread (with `threads > 1`). Default
    /// [`RunOptions::DEFAULT_BATCH_SIZE`].
    pub batch_size: usize,
}

impl RunOptions {
    /// The default batch size: 128 records, large enough that handing a batch between threads
    /// costs nothing measurable, small enough that the batches in flight stay a few MB.
    pub const DEFAULT_BATCH_SIZE: usize = 128;

    /// Sequential, or parallel with `threads` mapper threads, with the default batch size.
    pub fn threads(threads: usize) -> RunOptions {
        RunOptions {
            threads,
            ..RunOptions::default()
        }
    }
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            threads: 1,
            batch_size: RunOptions::DEFAULT_BATCH_SIZE,
        }
    }
}

/// Runs the mapping over every input, in order, on the caller's thread.
///
/// The same as [`run_with`] with [`RunOptions::default()`].
pub fn run(
    inputs: &[Input],
    reader_options: &ReaderOptions,
    mapping: &CompiledMapping,
    validation: Validation,
    out: Outputs<'_>,
) -> Result<Stats, PipelineError> {
    run_with(
        inputs,
        reader_options,
        mapping,
        validation,
        out,
        &RunOptions::default(),
    )
}

/// Runs the mapping over every input, in order, on `options.threads` mapper threads.
///
/// The output, the dead-letter file and the observer's events are the same, byte for byte and in
/// the same order, whatever the thread count (see the crate doc, "Threads").
pub fn run_with(
    inputs: &[Input],
    reader_options: &ReaderOptions,
    mapping: &CompiledMapping,
    validation: Validation,
    out: Outputs<'_>,
    options: &RunOptions,
) -> Result<Stats, PipelineError> {
    let Outputs {
        sink,
        dead_letters,
        observer,
    } = out;
    let out = Deliver {
        stats: Stats::default(),
        sink,
        dead_letters,
        observer,
    };
    if options.threads <= 1 {
        sequential(inputs, reader_options, mapping, validation, out)
    } else {
        parallel::run(
            inputs,
            reader_options,
            mapping,
            validation,
            out,
            options.threads,
            options.batch_size,
        )
    }
}

/// The sequential run: read, map, validate and write each record in turn.
fn sequential(
    inputs: &[Input],
    reader_options: &ReaderOptions,
    mapping: &CompiledMapping,
    validation: Validation,
    mut out: Deliver<'_, '_>,
) -> Result<Stats, PipelineError> {
    let mapper = Mapper::new(mapping);
    // Reused for every record: the hot loop allocates no buffers of its own.
    let mut docs: Vec<Document> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for input in inputs {
        let mut reader = ocsf_map_readers::open(input, reader_options)?;
        while let Some(next) = reader.next_record() {
            values.clear();
            let step = step(&mapper, validation, &next, &mut docs, &mut values);
            out.deliver(step, position(&next), Group::Docs(&values))?;
        }
    }
    out.finish()
}
