//! Wires reader → compiled mapping → sink, and counts what happened.
//!
//! [`run`] reads every input in order, maps each record into a group of OCSF documents, checks
//! them against OCSF 1.4.0 ([`Validation`]), and hands each group to a [`Sink`]. A record that
//! fails at any stage becomes a [`DeadLetter`] — given to the caller's observer and written to
//! the dead-letter file — and the run goes on. Only problems that make going on pointless (an
//! input that cannot be opened, a sink that cannot write) end it.

use std::sync::Arc;

use ocsf_map_mapping::{CompiledMapping, Document, Mapper, Outcome};
use ocsf_map_readers::{Input, OpenError, ReaderOptions};
use ocsf_map_sinks::{DeadLetter, DeadLetterWriter, Sink, SinkError, Stage};
use serde_json::Value;

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
    Failed(&'a DeadLetter),
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

/// Runs the mapping over every input, in order.
pub fn run(
    inputs: &[Input],
    reader_options: &ReaderOptions,
    mapping: &CompiledMapping,
    validation: Validation,
    out: Outputs<'_>,
) -> Result<Stats, PipelineError> {
    let Outputs {
        sink,
        dead_letters,
        observer,
    } = out;
    let mapper = Mapper::new(mapping);
    let mut run = Run {
        stats: Stats::default(),
        dead_letters,
        observer,
    };
    // Reused for every record: the hot loop allocates no buffers of its own.
    let mut docs: Vec<Document> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for input in inputs {
        let mut reader = ocsf_map_readers::open(input, reader_options)?;
        while let Some(next) = reader.next_record() {
            run.stats.read += 1;
            let record = match next {
                Ok(record) => record,
                Err(e) => {
                    run.fail(DeadLetter {
                        error: e.kind.to_string(),
                        position: e.pos,
                        stage: Stage::Read,
                        target: None,
                        mapping_line: None,
                        record: None,
                        raw: e.raw,
                        documents: None,
                    })?;
                    continue;
                }
            };
            docs.clear();
            match mapper.apply(&record, &mut docs) {
                Ok(Outcome::Skipped) => run.stats.skipped += 1,
                Err(e) => run.fail(DeadLetter {
                    position: record.pos.clone(),
                    stage: Stage::Map,
                    target: Some(e.target),
                    mapping_line: Some(e.line),
                    error: e.message,
                    record: Some(Arc::clone(&record.fields)),
                    raw: None,
                    documents: None,
                })?,
                Ok(Outcome::Mapped(_)) => {
                    if validation != Validation::Off
                        && let Some(problems) = check(&docs)
                    {
                        if validation == Validation::Strict {
                            run.fail(DeadLetter {
                                position: record.pos.clone(),
                                stage: Stage::Validate,
                                target: None,
                                mapping_line: None,
                                error: problems.join("; "),
                                record: Some(Arc::clone(&record.fields)),
                                raw: None,
                                documents: None,
                            })?;
                            continue;
                        }
                        for message in problems {
                            run.stats.warnings += 1;
                            (run.observer)(Event::Invalid {
                                position: &record.pos,
                                message,
                            });
                        }
                    }
                    values.clear();
                    values.extend(docs.drain(..).map(|d| d.value));
                    sink.write_group(&record.pos, &values)?;
                    run.stats.mapped += 1;
                    run.stats.documents += values.len() as u64;
                }
            }
        }
    }
    sink.finish()?;
    if let Some(w) = run.dead_letters {
        w.finish()?;
    }
    Ok(run.stats)
}

struct Run<'a, 'o> {
    stats: Stats,
    dead_letters: Option<&'a mut DeadLetterWriter>,
    observer: &'a mut (dyn FnMut(Event<'_>) + 'o),
}

impl Run<'_, '_> {
    /// Counts, reports and dead-letters a failed record.
    #[cold]
    fn fail(&mut self, letter: DeadLetter) -> Result<(), PipelineError> {
        self.stats.failed += 1;
        (self.observer)(Event::Failed(&letter));
        if let Some(w) = self.dead_letters.as_deref_mut() {
            w.write(&letter)?;
        }
        Ok(())
    }
}

/// The OCSF problems of a group, one entry per invalid document: `class: path: problem; ...`.
/// `None` when all are valid.
fn check(docs: &[Document]) -> Option<Vec<String>> {
    let mut problems = Vec::new();
    for doc in docs {
        let violations = doc.class.validate(&doc.value);
        if !violations.is_empty() {
            let each: Vec<String> = violations.iter().map(ToString::to_string).collect();
            problems.push(format!("{}: {}", doc.class.name(), each.join("; ")));
        }
    }
    (!problems.is_empty()).then_some(problems)
}
