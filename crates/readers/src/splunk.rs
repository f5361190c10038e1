//! Splunk exports: the REST export stream, the `/results` document and CSV exports.

use std::fmt;
use std::io::Read;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::csv_reader::CsvReader;
use crate::error::ReadErrorKind;
use crate::json_lines::invalid_json;
use crate::lines::LineDecoder;
use crate::syslog::{SyslogOptions, UtcOffset, epoch_ms, parse_syslog_line};
use crate::{ReadError, Record, RecordReader};
use ocsf_map_parsers::{parse_cef, parse_kv};

/// Options for Splunk exports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SplunkOptions {
    /// How to parse each result's `_raw` again; the result goes into `_raw_parsed`, and a `_raw`
    /// that does not parse is an error for that record. Default: `_raw` is left as it is.
    pub raw: Option<RawFormat>,
}

/// A format for one record held in a string: a Splunk `_raw`, or any field the mapping names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RawFormat {
    /// One JSON document (a Zeek or Suricata record).
    Json,
    /// One syslog line ([`parse_syslog_line`]).
    Syslog,
    /// `key=value` pairs ([`crate::parse_kv`]).
    Kv,
    /// CEF ([`crate::parse_cef`]).
    Cef,
}

impl RawFormat {
    /// The canonical name: `json`, `syslog`, `kv` or `cef`.
    pub fn name(self) -> &'static str {
        match self {
            RawFormat::Json => "json",
            RawFormat::Syslog => "syslog",
            RawFormat::Kv => "kv",
            RawFormat::Cef => "cef",
        }
    }
}

impl fmt::Display for RawFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RawFormat {
    type Err = crate::UnknownFormat;

    /// `json`, `syslog`, `kv` or `cef`, in any case.
    fn from_str(s: &str) -> Result<RawFormat, crate::UnknownFormat> {
        [
            RawFormat::Json,
            RawFormat::Syslog,
            RawFormat::Kv,
            RawFormat::Cef,
        ]
        .into_iter()
        .find(|f| f.name().eq_ignore_ascii_case(s))
        .ok_or_else(|| crate::UnknownFormat(s.to_owned()))
    }
}

/// Why [`parse_raw`] failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse as {format}: {message}")]
pub struct RawError {
    /// The format tried.
    pub format: RawFormat,
    /// Why.
    pub message: String,
}

/// Parses one record held in a string (a Splunk `_raw`) in `format`. Syslog lines use
/// `syslog`'s year and timezone policy (with the current date as the reference).
///
/// # Errors
///
/// [`RawError`] if the text is not valid JSON or CEF (syslog and `kv` never fail).
///
/// ```
/// use ocsf_map_readers::{parse_raw, RawFormat, SyslogOptions};
///
/// let zeek = parse_raw(r#"{"uid":"C1","proto":"udp"}"#, RawFormat::Json, &SyslogOptions::default())?;
/// assert_eq!(zeek["proto"], "udp");
/// # Ok::<(), ocsf_map_readers::RawError>(())
/// ```
pub fn parse_raw(text: &str, format: RawFormat, syslog: &SyslogOptions) -> Result<Value, RawError> {
    let fail = |message: String| RawError { format, message };
    match format {
        RawFormat::Json => serde_json::from_str(text).map_err(|e| fail(e.to_string())),
        RawFormat::Syslog => Ok(Value::Object(parse_syslog_line(text, syslog))),
        RawFormat::Kv => Ok(Value::Object(parse_kv(text))),
        RawFormat::Cef => parse_cef(text)
            .map(Value::Object)
            .map_err(|e| fail(e.to_string())),
    }
}

/// Completes a Splunk result: `_time_ms` from `_time`, `_raw_parsed` from `_raw`.
pub(crate) fn finish_result(
    mut result: Map<String, Value>,
    splunk: &SplunkOptions,
    syslog: &SyslogOptions,
) -> Result<Value, ReadErrorKind> {
    if let Some(ms) = result
        .get("_time")
        .and_then(Value::as_str)
        .and_then(|t| epoch_ms(t, UtcOffset::UTC))
    {
        result.insert("_time_ms".into(), ms.into());
    }
    if let Some(format) = splunk.raw
        && let Some(raw) = result.get("_raw").and_then(Value::as_str)
    {
        let parsed = parse_raw(raw, format, syslog).map_err(|e| ReadErrorKind::Raw {
            message: e.to_string(),
        })?;
        result.insert("_raw_parsed".into(), parsed);
    }
    Ok(Value::Object(result))
}

/// Decodes the lines of a REST export stream.
pub(crate) struct SplunkExportLine {
    pub(crate) splunk: SplunkOptions,
    pub(crate) syslog: SyslogOptions,
    /// Whether a row was seen, and whether the last one had `"lastrow":true`.
    pub(crate) last_row: Option<bool>,
}

impl LineDecoder for SplunkExportLine {
    fn decode(&mut self, line: &str) -> Result<Option<Value>, ReadErrorKind> {
        let value: Value = serde_json::from_str(line).map_err(|e| invalid_json(&e))?;
        let Value::Object(mut row) = value else {
            return Err(ReadErrorKind::NotSplunkRow);
        };
        let Some(result) = row.remove("result") else {
            if let Some(message) = splunk_error_message(&row) {
                return Err(ReadErrorKind::SplunkMessage { message });
            }
            if row.contains_key("preview") || row.contains_key("messages") {
                return Ok(None);
            }
            return Err(ReadErrorKind::NotSplunkRow);
        };
        let Value::Object(mut result) = result else {
            return Err(ReadErrorKind::NotSplunkRow);
        };
        self.last_row = Some(row.get("lastrow") == Some(&Value::Bool(true)));
        if row.get("preview") == Some(&Value::Bool(true)) {
            return Ok(None);
        }
        if let Some(offset) = row.get("offset") {
            result.insert("_offset".into(), offset.clone());
        }
        finish_result(result, &self.splunk, &self.syslog).map(Some)
    }

    fn finish(&mut self) -> Option<ReadErrorKind> {
        (self.last_row == Some(false)).then_some(ReadErrorKind::SplunkExportCutShort)
    }
}

/// The text of the first `ERROR` or `FATAL` message of a control row.
fn splunk_error_message(row: &Map<String, Value>) -> Option<String> {
    let messages = row.get("messages")?.as_array()?;
    messages.iter().find_map(|m| {
        let kind = m.get("type")?.as_str()?;
        matches!(kind, "ERROR" | "FATAL").then(|| {
            let text = m.get("text").and_then(Value::as_str).unwrap_or("");
            format!("{kind}: {text}")
        })
    })
}

/// A Splunk CSV export: CSV, then multivalue cells as arrays and the result completed.
pub(crate) struct SplunkCsvReader<R: Read> {
    pub(crate) csv: CsvReader<R>,
    pub(crate) splunk: SplunkOptions,
    pub(crate) syslog: SyslogOptions,
}

impl<R: Read + Send> RecordReader for SplunkCsvReader<R> {
    fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        let record = match self.csv.next_record()? {
            Ok(record) => record,
            Err(e) => return Some(Err(e)),
        };
        let Record { fields, pos } = record;
        let fields = Arc::try_unwrap(fields).unwrap_or_else(|shared| (*shared).clone());
        let Value::Object(row) = fields else {
            // Without a header row the cells are an array: nothing Splunk-specific to do.
            return Some(Ok(Record::new(fields, pos)));
        };
        match finish_result(splunk_csv_row(row), &self.splunk, &self.syslog) {
            Ok(fields) => Some(Ok(Record::new(fields, pos))),
            Err(kind) => Some(Err(ReadError {
                pos,
                kind,
                raw: None,
            })),
        }
    }
}

/// Multivalue cells as arrays: a `__mv_X` cell (`$a$;$b$`) gives `X`'s values and is dropped;
/// otherwise a cell other than `_raw` that holds line breaks is split on them.
fn splunk_csv_row(row: Map<String, Value>) -> Map<String, Value> {
    let mut mv: Map<String, Value> = Map::new();
    let mut out = Map::with_capacity(row.len());
    for (key, value) in row {
        if let Some(name) = key.strip_prefix("__mv_") {
            if let Some(values) = value.as_str().and_then(parse_mv) {
                mv.insert(name.to_owned(), values);
            }
            continue;
        }
        let value = match value {
            Value::String(s) if key != "_raw" && s.contains('\n') => Value::Array(
                s.split('\n')
                    .map(|v| Value::from(v.strip_suffix('\r').unwrap_or(v)))
                    .collect(),
            ),
            other => other,
        };
        out.insert(key, value);
    }
    for (key, values) in mv {
        if out.contains_key(&key) {
            out.insert(key, values);
        }
    }
    out
}

/// `$a$;$b$` (with `$$` for a `$`) → `["a","b"]`; `None` for an empty or malformed cell.
fn parse_mv(cell: &str) -> Option<Value> {
    if cell.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    let mut chars = cell.chars().peekable();
    loop {
        if chars.next()? != '$' {
            return None;
        }
        let mut value = String::new();
        loop {
            match chars.next()? {
                '$' if chars.peek() == Some(&'$') => {
                    chars.next();
                    value.push('$');
                }
                '$' => break,
                c => value.push(c),
            }
        }
        values.push(Value::String(value));
        match chars.next() {
            None => return Some(Value::Array(values)),
            Some(';') => {}
            Some(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mv_cells_decode_dollar_quoting() {
        assert_eq!(
            parse_mv("$a$;$b$$c$"),
            Some(serde_json::json!(["a", "b$c"]))
        );
        assert_eq!(parse_mv("a;b"), None);
        assert_eq!(parse_mv(""), None);
    }

    #[test]
    fn raw_cells_keep_their_line_breaks() {
        let mut row = Map::new();
        row.insert("_raw".into(), "a\nb".into());
        row.insert("_si".into(), "x\ny".into());
        let out = splunk_csv_row(row);
        assert_eq!(out["_raw"], "a\nb");
        assert_eq!(out["_si"], serde_json::json!(["x", "y"]));
    }
}
