//! What can go wrong: [`OpenError`] ends the input, [`ReadError`] only its record.

use std::io;
use std::path::PathBuf;

use crate::SourcePos;

/// At most this many bytes of an offending record are kept in [`ReadError::raw`].
pub(crate) const RAW_MAX_BYTES: usize = 4096;

/// A record that could not be read. The reader goes on with the next record unless the error
/// says otherwise ([`ReadErrorKind::Io`], and the CSV errors documented on their variants).
///
/// `Display` prints the reason only (`invalid JSON: expected value at column 5`); the position is
/// in [`ReadError::pos`], so callers print `{pos}: {error}`.
#[derive(Debug, thiserror::Error)]
#[error("{kind}")]
pub struct ReadError {
    /// Where the record starts.
    pub pos: SourcePos,
    /// Why it could not be read.
    pub kind: ReadErrorKind,
    /// The offending text for the dead-letter file: lossily decoded UTF-8, at most 4 KiB (cut at
    /// a character boundary, with no marker). For CSV rows it is the row's cells written back as
    /// CSV, so its quoting may differ from the input's. `None` when there is no text (I/O errors).
    pub raw: Option<String>,
}

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// A JSON line that is not one valid JSON document. `message` is serde_json's, without its
    /// position; `column` is the 1-based byte column in the line.
    #[error("invalid JSON: {message} at column {column}")]
    InvalidJson {
        /// serde_json's description, e.g. `expected value`.
        message: String,
        /// 1-based byte column within the line.
        column: usize,
    },
    /// A JSON line that is not UTF-8.
    #[error("invalid UTF-8 at column {column}")]
    InvalidUtf8 {
        /// 1-based byte column of the first byte that is not valid UTF-8.
        column: usize,
    },
    /// A CSV cell that is not UTF-8.
    #[error("invalid UTF-8 in CSV column {column}{}", header_suffix(header.as_deref()))]
    InvalidUtf8Cell {
        /// 1-based column number.
        column: usize,
        /// The column's header, when the input has a header row.
        header: Option<String>,
    },
    /// A CSV row whose number of cells differs from the header's.
    #[error("wrong number of cells: the header has {expected}, this row has {found}")]
    WrongCellCount {
        /// Cells in the header row.
        expected: usize,
        /// Cells in this row.
        found: usize,
    },
    /// A quoted CSV cell that is never closed: the csv parser read the rest of the input into
    /// this row, so the row is dropped and it is the last thing the reader yields.
    #[error(
        "unterminated quoted cell: the quote opened on line {quote_line} is never closed, so \
         the rest of the input was read as part of this row"
    )]
    UnterminatedQuote {
        /// The line on which the unclosed quote opened.
        quote_line: u64,
    },
    /// A record (a JSON line, or a CSV row) longer than `ReaderOptions::max_record_bytes`. A JSON
    /// lines reader skips to the next line and goes on; a CSV reader cannot find the next row
    /// reliably and stops.
    #[error(
        "record is longer than the limit of {limit} bytes{}",
        quote_hint(*open_quote_line)
    )]
    RecordTooLong {
        /// The limit in bytes.
        limit: usize,
        /// For CSV: the line of a quote still open when the limit was reached (the likely cause).
        open_quote_line: Option<u64>,
    },
    /// A value in a JSON document (format `json`, or a Splunk `/results` document) that is not
    /// valid JSON; `line` is the input's line, `column` the byte column in it (1-based).
    #[error("invalid JSON: {message} at line {line} column {column}")]
    InvalidJsonDocument {
        /// serde_json's description, e.g. `expected value`.
        message: String,
        /// 1-based line in the input.
        line: u64,
        /// 1-based byte column within that line.
        column: usize,
    },
    /// A JSON document whose value (object, array or string) is never closed: the input ends
    /// inside it. The reader stops.
    #[error("truncated JSON: the value that starts on line {open_line} is never closed")]
    TruncatedJson {
        /// The line on which the unclosed value starts.
        open_line: u64,
    },
    /// The syslog body parser (`SyslogOptions::body`) could not parse the message.
    #[error("cannot parse the message body: {message}")]
    Body {
        /// Why.
        message: String,
    },
    /// A Splunk `_raw` that the nested reader (`SplunkOptions::raw`) could not parse.
    #[error("cannot parse _raw: {message}")]
    Raw {
        /// Why.
        message: String,
    },
    /// A line of a Splunk export stream that is JSON but not an export row (no `result` object).
    #[error("not a Splunk export row: expected an object with a \"result\" object")]
    NotSplunkRow,
    /// Splunk reported an error inside the export (`"messages":[{"type":"ERROR",…}]`).
    #[error("Splunk reported {message}")]
    SplunkMessage {
        /// `TYPE: text`.
        message: String,
    },
    /// A Splunk export stream that ended on a row without `"lastrow":true`: the export was
    /// probably cut short, so results may be missing. Reported once, after the last record.
    #[error(
        "the Splunk export ends without its last row (no \"lastrow\":true): it was probably cut short"
    )]
    SplunkExportCutShort,
    /// Reading the input failed; the reader stops.
    #[error("cannot read the input: {0}")]
    Io(io::Error),
}

impl ReadErrorKind {
    /// A short, stable name for the kind of failure, for counting and for dead-letter records:
    /// `invalid-json`, `invalid-utf8`, `wrong-cell-count`, `unterminated-quote`,
    /// `record-too-long`, `truncated-json`, `body`, `raw`, `not-splunk-row`, `splunk-message`,
    /// `splunk-cut-short` or `io`.
    pub fn code(&self) -> &'static str {
        match self {
            ReadErrorKind::InvalidJson { .. } | ReadErrorKind::InvalidJsonDocument { .. } => {
                "invalid-json"
            }
            ReadErrorKind::TruncatedJson { .. } => "truncated-json",
            ReadErrorKind::Body { .. } => "body",
            ReadErrorKind::Raw { .. } => "raw",
            ReadErrorKind::NotSplunkRow => "not-splunk-row",
            ReadErrorKind::SplunkMessage { .. } => "splunk-message",
            ReadErrorKind::SplunkExportCutShort => "splunk-cut-short",
            ReadErrorKind::InvalidUtf8 { .. } | ReadErrorKind::InvalidUtf8Cell { .. } => {
                "invalid-utf8"
            }
            ReadErrorKind::WrongCellCount { .. } => "wrong-cell-count",
            ReadErrorKind::UnterminatedQuote { .. } => "unterminated-quote",
            ReadErrorKind::RecordTooLong { .. } => "record-too-long",
            ReadErrorKind::Io(_) => "io",
        }
    }
}

fn header_suffix(header: Option<&str>) -> String {
    match header {
        Some(name) => format!(" ({name:?})"),
        None => String::new(),
    }
}

fn quote_hint(open_quote_line: Option<u64>) -> String {
    match open_quote_line {
        Some(line) => {
            format!("; a quote opened on line {line} is still open (unbalanced quote?)")
        }
        None => String::new(),
    }
}

/// An input that cannot be read at all.
///
/// Messages name the input and include the underlying I/O error, so `source()` is `None`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The file could not be opened.
    #[error("cannot open {}: {error}", path.display())]
    Open {
        /// The path as given.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The first bytes (read to detect the format, the BOM or the CSV header) could not be read.
    #[error("cannot read {input}: {error}")]
    Read {
        /// The input's name (`-` for stdin).
        input: String,
        /// Why.
        error: io::Error,
    },
    /// Two CSV header cells have the same name, so a record could not hold both.
    #[error(
        "{input}: the CSV header has {name:?} in both column {first} and column {second}; \
         rename one of them"
    )]
    DuplicateHeader {
        /// The input's name.
        input: String,
        /// The duplicated header.
        name: String,
        /// 1-based column of the first occurrence.
        first: usize,
        /// 1-based column of the second occurrence.
        second: usize,
    },
    /// A directory could not be listed or a glob is invalid or matches nothing
    /// ([`crate::expand_inputs`]).
    #[error("{arg}: {reason}")]
    Expand {
        /// The argument as given.
        arg: String,
        /// Why.
        reason: String,
    },
    /// The CSV header row could not be read.
    #[error("{input}:{line}: invalid CSV header: {reason}")]
    InvalidHeader {
        /// The input's name.
        input: String,
        /// The line on which the header starts.
        line: u64,
        /// Why.
        reason: ReadErrorKind,
    },
}

/// The first [`RAW_MAX_BYTES`] of `bytes`, lossily decoded, cut at a character boundary.
pub(crate) fn raw_text(bytes: &[u8]) -> String {
    // Decode a little more than the limit so that a character cut by the byte limit is not turned
    // into a replacement character, then cut the decoded text at a character boundary.
    let take = bytes.len().min(RAW_MAX_BYTES + 3);
    let mut text = String::from_utf8_lossy(&bytes[..take]).into_owned();
    if text.len() > RAW_MAX_BYTES {
        let mut end = RAW_MAX_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_keeps_short_text_whole() {
        assert_eq!(raw_text(b"{\"a\":1"), "{\"a\":1");
    }

    #[test]
    fn raw_text_replaces_invalid_utf8() {
        assert_eq!(raw_text(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn raw_text_cuts_long_text_at_a_character_boundary() {
        let mut input = vec![b'a'; RAW_MAX_BYTES - 1];
        input.extend_from_slice("é and more".as_bytes());
        let raw = raw_text(&input);
        assert_eq!(raw.len(), RAW_MAX_BYTES - 1);
        assert!(raw.bytes().all(|b| b == b'a'));
    }

    #[test]
    fn json_error_displays_message_and_column() {
        let kind = ReadErrorKind::InvalidJson {
            message: "expected value".into(),
            column: 5,
        };
        assert_eq!(kind.to_string(), "invalid JSON: expected value at column 5");
    }

    #[test]
    fn kinds_have_stable_codes() {
        let kind = ReadErrorKind::WrongCellCount {
            expected: 3,
            found: 2,
        };
        assert_eq!(kind.code(), "wrong-cell-count");
        assert_eq!(ReadErrorKind::Io(io::Error::other("x")).code(), "io");
    }

    #[test]
    fn invalid_utf8_cell_names_the_header() {
        let kind = ReadErrorKind::InvalidUtf8Cell {
            column: 3,
            header: Some("host".into()),
        };
        assert_eq!(kind.to_string(), "invalid UTF-8 in CSV column 3 (\"host\")");
    }
}
