//! Source readers: they turn input bytes into [`Record`]s with exact positions.
//!
//! A reader handles framing and decoding only (CSV rows, JSON lines, ...); it knows nothing about
//! mappings or OCSF. Each format is one module implementing [`RecordReader`]; [`open`] picks the
//! reader for an input from [`ReaderOptions`], so the engine never changes when a format is added.
//!
//! Bad input never ends a run: a record that cannot be decoded comes back as a [`ReadError`]
//! carrying its [`SourcePos`], and the reader goes on with the next record.
//!
//! # Brief overview
//!
//! - [`open`] (or [`open_read`] for any `Read`) takes an [`Input`] and [`ReaderOptions`] and
//!   returns a `Box<dyn RecordReader>`; it fails with an [`OpenError`] only when the input cannot
//!   be read at all.
//! - [`RecordReader::next_record`] yields `Ok(Record)`, `Err(ReadError)` for a record that could
//!   not be read (its position, a [`ReadErrorKind`] and the raw text for the dead-letter file),
//!   and `None` at the end.
//! - [`Format`] names the formats (`csv`, `jsonl`, `json`, `syslog`, `splunk-json`,
//!   `splunk-csv`) and detects them from extensions and first bytes.
//!
//! Positions: `record` counts records from 1 (CSV data rows; non-blank JSON lines), `line` is the
//! physical line on which the record starts, `offset` the byte offset of its first byte in the
//! input (a UTF-8 BOM counts: the first record after one is at offset 3).
//!
//! Readers stream with reused buffers: memory does not grow with the input, and a record longer
//! than [`ReaderOptions::max_record_bytes`] is never held whole.
//!
//! # Formats
//!
//! Names for `--format` and a mapping's `source.format` are in [`Format::aliases`]. Without one,
//! the format comes from the extension (`.csv`/`.tsv` → CSV, `.jsonl`/`.ndjson` → JSON lines,
//! `.syslog` → syslog, looking past `.gz`/`.zst`; a `.csv` whose first bytes are `"_` is a Splunk
//! CSV export), else from the first line ([`Format::sniff`]): `{"preview"…"result"` → Splunk JSON,
//! `{` → JSON lines (or JSON if the first value spans lines), `[` → JSON, `<PRI>` or a month name
//! → syslog, `"_` → Splunk CSV, else CSV. gzip and zstd inputs are recognised by their magic bytes
//! and decompressed; positions are in the decompressed bytes.
//!
//! - **JSON lines** (`jsonl`): one JSON document per line, `\n` or `\r\n`, the last line with or
//!   without an ending. Blank lines are skipped and not counted. Any JSON value is a record (the
//!   mapping decides what to do with a bare number or an array). A line that is not JSON, not
//!   UTF-8 or too long is an error for that record only.
//! - **JSON** (`json`, `syslog-json`): JSON lines as above if the first value ends on its first
//!   line; otherwise a document stream: every top-level value is a record, except that a
//!   top-level array's elements are the records. A value that is not valid JSON is an error for
//!   that record ([`ReadErrorKind::InvalidJsonDocument`], with the input's line and column); a
//!   value never closed ends the input with [`ReadErrorKind::TruncatedJson`]. Syslog serialised
//!   as JSON by rsyslog, syslog-ng, journald or Zeek is read this way: its fields are the
//!   producer's.
//! - **CSV** (`csv`): a header row (unless `CsvOptions::has_headers` is false), cells quoted with
//!   `"` and doubled quotes, line breaks inside quoted cells, blank lines skipped. A record's
//!   fields are an object of header → cell, every cell a string (`""` when empty), in header
//!   order; without a header row, an array of cells. A row with the wrong number of cells or a
//!   cell that is not UTF-8 is an error for that row only. A quote that is never closed is one
//!   error at the row where it opened, after which the reader stops (the csv parser read the
//!   rest of the input into that row); so does a row over the size limit.
//! - **Syslog** (`syslog`, `rfc3164`, `rfc5424`): one message per line, parsed by
//!   [`parse_syslog_line`] into `{protocol, pri, facility, severity, timestamp, hostname,
//!   app_name, procid, msgid, structured_data, message}` (`protocol` `"rfc3164"`, `"rfc5424"` or
//!   null for a line with no header; absent parts null; `facility`/`severity` as names such as
//!   `"local4"`/`"info"`; `timestamp` RFC 3339 with the year and timezone policy of
//!   [`SyslogOptions`]; `procid` a number when numeric; `structured_data` an object of SD-ID →
//!   params; `message` without a leading BOM), plus `cisco: {facility, severity, message_id,
//!   text}` for `%ASA-6-302013: text`-style messages and `body` when [`SyslogOptions::body`] is
//!   set. Lines are framed, limited and recovered as for JSON lines.
//! - **Splunk JSON** (`splunk-json`, `splunk`, `splunk-export`): the REST export stream (one
//!   `{"preview":…,"offset":…,"result":{…}}` per line, read as lines) or the `/results` document
//!   (`{"results":[…]}`, streamed). A record is the `result` object; preview rows and control
//!   rows are dropped and not counted; the row's `offset` is added as `_offset`; `_time` is also
//!   given as epoch milliseconds in `_time_ms`; with [`SplunkOptions::raw`], `_raw` is parsed
//!   again into `_raw_parsed`. A stream whose last row lacks `"lastrow":true` ends with
//!   [`ReadErrorKind::SplunkExportCutShort`]; a Splunk `ERROR`/`FATAL` message is an error.
//! - **Splunk CSV** (`splunk-csv`): CSV as above, then a multivalue cell (one holding line breaks,
//!   except `_raw`; or given by a `__mv_X` column, which is dropped) becomes an array, and `_time`
//!   / `_raw` as for Splunk JSON.
//!
//! A UTF-8 BOM at the start of any input is skipped (and counted in offsets).
//!
//! Body parsers for the mapping engine: [`parse_kv`], [`parse_cef`], [`CaptureParser`] (behind
//! [`BodyParser`]) and [`parse_raw`] for one record held in a string. Inputs on a command line are
//! expanded by [`expand_inputs`] (stdin, files, directories, globs).
//!
//! # Example
//!
//! ```
//! use ocsf_map_readers::{open_read, ReaderOptions};
//!
//! let input = "{\"a\":1}\nnot json\n\n{\"a\":2}\n";
//! let mut reader = open_read("-", input.as_bytes(), &ReaderOptions::default())?;
//! let first = reader.next_record().unwrap()?;
//! assert_eq!(first.fields["a"], 1);
//! let bad = reader.next_record().unwrap().unwrap_err();
//! assert_eq!(bad.to_string(), "invalid JSON: expected ident at column 2");
//! assert_eq!((bad.pos.record, bad.pos.line, bad.pos.offset), (2, 2, 8));
//! let last = reader.next_record().unwrap()?;
//! assert_eq!((last.pos.record, last.pos.line), (3, 4));
//! assert!(reader.next_record().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub use crate::json_lines::{parse_deferred, parse_deferred_fields};
pub use ocsf_map_record::{Record, SourcePos};

pub use crate::error::{OpenError, ReadError, ReadErrorKind};
pub use crate::format::{Format, UnknownFormat};
pub use crate::input::{CsvOptions, Input, ReaderOptions, expand_inputs};
pub use crate::open::{open, open_read};
pub use crate::splunk::{RawError, RawFormat, SplunkOptions, parse_raw};
pub use crate::syslog::{InvalidUtcOffset, SyslogOptions, UtcOffset, parse_syslog_line};
pub use ocsf_map_parsers::{
    BodyError, BodyParser, CaptureParser, CefError, InvalidBodyParser, parse_cef, parse_kv,
};

mod csv_framing;
mod csv_reader;
mod error;
mod format;
mod input;
mod json_doc;
mod json_lines;
mod lines;
mod open;
mod splunk;
mod syslog;

/// A source of records: one input, read in order.
///
/// Readers pull (the pipeline calls `next_record` when it wants a record) so that a slow sink
/// slows reading down and memory stays flat.
pub trait RecordReader: Send {
    /// The next record.
    ///
    /// `Some(Err(..))` is a failure of one record, after which the reader goes on with the next
    /// one, or returns `None` if it cannot (after an I/O error, or for CSV after an unclosed
    /// quote or an over-long row); `None` at the end of the input. Once it has returned `None`
    /// a reader keeps returning `None`.
    fn next_record(&mut self) -> Option<Result<Record, ReadError>>;

    /// Whether this reader hands records over unparsed, to be parsed with [`parse_deferred`]:
    /// only a JSON-lines reader opened with [`ReaderOptions::defer_json_lines`].
    fn deferred(&self) -> bool {
        false
    }
}

impl<R: RecordReader + ?Sized> RecordReader for Box<R> {
    fn deferred(&self) -> bool {
        (**self).deferred()
    }

    fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        (**self).next_record()
    }
}
