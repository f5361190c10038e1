//! JSON lines: one JSON document per line.

use std::sync::Arc;

use serde_json::Value;

use crate::Record;
use crate::error::{ReadError, ReadErrorKind, raw_text};
use crate::lines::LineDecoder;

/// Decodes each line as one JSON document. Any JSON value is a record, not only objects.
pub(crate) struct JsonLine;

impl LineDecoder for JsonLine {
    fn decode(&mut self, line: &str) -> Result<Option<Value>, ReadErrorKind> {
        serde_json::from_str::<Value>(line)
            .map(Some)
            .map_err(|e| invalid_json(&e))
    }
}

/// Hands each line over unparsed, as a JSON string, for [`parse_deferred`] to parse later,
/// possibly on another thread ([`ReaderOptions::defer_json_lines`](crate::ReaderOptions)).
pub(crate) struct DeferredLine;

impl LineDecoder for DeferredLine {
    fn decode(&mut self, line: &str) -> Result<Option<Value>, ReadErrorKind> {
        Ok(Some(Value::String(line.to_owned())))
    }

    fn deferred(&self) -> bool {
        true
    }
}

/// Parses a record read with [`ReaderOptions::defer_json_lines`](crate::ReaderOptions) from a
/// reader that [defers](crate::RecordReader::deferred): the result, error included, is exactly
/// what reading without deferring would have given for that line.
pub fn parse_deferred(record: &Record) -> Result<Record, ReadError> {
    let fields = parse_deferred_fields(record)?;
    Ok(Record {
        fields,
        pos: record.pos.clone(),
    })
}

/// [`parse_deferred`], giving only the record's fields: the record keeps its position, and
/// the caller can put the fields in place of the line.
pub fn parse_deferred_fields(record: &Record) -> Result<Arc<Value>, ReadError> {
    let line = match &*record.fields {
        Value::String(line) => line.as_str(),
        _ => return Ok(Arc::clone(&record.fields)),
    };
    match serde_json::from_str::<Value>(line) {
        Ok(fields) => Ok(Arc::new(fields)),
        Err(e) => Err(ReadError {
            pos: record.pos.clone(),
            kind: invalid_json(&e),
            raw: Some(raw_text(line.as_bytes())),
        }),
    }
}

/// serde_json's message without its ` at line L column C` suffix, and the column.
#[cold]
pub(crate) fn invalid_json(error: &serde_json::Error) -> ReadErrorKind {
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
    use std::sync::Arc;

    use super::*;
    use crate::RecordReader;
    use crate::lines::LinesReader;

    fn reader(input: &'static [u8], limit: usize) -> LinesReader<&'static [u8], JsonLine> {
        LinesReader::new(input, JsonLine, Arc::from("t.jsonl"), 0, limit)
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
