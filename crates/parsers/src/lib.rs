//! Message-body parsers: `key=value` pairs, CEF, and a regex with named captures.
//!
//! Pure functions over one message, so that the mapping engine can call them on any field (a
//! syslog `message`, a Splunk `_raw`) as template filters, and the syslog reader can apply one to
//! every message (`SyslogOptions::body` in ocsf-map-readers).

use std::fmt;
use std::str::FromStr;

use regex::Regex;
use serde_json::{Map, Value};

/// Parses `key=value` pairs separated by whitespace, as FortiGate and many appliances write them.
///
/// A value is either double-quoted (a backslash escapes the next character: `\"`, `\\`, `\=`)
/// or runs to the next whitespace. Keys are runs of characters other than whitespace and `=`.
/// Words without `=` are skipped; a later duplicate key replaces the earlier value. Every value
/// is a string, in input order. Never fails: text that is not `key=value` gives no pairs.
///
/// ```
/// let kv = ocsf_map_parsers::parse_kv(r#"srcip=10.2.3.4 msg="SNI and certificate" x= y"#);
/// assert_eq!(kv["srcip"], "10.2.3.4");
/// assert_eq!(kv["msg"], "SNI and certificate");
/// assert_eq!(kv["x"], "");
/// assert_eq!(kv.len(), 3);
/// ```
pub fn parse_kv(text: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return out;
        }
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let Some(eq) = rest[..word_end].find('=').filter(|&eq| eq > 0) else {
            rest = &rest[word_end..];
            continue;
        };
        let key = &rest[..eq];
        let after = &rest[eq + 1..];
        let (value, remaining) = match after.strip_prefix('"') {
            Some(quoted) => unquote(quoted),
            None => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (after[..end].to_owned(), &after[end..])
            }
        };
        out.insert(key.to_owned(), Value::String(value));
        rest = remaining;
    }
}

/// The text of a quoted value whose opening quote was just consumed, and what follows the
/// closing quote. Without a closing quote, the value runs to the end.
fn unquote(text: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, &text[i + 1..]),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => value.push('\\'),
            },
            c => value.push(c),
        }
    }
    (value, "")
}

/// Why a text is not CEF.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CefError {
    /// The text does not contain `CEF:`.
    #[error("not CEF: no \"CEF:\" header")]
    NoHeader,
    /// The header has fewer than the 7 `|`-separated fields before the extension.
    #[error("CEF header has {found} of the 7 fields before the extension")]
    ShortHeader {
        /// How many fields were found.
        found: usize,
    },
}

/// The seven CEF header fields, in order, as they are named in the result.
const CEF_HEADER: [&str; 7] = [
    "cef_version",
    "device_vendor",
    "device_product",
    "device_version",
    "signature_id",
    "name",
    "severity",
];

/// Parses a CEF message: `CEF:Version|Vendor|Product|Version|SignatureID|Name|Severity|ext`.
///
/// Anything before the first `CEF:` (a syslog header, an app name) is ignored. The header fields
/// (with `\|` and `\\` unescaped) become `cef_version`, `device_vendor`, `device_product`,
/// `device_version`, `signature_id`, `name` and `severity` (strings); the extension's
/// `key=value` pairs become the object `extension` (strings, in order). An extension value runs
/// to the next ` key=`, so it may hold spaces; `\=`, `\\`, `\n` and `\r` are unescaped.
///
/// # Errors
///
/// [`CefError`] if there is no `CEF:` or fewer than 7 header fields.
///
/// ```
/// let cef = ocsf_map_parsers::parse_cef(
///     "CEF:0|Cynet|Cynet 360|4.5|0|Cobalt Strike|8| src=172.31.5.93 cat=END-POINT Alert",
/// )?;
/// assert_eq!(cef["device_product"], "Cynet 360");
/// assert_eq!(cef["severity"], "8");
/// assert_eq!(cef["extension"]["cat"], "END-POINT Alert");
/// # Ok::<(), ocsf_map_parsers::CefError>(())
/// ```
pub fn parse_cef(text: &str) -> Result<Map<String, Value>, CefError> {
    let start = text.find("CEF:").ok_or(CefError::NoHeader)?;
    let mut rest = &text[start + 4..];
    let mut out = Map::new();
    for (i, name) in CEF_HEADER.iter().enumerate() {
        let mut field = String::new();
        let mut chars = rest.char_indices();
        let mut end = None;
        while let Some((j, c)) = chars.next() {
            match c {
                '|' => {
                    end = Some(j);
                    break;
                }
                '\\' => match chars.next() {
                    Some((_, escaped @ ('|' | '\\'))) => field.push(escaped),
                    Some((_, other)) => {
                        field.push('\\');
                        field.push(other);
                    }
                    None => field.push('\\'),
                },
                c => field.push(c),
            }
        }
        let Some(end) = end else {
            return Err(CefError::ShortHeader { found: i });
        };
        out.insert((*name).to_owned(), Value::String(field));
        rest = &rest[end + 1..];
    }
    out.insert("extension".into(), Value::Object(parse_cef_extension(rest)));
    Ok(out)
}

/// Splits a CEF extension into `key=value` pairs; a value runs to the next ` key=`.
fn parse_cef_extension(text: &str) -> Map<String, Value> {
    let bytes = text.as_bytes();
    // Start offsets of keys: a run of key characters preceded by a space (or the start) and
    // followed by an unescaped `=`.
    let is_key = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']');
    let mut keys: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if (i == 0 || bytes[i - 1] == b' ') && is_key(bytes[i]) {
            let mut j = i;
            while j < bytes.len() && is_key(bytes[j]) {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'=' {
                keys.push((i, j));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    let mut out = Map::new();
    for (n, &(key_start, key_end)) in keys.iter().enumerate() {
        let value_end = keys.get(n + 1).map_or(text.len(), |&(next, _)| next);
        let raw = text[key_end + 1..value_end].trim_end_matches(' ');
        out.insert(
            text[key_start..key_end].to_owned(),
            unescape_cef_value(raw).into(),
        );
    }
    out
}

fn unescape_cef_value(raw: &str) -> String {
    let mut value = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => value.push('\n'),
            Some('r') => value.push('\r'),
            Some(c @ ('=' | '\\')) => value.push(c),
            Some(other) => {
                value.push('\\');
                value.push(other);
            }
            None => value.push('\\'),
        }
    }
    value
}

/// A regex with named captures, compiled once: `parse` turns a match into an object of
/// capture name → matched text (captures that did not take part are left out).
///
/// ```
/// use ocsf_map_parsers::CaptureParser;
///
/// let parser = CaptureParser::new(r"^MID (?P<mid>\d+) ICID (?P<icid>\d+)")?;
/// let fields = parser.parse("MID 6 ICID 5 From: <a@example.com>").unwrap();
/// assert_eq!(fields["mid"], "6");
/// assert!(parser.parse("ICID 5 close").is_none());
/// # Ok::<(), regex::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CaptureParser {
    regex: Regex,
}

impl CaptureParser {
    /// Compiles `pattern` (Rust `regex` syntax; `(?P<name>…)` or `(?<name>…)` captures).
    ///
    /// # Errors
    ///
    /// The regex crate's error if the pattern is invalid or too large.
    pub fn new(pattern: &str) -> Result<CaptureParser, regex::Error> {
        Regex::new(pattern).map(|regex| CaptureParser { regex })
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        self.regex.as_str()
    }

    /// The named captures of the first match in `text`, or `None` if it does not match.
    pub fn parse(&self, text: &str) -> Option<Map<String, Value>> {
        let captures = self.regex.captures(text)?;
        let mut out = Map::new();
        for name in self.regex.capture_names().flatten() {
            if let Some(m) = captures.name(name) {
                out.insert(name.to_owned(), Value::from(m.as_str()));
            }
        }
        Some(out)
    }
}

impl PartialEq for CaptureParser {
    fn eq(&self, other: &CaptureParser) -> bool {
        self.pattern() == other.pattern()
    }
}

impl Eq for CaptureParser {}

/// A parser for a message body, chosen by a mapping's `source` options or `--body`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyParser {
    /// [`parse_kv`].
    Kv,
    /// [`parse_cef`].
    Cef,
    /// [`CaptureParser::parse`].
    Regex(CaptureParser),
}

/// Why [`BodyParser::parse`] failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// [`parse_cef`] failed.
    #[error(transparent)]
    Cef(#[from] CefError),
    /// The regex did not match.
    #[error("the message does not match the regex {pattern:?}")]
    NoMatch {
        /// The regex.
        pattern: String,
    },
}

impl BodyParser {
    /// Parses `text` with this parser.
    ///
    /// # Errors
    ///
    /// [`BodyError`] when the text is not CEF or does not match the regex; `Kv` never fails.
    pub fn parse(&self, text: &str) -> Result<Map<String, Value>, BodyError> {
        match self {
            BodyParser::Kv => Ok(parse_kv(text)),
            BodyParser::Cef => Ok(parse_cef(text)?),
            BodyParser::Regex(parser) => parser.parse(text).ok_or_else(|| BodyError::NoMatch {
                pattern: parser.pattern().to_owned(),
            }),
        }
    }
}

impl fmt::Display for BodyParser {
    /// `kv`, `cef`, or `regex:PATTERN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyParser::Kv => f.write_str("kv"),
            BodyParser::Cef => f.write_str("cef"),
            BodyParser::Regex(parser) => write!(f, "regex:{}", parser.pattern()),
        }
    }
}

/// A body parser name that [`BodyParser`]'s `FromStr` cannot read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid body parser {0:?}: expected kv, cef or regex:PATTERN ({1})")]
pub struct InvalidBodyParser(pub String, pub String);

impl FromStr for BodyParser {
    type Err = InvalidBodyParser;

    /// `kv` (or `key-value`), `cef`, or `regex:PATTERN`.
    fn from_str(s: &str) -> Result<BodyParser, InvalidBodyParser> {
        if s.eq_ignore_ascii_case("kv") || s.eq_ignore_ascii_case("key-value") {
            return Ok(BodyParser::Kv);
        }
        if s.eq_ignore_ascii_case("cef") {
            return Ok(BodyParser::Cef);
        }
        match s.strip_prefix("regex:") {
            Some(pattern) => CaptureParser::new(pattern)
                .map(BodyParser::Regex)
                .map_err(|e| InvalidBodyParser(s.to_owned(), e.to_string())),
            None => Err(InvalidBodyParser(s.to_owned(), "unknown name".to_owned())),
        }
    }
}
