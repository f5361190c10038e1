//! JSON documents: one document, an array of records, or documents one after another, framed
//! byte by byte so that a record's position is exact and memory stays bounded.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use serde_json::Value;

use crate::error::{RAW_MAX_BYTES, ReadError, ReadErrorKind, raw_text};
use crate::{Record, RecordReader, SourcePos};

/// Bytes buffered between the input and the framer.
const BUFFER_BYTES: usize = 64 * 1024;

/// Which values of the input are records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecordsAt {
    /// Every top-level value, except that a top-level array's elements are records instead.
    TopLevel,
    /// The elements of the array under `key` in each top-level object (Splunk's `results`);
    /// the object's other members are skipped.
    Member(&'static str),
}

/// Turns a framed value into a record's fields (the Splunk post-processing).
pub(crate) type Transform = Box<dyn FnMut(Value) -> Result<Value, ReadErrorKind> + Send>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Top,
    /// Inside a top-level object, between members.
    InObject,
    /// Inside an array whose elements are records; `in_object` says where to go after it.
    InArray {
        in_object: bool,
    },
    Done,
}

/// The bytes of one value, as far as the framer got.
enum Captured {
    /// A complete value (maybe over the limit: then `too_long`).
    Value { too_long: bool },
    /// The input ended inside the value.
    Truncated,
}

pub(crate) struct JsonDocReader<R> {
    input: BufReader<R>,
    source: Arc<str>,
    records_at: RecordsAt,
    transform: Option<Transform>,
    max_record_bytes: usize,
    /// The bytes of the current value (at most the limit, then only `RAW_MAX_BYTES`).
    value: Vec<u8>,
    offset: u64,
    line: u64,
    /// Offset of the current line's first byte.
    line_start: u64,
    records_read: u64,
    state: State,
}

impl<R: Read> JsonDocReader<R> {
    pub(crate) fn new(
        input: R,
        source: Arc<str>,
        base_offset: u64,
        max_record_bytes: usize,
        records_at: RecordsAt,
        transform: Option<Transform>,
    ) -> JsonDocReader<R> {
        JsonDocReader {
            input: BufReader::with_capacity(BUFFER_BYTES, input),
            source,
            records_at,
            transform,
            max_record_bytes,
            value: Vec::new(),
            offset: base_offset,
            line: 1,
            line_start: base_offset,
            records_read: 0,
            state: State::Top,
        }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.input.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn bump(&mut self, b: u8) {
        self.input.consume(1);
        self.offset += 1;
        if b == b'\n' {
            self.line += 1;
            self.line_start = self.offset;
        }
    }

    /// Skips whitespace (and commas, with `commas`); returns the next byte.
    fn skip(&mut self, commas: bool) -> io::Result<Option<u8>> {
        while let Some(b) = self.peek()? {
            if b.is_ascii_whitespace() || (commas && b == b',') {
                self.bump(b);
            } else {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Reads one value into `self.value`. Always consumes at least one byte if there is one.
    fn capture(&mut self) -> io::Result<Captured> {
        self.value.clear();
        let mut depth: u64 = 0;
        let mut in_string = false;
        let mut escaped = false;
        let mut too_long = false;
        let mut first = true;
        let limit = self.max_record_bytes;
        loop {
            let Some(b) = self.peek()? else {
                return Ok(if depth > 0 || in_string {
                    Captured::Truncated
                } else {
                    Captured::Value { too_long }
                });
            };
            let is_scalar = depth == 0 && !in_string;
            if is_scalar
                && !first
                && (b.is_ascii_whitespace() || matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b'"'))
            {
                return Ok(Captured::Value { too_long });
            }
            self.bump(b);
            if !too_long && self.value.len() >= limit {
                too_long = true;
                self.value.truncate(RAW_MAX_BYTES);
            }
            if !too_long || self.value.len() < RAW_MAX_BYTES {
                self.value.push(b);
            }
            let was_first = first;
            first = false;
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    if depth == 0 {
                        return Ok(Captured::Value { too_long });
                    }
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth <= 1 {
                        return Ok(Captured::Value { too_long });
                    }
                    depth -= 1;
                }
                _ if was_first => {}
                _ => {}
            }
        }
    }

    fn pos(&self, record: u64, line: u64, offset: u64) -> SourcePos {
        SourcePos::new(&self.source, record, line, offset)
    }

    #[cold]
    fn error(&mut self, line: u64, offset: u64, kind: ReadErrorKind, raw: bool) -> ReadError {
        self.records_read += 1;
        ReadError {
            pos: self.pos(self.records_read, line, offset),
            kind,
            raw: raw.then(|| raw_text(&self.value)),
        }
    }

    /// Frames and decodes the record that starts at the next byte.
    fn record(&mut self) -> Result<Record, ReadError> {
        let (line, offset) = (self.line, self.offset);
        let column = usize::try_from(offset - self.line_start).unwrap_or(0);
        match self.capture() {
            Err(e) => {
                self.state = State::Done;
                Err(self.error(line, offset, ReadErrorKind::Io(e), false))
            }
            Ok(Captured::Truncated) => {
                self.state = State::Done;
                let kind = ReadErrorKind::TruncatedJson { open_line: line };
                Err(self.error(line, offset, kind, true))
            }
            Ok(Captured::Value { too_long: true }) => {
                let kind = ReadErrorKind::RecordTooLong {
                    limit: self.max_record_bytes,
                    open_quote_line: None,
                };
                Err(self.error(line, offset, kind, true))
            }
            Ok(Captured::Value { too_long: false }) => {
                let parsed = serde_json::from_slice::<Value>(&self.value)
                    .map_err(|e| invalid_json_at(&e, line, column));
                let fields = match (parsed, &mut self.transform) {
                    (Ok(value), Some(transform)) => transform(value),
                    (parsed, _) => parsed,
                };
                match fields {
                    Ok(fields) => {
                        self.records_read += 1;
                        Ok(Record::new(
                            fields,
                            self.pos(self.records_read, line, offset),
                        ))
                    }
                    Err(kind) => Err(self.error(line, offset, kind, true)),
                }
            }
        }
    }

    /// Reads a member key (a JSON string) and its `:`; `None` if the input is not an object
    /// member there (an error was produced) or ended.
    fn member_key(&mut self) -> Result<Option<String>, ReadError> {
        let (line, offset) = (self.line, self.offset);
        let captured = self.capture();
        let key = match captured {
            Ok(Captured::Value { too_long: false }) => {
                serde_json::from_slice::<String>(&self.value).ok()
            }
            _ => None,
        };
        let colon = match key {
            Some(_) => self.skip(false),
            None => Ok(None),
        };
        match (key, colon) {
            (Some(key), Ok(Some(b':'))) => {
                self.bump(b':');
                Ok(Some(key))
            }
            (_, Err(e)) => {
                self.state = State::Done;
                Err(self.error(line, offset, ReadErrorKind::Io(e), false))
            }
            _ => {
                self.state = State::Done;
                let kind = ReadErrorKind::InvalidJsonDocument {
                    message: "expected an object member (\"key\": value)".into(),
                    line,
                    column: 0,
                };
                Err(self.error(line, offset, kind, true))
            }
        }
    }

    fn step(&mut self) -> Option<Result<Record, ReadError>> {
        loop {
            let in_array = matches!(self.state, State::InArray { .. });
            let next = match self.skip(in_array || self.state == State::InObject) {
                Ok(next) => next,
                Err(e) => {
                    self.state = State::Done;
                    let (line, offset) = (self.line, self.offset);
                    return Some(Err(self.error(line, offset, ReadErrorKind::Io(e), false)));
                }
            };
            match (self.state, next) {
                (State::Done, _) => return None,
                (State::Top, None) => {
                    self.state = State::Done;
                    return None;
                }
                (State::InObject | State::InArray { .. }, None) => {
                    self.state = State::Done;
                    let (line, offset) = (self.line, self.offset);
                    let kind = ReadErrorKind::TruncatedJson { open_line: line };
                    return Some(Err(self.error(line, offset, kind, false)));
                }
                (State::Top, Some(b'[')) if self.records_at == RecordsAt::TopLevel => {
                    self.bump(b'[');
                    self.state = State::InArray { in_object: false };
                }
                (State::Top, Some(b'{')) if matches!(self.records_at, RecordsAt::Member(_)) => {
                    self.bump(b'{');
                    self.state = State::InObject;
                }
                (State::InArray { in_object }, Some(b']')) => {
                    self.bump(b']');
                    self.state = if in_object {
                        State::InObject
                    } else {
                        State::Top
                    };
                }
                (State::InObject, Some(b'}')) => {
                    self.bump(b'}');
                    self.state = State::Top;
                }
                (State::InObject, Some(_)) => {
                    let key = match self.member_key() {
                        Ok(Some(key)) => key,
                        Ok(None) => return None,
                        Err(e) => return Some(Err(e)),
                    };
                    let records_key = match self.records_at {
                        RecordsAt::Member(name) => name,
                        RecordsAt::TopLevel => "",
                    };
                    match self.skip(false) {
                        Ok(Some(b'[')) if key == records_key => {
                            self.bump(b'[');
                            self.state = State::InArray { in_object: true };
                        }
                        Ok(_) => {
                            // Another member: skip its value.
                            if let Ok(Captured::Truncated) | Err(_) = self.capture() {
                                self.state = State::Done;
                                let (line, offset) = (self.line, self.offset);
                                let kind = ReadErrorKind::TruncatedJson { open_line: line };
                                return Some(Err(self.error(line, offset, kind, false)));
                            }
                        }
                        Err(e) => {
                            self.state = State::Done;
                            let (line, offset) = (self.line, self.offset);
                            return Some(Err(self.error(
                                line,
                                offset,
                                ReadErrorKind::Io(e),
                                false,
                            )));
                        }
                    }
                }
                (State::Top | State::InArray { .. }, Some(_)) => return Some(self.record()),
            }
        }
    }
}

impl<R: Read + Send> RecordReader for JsonDocReader<R> {
    fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        self.step()
    }
}

/// serde_json's message and position, made absolute from the record's first line and the
/// column (0-based `indent`) at which the record starts on it.
#[cold]
fn invalid_json_at(error: &serde_json::Error, first_line: u64, indent: usize) -> ReadErrorKind {
    let mut message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    if message.ends_with(&suffix) {
        message.truncate(message.len() - suffix.len());
    }
    ReadErrorKind::InvalidJsonDocument {
        message,
        line: first_line + error.line().saturating_sub(1) as u64,
        column: error.column() + if error.line() <= 1 { indent } else { 0 },
    }
}

/// How a JSON input is laid out, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One value per line.
    Lines,
    /// A document (pretty-printed, or an array).
    Document,
}

/// The layout of a JSON input from its head: `[` starts a document; a first value that ends on
/// its first line (or a head with no line break at all) means JSON lines; else a document.
pub(crate) fn sniff_layout(head: &[u8]) -> Layout {
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Layout::Lines;
    };
    if head[start] == b'[' {
        return Layout::Document;
    }
    match first_value_end(&head[start..]) {
        Some(end) => {
            let after = &head[start + end..];
            let line_rest = after.split(|&b| b == b'\n').next().unwrap_or(&[]);
            if line_rest.iter().all(u8::is_ascii_whitespace)
                && !head[start..start + end].contains(&b'\n')
            {
                Layout::Lines
            } else {
                Layout::Document
            }
        }
        None if head[start..].contains(&b'\n') => Layout::Document,
        None => Layout::Lines,
    }
}

/// Where the first value of `bytes` (starting with `{` or `[`) ends, if it does.
fn first_value_end(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0u64;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The keys of the first top-level object in `head` that the head holds (at depth 1).
pub(crate) fn first_object_keys(head: &[u8]) -> Vec<String> {
    let mut keys = Vec::new();
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return keys;
    };
    if head[start] != b'{' {
        return keys;
    }
    let mut depth = 0u64;
    let mut string_start = None;
    let mut escaped = false;
    for (i, &b) in head.iter().enumerate().skip(start) {
        if let Some(s) = string_start {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    string_start = None;
                    let after = head[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
                    if depth == 1 && after == Some(&b':') {
                        keys.push(String::from_utf8_lossy(&head[s..i]).into_owned());
                    }
                }
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => string_start = Some(i + 1),
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_sniffed_from_the_first_value() {
        assert_eq!(sniff_layout(b"{\"a\":1}\n{\"a\":2}\n"), Layout::Lines);
        assert_eq!(sniff_layout(b"{\n  \"a\": 1\n}\n"), Layout::Document);
        assert_eq!(sniff_layout(b"  [{\"a\":1}]"), Layout::Document);
        assert_eq!(sniff_layout(b"{\"a\":\"very long"), Layout::Lines);
        assert_eq!(sniff_layout(b"{\"a\":1} {\"b\":2}\n"), Layout::Document);
    }

    #[test]
    fn first_object_keys_are_those_at_depth_one() {
        let keys = first_object_keys(b"{\"preview\":false,\"x\":{\"result\":1},\"results\":[");
        assert_eq!(keys, ["preview", "x", "results"]);
    }
}
