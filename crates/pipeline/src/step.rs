//! One record's journey, split in two halves that both run modes share.
//!
//! [`step`] does the work that needs no output (map, validate) and can run on any thread;
//! [`Deliver::deliver`] does the writing (sink, dead-letter file, observer, counts) and runs on
//! the caller's thread, in input order. The sequential path calls one right after the other; the
//! parallel path calls `step` on mapper threads and `deliver` on the writer. Because both paths
//! go through the same two functions, they produce the same bytes.

use std::sync::Arc;

use ocsf_map_mapping::{Document, Mapper, Outcome};
use ocsf_map_readers::ReadError;
use ocsf_map_record::{Record, SourcePos};
use ocsf_map_schema::Class;
use ocsf_map_sinks::{DeadLetter, DeadLetterWriter, Sink, Stage};
use serde_json::Value;

use crate::{Event, PipelineError, Stats, Validation};

/// What happened to one record, before anything was written.
pub(crate) enum Step {
    /// The mapping's filter left it out.
    Skipped,
    /// It failed; this goes to the dead-letter file.
    Failed(Box<DeadLetter>),
    /// It produced `docs` documents, appended to the caller's value buffer, with these
    /// validation warnings ([`Validation::Warn`]).
    Mapped { docs: usize, warnings: Vec<String> },
}

/// Maps and validates one record read by a reader, appending its documents to `values`.
///
/// `docs` is scratch space, empty on return. The record is borrowed so that the parallel run can
/// hand it back to the reader thread, which allocated it, to be freed there.
pub(crate) fn step(
    mapper: &Mapper<'_>,
    validation: Validation,
    next: &Result<Record, ReadError>,
    docs: &mut Vec<Document>,
    values: &mut Vec<Value>,
) -> Step {
    let record = match next {
        Ok(record) => record,
        Err(e) => return read_failed(e),
    };
    docs.clear();
    match mapper.apply(record, docs) {
        Ok(Outcome::Skipped) => Step::Skipped,
        Err(e) => Step::Failed(Box::new(DeadLetter {
            position: record.pos.clone(),
            stage: Stage::Map,
            target: Some(e.target),
            mapping_line: Some(e.line),
            error: e.message,
            record: Some(Arc::clone(&record.fields)),
            raw: None,
            documents: None,
        })),
        Ok(Outcome::Mapped(_)) => {
            let mut warnings = Vec::new();
            if validation != Validation::Off
                && let Some(problems) = check(docs)
            {
                if validation == Validation::Strict {
                    let (class, path) = &problems.first;
                    let line = mapper.mapping().rule_line(*class, path);
                    docs.clear();
                    return invalid(record, problems.each, line);
                }
                warnings = problems.each;
            }
            let n = docs.len();
            values.extend(docs.drain(..).map(|d| d.value));
            Step::Mapped { docs: n, warnings }
        }
    }
}

#[cold]
fn read_failed(e: &ReadError) -> Step {
    Step::Failed(Box::new(DeadLetter {
        error: e.kind.to_string(),
        position: e.pos.clone(),
        stage: Stage::Read,
        target: None,
        mapping_line: None,
        record: None,
        raw: e.raw.clone(),
        documents: None,
    }))
}

#[cold]
fn invalid(record: &Record, problems: Vec<String>, mapping_line: Option<usize>) -> Step {
    Step::Failed(Box::new(DeadLetter {
        position: record.pos.clone(),
        stage: Stage::Validate,
        target: None,
        mapping_line,
        error: problems.join("; "),
        record: Some(Arc::clone(&record.fields)),
        raw: None,
        documents: None,
    }))
}

/// The OCSF problems of a group.
struct Problems {
    /// One entry per invalid document: `class: path: problem; ...`.
    each: Vec<String>,
    /// The first problem's document class and attribute path, to find the rule at fault.
    first: (Class<'static>, String),
}

/// The OCSF problems of a group; `None` when all its documents are valid.
fn check(docs: &[Document]) -> Option<Problems> {
    let mut each = Vec::new();
    let mut first = None;
    for doc in docs {
        let violations = doc.class.validate(&doc.value);
        if let Some(v) = violations.first() {
            first.get_or_insert_with(|| (doc.class, v.path.clone()));
            let all: Vec<String> = violations.iter().map(ToString::to_string).collect();
            each.push(format!("{}: {}", doc.class.name(), all.join("; ")));
        }
    }
    first.map(|first| Problems { each, first })
}

/// Where a record read (or failed to be read) was.
pub(crate) fn position(next: &Result<Record, ReadError>) -> &SourcePos {
    match next {
        Ok(record) => &record.pos,
        Err(e) => &e.pos,
    }
}

/// A mapped record's documents, as the writing half receives them.
pub(crate) enum Group<'a> {
    Docs(&'a [Value]),
    /// Serialised as JSON lines, for a sink that takes them.
    Lines(&'a [u8]),
}

/// The writing half: everything a run writes to, and its counts.
pub(crate) struct Deliver<'a, 'o> {
    pub(crate) stats: Stats,
    pub(crate) sink: &'a mut dyn Sink,
    pub(crate) dead_letters: Option<&'a mut DeadLetterWriter>,
    pub(crate) observer: &'a mut (dyn FnMut(Event<'_>) + 'o),
}

impl Deliver<'_, '_> {
    /// Writes one record's outcome: for a [`Step::Mapped`], its documents, as values or
    /// already serialised as JSON lines (for a sink that [takes them](Sink::takes_lines)).
    /// `pos` is where the record was read.
    pub(crate) fn deliver(
        &mut self,
        step: Step,
        pos: &SourcePos,
        out: Group<'_>,
    ) -> Result<(), PipelineError> {
        self.stats.read += 1;
        match step {
            Step::Skipped => self.stats.skipped += 1,
            Step::Failed(letter) => self.fail(&letter)?,
            Step::Mapped { warnings, docs } => {
                for message in warnings {
                    self.stats.warnings += 1;
                    (self.observer)(Event::Invalid {
                        position: pos,
                        message,
                    });
                }
                match out {
                    Group::Lines(lines) => self.sink.write_lines(pos, lines)?,
                    Group::Docs(values) => self.sink.write_group(pos, values)?,
                }
                self.stats.mapped += 1;
                self.stats.documents += docs as u64;
            }
        }
        Ok(())
    }

    /// Counts, reports and dead-letters a failed record.
    #[cold]
    fn fail(&mut self, letter: &DeadLetter) -> Result<(), PipelineError> {
        self.stats.failed += 1;
        (self.observer)(Event::Failed(letter));
        if let Some(w) = self.dead_letters.as_deref_mut() {
            w.write(letter)?;
        }
        Ok(())
    }

    /// Finishes the sink and the dead-letter file after the last record.
    pub(crate) fn finish(self) -> Result<Stats, PipelineError> {
        self.sink.finish()?;
        if let Some(w) = self.dead_letters {
            w.finish()?;
        }
        Ok(self.stats)
    }
}
