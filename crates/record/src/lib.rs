//! Records and their source positions.
//!
//! A [`Record`] is what a reader yields and what a compiled mapping reads: the record's fields as a
//! JSON value, plus the [`SourcePos`] that says where it came from. Positions travel with every
//! record so that a failure anywhere downstream (a template error, an invalid OCSF document, a
//! rejected submission) can name the input file and line.
//!
//! [`stable_uid`] derives a deterministic identity from a record's content.
//!
//! This crate does no I/O and knows nothing about mappings or OCSF.

mod uid;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

pub use uid::stable_uid;

/// One input record: its fields and where it came from.
///
/// The fields sit behind an [`Arc`] so that template engines can hold a cheap, lazy view of the
/// record without copying it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The record's fields. For JSON inputs, the parsed document; for CSV, an object of
    /// header → cell.
    pub fields: Arc<Value>,
    /// Where the record was read.
    pub pos: SourcePos,
}

impl Record {
    /// A record from its fields and position.
    pub fn new(fields: Value, pos: SourcePos) -> Record {
        Record {
            fields: Arc::new(fields),
            pos,
        }
    }
}

/// Where a record starts in its input.
///
/// Serialised as it appears in the dead-letter file:
/// `{"source":"in.csv","record":3,"line":4,"offset":120}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourcePos {
    /// The input's name as the user gave it (`-` for stdin).
    pub source: Arc<str>,
    /// 1-based number of the record within its input (data rows for CSV, documents for JSON
    /// lines; blank lines and headers are not counted).
    pub record: u64,
    /// 1-based physical line on which the record starts.
    pub line: u64,
    /// Byte offset of the record's first byte in the (decompressed) input.
    pub offset: u64,
}

impl SourcePos {
    /// A position in the input named `source`.
    pub fn new(source: &Arc<str>, record: u64, line: u64, offset: u64) -> SourcePos {
        SourcePos {
            source: Arc::clone(source),
            record,
            line,
            offset,
        }
    }
}

impl fmt::Display for SourcePos {
    /// `file:line (record N)` — the form people see in messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} (record {})", self.source, self.line, self.record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_displays_file_line_and_record_number() {
        let pos = SourcePos {
            source: "in.csv".into(),
            record: 3,
            line: 4,
            offset: 120,
        };
        assert_eq!(pos.to_string(), "in.csv:4 (record 3)");
    }

    #[test]
    fn position_serialises_for_the_dead_letter_file() {
        let pos = SourcePos {
            source: "in.csv".into(),
            record: 3,
            line: 4,
            offset: 120,
        };
        assert_eq!(
            serde_json::to_string(&pos).unwrap(),
            r#"{"source":"in.csv","record":3,"line":4,"offset":120}"#
        );
    }
}
