//! Line-framed inputs: JSON lines, syslog text and the Splunk export stream.
//!
//! [`LinesReader`] frames the input into lines, with the size limit, the positions and the error
//! recovery; a [`LineDecoder`] turns each non-blank line into a record.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use serde_json::Value;

use crate::error::{RAW_MAX_BYTES, ReadError, ReadErrorKind, raw_text};
use crate::{Record, RecordReader, SourcePos};

/// Bytes buffered between the input and the line splitter.
const BUFFER_BYTES: usize = 64 * 1024;

/// Turns one line into a record's fields.
pub(crate) trait LineDecoder: Send {
    /// Decodes a non-blank line (without its ending). `Ok(None)` drops the line: it is not a
    /// record and is not counted (a Splunk preview row).
    fn decode(&mut self, line: &str) -> Result<Option<Value>, ReadErrorKind>;

    /// Called once at the end of the input: an error about the input as a whole (a Splunk export
    /// that ended before its last row), if any.
    fn finish(&mut self) -> Option<ReadErrorKind> {
        None
    }

    /// Whether records are handed over unparsed (see `DeferredLine`).
    fn deferred(&self) -> bool {
        false
    }
}

/// Reads one record per line.
///
/// Lines end with `\n` or `\r\n`; the last line needs no ending. Blank (whitespace-only) lines
/// are skipped and not counted as records. A line is read into one reused buffer, and a line
/// longer than the limit is skipped without being held in memory: the reader keeps its first few
/// KiB for the error and goes on at the next line.
pub(crate) struct LinesReader<R, D> {
    input: BufReader<R>,
    decoder: D,
    source: Arc<str>,
    max_record_bytes: usize,
    /// The current line, without its ending once read; reused for every line.
    line: Vec<u8>,
    /// Lines read so far.
    lines_read: u64,
    /// Records (non-blank lines the decoder did not drop) read so far.
    records_read: u64,
    /// Offset of the next unread byte.
    offset: u64,
    /// Set after an I/O error or at the end: the reader yields nothing more.
    done: bool,
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

impl<R: Read, D: LineDecoder> LinesReader<R, D> {
    /// A reader of `input`, whose first byte is at `base_offset` (past a BOM) in the input.
    pub(crate) fn new(
        input: R,
        decoder: D,
        source: Arc<str>,
        base_offset: u64,
        max_record_bytes: usize,
    ) -> LinesReader<R, D> {
        LinesReader {
            input: BufReader::with_capacity(BUFFER_BYTES, input),
            decoder,
            source,
            max_record_bytes,
            line: Vec::new(),
            lines_read: 0,
            records_read: 0,
            offset: base_offset,
            done: false,
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
                self.line.truncate(RAW_MAX_BYTES);
            }
            if too_long {
                let room = RAW_MAX_BYTES.saturating_sub(self.line.len());
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

    fn pos(&self, record: u64, line: u64, offset: u64) -> SourcePos {
        SourcePos::new(&self.source, record, line, offset)
    }
}

impl<R: Read + Send, D: LineDecoder> RecordReader for LinesReader<R, D> {
    fn deferred(&self) -> bool {
        self.decoder.deferred()
    }

    fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        if self.done {
            return None;
        }
        loop {
            let start = self.offset;
            let line = match self.read_line() {
                Ok(line) => line,
                Err(e) => {
                    self.done = true;
                    let pos = self.pos(self.records_read + 1, self.lines_read + 1, start);
                    return Some(Err(ReadError {
                        pos,
                        kind: ReadErrorKind::Io(e),
                        raw: None,
                    }));
                }
            };
            match line {
                Line::End => {
                    self.done = true;
                    let kind = self.decoder.finish()?;
                    let pos = self.pos(self.records_read + 1, self.lines_read + 1, start);
                    return Some(Err(ReadError {
                        pos,
                        kind,
                        raw: None,
                    }));
                }
                Line::Complete if self.line.iter().all(u8::is_ascii_whitespace) => continue,
                Line::Complete => {}
                Line::TooLong => {
                    self.records_read += 1;
                    let pos = self.pos(self.records_read, self.lines_read, start);
                    let kind = ReadErrorKind::RecordTooLong {
                        limit: self.max_record_bytes,
                        open_quote_line: None,
                    };
                    return Some(Err(self.error(pos, kind)));
                }
            }
            let pos = self.pos(self.records_read + 1, self.lines_read, start);
            let text = match std::str::from_utf8(&self.line) {
                Ok(text) => text,
                Err(e) => {
                    self.records_read += 1;
                    let kind = ReadErrorKind::InvalidUtf8 {
                        column: e.valid_up_to() + 1,
                    };
                    return Some(Err(self.error(pos, kind)));
                }
            };
            match self.decoder.decode(text) {
                Ok(None) => continue,
                Ok(Some(fields)) => {
                    self.records_read += 1;
                    return Some(Ok(Record::new(fields, pos)));
                }
                Err(kind) => {
                    self.records_read += 1;
                    return Some(Err(self.error(pos, kind)));
                }
            }
        }
    }
}
