//! JSON lines: one JSON document per line.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use serde_json::Value;

use crate::error::{ReadError, ReadErrorKind, raw_text};
use crate::{Record, RecordReader, SourcePos};

/// Bytes buffered between the input and the line splitter.
const BUFFER_BYTES: usize = 64 * 1024;

/// Reads one JSON document per line.
///
/// Lines end with `\n` or `\r\n`; the last line needs no ending. Blank (whitespace-only) lines
/// are skipped and not counted as records. Any JSON value is a record, not only objects. A line
/// is read into one reused buffer, and a line longer than the limit is skipped without being
/// held in memory: the reader keeps its first few KiB for the error and goes on at the next line.
pub(crate) struct JsonLinesReader<R> {
    input: BufReader<R>,
    source: Arc<str>,
    max_record_bytes: usize,
    /// The current line, without its ending once read; reused for every line.
    line: Vec<u8>,
    /// Lines read so far.
    lines_read: u64,
    /// Records (non-blank lines) read so far.
    records_read: u64,
    /// Offset of the next unread byte.
    offset: u64,
    /// Set after an I/O error: the reader yields nothing more.
    failed: bool,
}

/// What `read_line` found.
enum Line {
    /// The input is exhausted.
    End,
    /// A line that fits the limit, now in `line`.
    Complete,
    /// A line over the limit; `line` holds its first bytes.
    TooLong,
}

impl<R: Read> JsonLinesReader<R> {
    /// A reader of `input`, whose first byte is at `base_offset` (past a BOM) in the input.
    pub(crate) fn new(
        input: R,
        source: Arc<str>,
        base_offset: u64,
        max_record_bytes: usize,
    ) -> JsonLinesReader<R> {
        JsonLinesReader {
            input: BufReader::with_capacity(BUFFER_BYTES, input),
            source,
            max_record_bytes,
            line: Vec::new(),
            lines_read: 0,
            records_read: 0,
            offset: base_offset,
            failed: false,
        }
    }

    /// Reads the next line into `self.line`, without its ending, keeping at most
    /// `max_record_bytes` (plus the ending) in memory.
    fn read_line(&mut self) -> io::Result<Line> {
        self.line.clear();
        // The limit is on the line without its ending: allow room for "\r\n" while reading.
        let keep = self.max_record_bytes.saturating_add(2);
        let mut too_long = false;
        let mut consumed_any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            consumed_any = true;
            let (take, ends_line) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let piece = &chunk[..take];
            if !too_long && self.line.len() + piece.len() > keep {
                too_long = true;
                self.line.truncate(crate::error::RAW_MAX_BYTES);
            }
            if too_long {
                let room = crate::error::RAW_MAX_BYTES.saturating_sub(self.line.len());
                self.line.extend_from_slice(&piece[..room.min(piece.len())]);
            } else {
                self.line.extend_from_slice(piece);
            }
            self.input.consume(take);
            self.offset += take as u64;
            if ends_line {
                break;
            }
        }
        if !consumed_any {
            return Ok(Line::End);
        }
        self.lines_read += 1;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        }
        if too_long || self.line.len() > self.max_record_bytes {
            return Ok(Line::TooLong);
        }
        Ok(Line::Complete)
    }

    #[cold]
    fn error(&self, pos: SourcePos, kind: ReadErrorKind) -> ReadError {
        ReadError {
            pos,
            kind,
            raw: Some(raw_text(&self.line)),
        }
    }
}

impl<R: Read + Send> RecordReader for JsonLinesReader<R> {
    fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        if self.failed {
            return None;
        }
        loop {
            let start = self.offset;
            let line_result = self.read_line();
            let pos = |records_read, lines_read| SourcePos {
                source: Arc::clone(&self.source),
                record: records_read,
                line: lines_read,
                offset: start,
            };
            let line = match line_result {
                Ok(line) => line,
                Err(e) => {
                    self.failed = true;
                    let pos = pos(self.records_read + 1, self.lines_read + 1);
                    return Some(Err(ReadError {
                        pos,
                        kind: ReadErrorKind::Io(e),
                        raw: None,
                    }));
                }
            };
            match line {
                Line::End => return None,
                Line::Complete if self.line.iter().all(u8::is_ascii_whitespace) => continue,
                Line::Complete => {}
                Line::TooLong => {
                    self.records_read += 1;
                    let pos = pos(self.records_read, self.lines_read);
                    let kind = ReadErrorKind::RecordTooLong {
                        limit: self.max_record_bytes,
                        open_quote_line: None,
                    };
                    return Some(Err(self.error(pos, kind)));
                }
            }
            self.records_read += 1;
            let pos = pos(self.records_read, self.lines_read);
            let text = match std::str::from_utf8(&self.line) {
                Ok(text) => text,
                Err(e) => {
                    let kind = ReadErrorKind::InvalidUtf8 {
                        column: e.valid_up_to() + 1,
                    };
                    return Some(Err(self.error(pos, kind)));
                }
            };
            return Some(match serde_json::from_str::<Value>(text) {
                Ok(fields) => Ok(Record::new(fields, pos)),
                Err(e) => Err(self.error(pos, invalid_json(&e))),
            });
        }
    }
}

/// serde_json's message without its ` at line L column C` suffix, and the column.
#[cold]
fn invalid_json(error: &serde_json::Error) -> ReadErrorKind {
    let mut message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    if message.ends_with(&suffix) {
        message.truncate(message.len() - suffix.len());
    }
    ReadErrorKind::InvalidJson {
        message,
        column: error.column(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(input: &'static [u8], limit: usize) -> JsonLinesReader<&'static [u8]> {
        JsonLinesReader::new(input, "t.jsonl".into(), 0, limit)
    }

    #[test]
    fn a_line_exactly_at_the_limit_is_read() {
        let mut r = reader(b"\"abcd\"\r\n12345\n", 6);
        let record = r.next_record().unwrap().unwrap();
        assert_eq!(*record.fields, Value::from("abcd"));
        assert_eq!(
            *r.next_record().unwrap().unwrap().fields,
            Value::from(12345)
        );
        assert!(r.next_record().is_none());
    }

    #[test]
    fn a_line_one_byte_over_the_limit_is_too_long() {
        let mut r = reader(b"1234567\r\n8\n", 6);
        let err = r.next_record().unwrap().unwrap_err();
        assert!(matches!(
            err.kind,
            ReadErrorKind::RecordTooLong { limit: 6, .. }
        ));
        assert_eq!(err.raw.as_deref(), Some("1234567"));
        assert_eq!(*r.next_record().unwrap().unwrap().fields, Value::from(8));
    }

    #[test]
    fn the_json_message_loses_serde_jsons_position() {
        let mut r = reader(b"{\"a\": tru}\n", 100);
        let err = r.next_record().unwrap().unwrap_err();
        assert_eq!(err.to_string(), "invalid JSON: expected ident at column 10");
    }
}
