//! Where OCSF documents go.
//!
//! A [`Sink`] receives one group at a time — the documents one input record produced, kept
//! together because the Cisco intake takes a finding and its evidence as one submission — and
//! is told when the run has finished. [`JsonLinesSink`] writes one document per line to stdout
//! or to a file (through a temporary name, renamed only when the run completes).
//! [`DeadLetterWriter`] keeps the records that could not be mapped, with their positions and
//! errors, so that nothing is lost.

mod dead_letter;
mod json_lines;

pub use dead_letter::{DeadLetter, DeadLetterWriter, Stage};
pub use json_lines::{JsonLinesSink, write_lines};

use ocsf_map_record::SourcePos;
use serde_json::Value;

/// A destination for groups of OCSF documents.
pub trait Sink {
    /// Accepts the documents produced from the record at `pos`.
    fn write_group(&mut self, pos: &SourcePos, docs: &[Value]) -> Result<(), SinkError>;

    /// Whether the sink writes JSON lines and takes them already serialised
    /// ([`write_lines`](Sink::write_lines)): a parallel run then serialises on its worker
    /// threads instead of the writer's.
    fn takes_lines(&self) -> bool {
        false
    }

    /// Like [`write_group`](Sink::write_group), with the documents already serialised as JSON
    /// lines (one per document, each ending in `\n`). Called only when
    /// [`takes_lines`](Sink::takes_lines) is true; the documents themselves are not kept (a
    /// parallel run frees each one as soon as it is serialised, so that its memory is reused
    /// while still in cache). A sink that takes lines should write them as they are: the
    /// default reads them back and calls `write_group`, which is slow and may change a float
    /// in its last digit.
    fn write_lines(&mut self, pos: &SourcePos, lines: &[u8]) -> Result<(), SinkError> {
        let docs = serde_json::Deserializer::from_slice(lines)
            .into_iter::<Value>()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SinkError::io("JSON lines", e.into()))?;
        self.write_group(pos, &docs)
    }

    /// Called once after the last group: flush, commit, close.
    fn finish(&mut self) -> Result<(), SinkError>;
}

/// A sink that cannot go on. These end the run (unlike per-record errors).
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The reader of our stdout went away (`ocsf-map ... | head`); not a failure.
    #[error("output closed by its reader")]
    BrokenPipe,
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file (or `stdout`).
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl SinkError {
    pub(crate) fn io(path: &str, source: std::io::Error) -> SinkError {
        if source.kind() == std::io::ErrorKind::BrokenPipe {
            SinkError::BrokenPipe
        } else {
            SinkError::Io {
                path: path.to_owned(),
                source,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{Value, json};

    use super::*;

    /// A sink that keeps what it is given, and takes no lines of its own.
    #[derive(Default)]
    struct Kept(Vec<Vec<Value>>);

    impl Sink for Kept {
        fn write_group(&mut self, _pos: &SourcePos, docs: &[Value]) -> Result<(), SinkError> {
            self.0.push(docs.to_vec());
            Ok(())
        }

        fn finish(&mut self) -> Result<(), SinkError> {
            Ok(())
        }
    }

    #[test]
    fn write_lines_by_default_reads_the_documents_back_for_write_group() {
        let docs = vec![json!({"a": 1, "b": "x"}), json!({"c": [true, null]})];
        let mut lines = Vec::new();
        write_lines(&mut lines, &docs).unwrap();
        let mut sink = Kept::default();
        let pos = SourcePos::new(&Arc::from("in.jsonl"), 1, 1, 0);
        sink.write_lines(&pos, &lines).unwrap();
        assert_eq!(sink.0, vec![docs]);
    }
}
