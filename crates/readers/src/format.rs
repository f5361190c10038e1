//! Input formats and how one is chosen for an input.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An input format: how the bytes of an input are framed into records.
///
/// Chosen by [`crate::open`] in this order: `ReaderOptions::format` if set, else
/// [`Format::from_path`] (the file extension, after any `.gz`/`.zst`), else [`Format::sniff`]
/// (the first bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Comma- (or otherwise) separated values with a header row; see `CsvOptions`.
    Csv,
    /// One JSON document per line (NDJSON, JSON lines).
    JsonLines,
    /// Any JSON: one document, an array of records, documents one after another, or JSON lines
    /// (chosen from the first value: if it ends on its first line, the input is read as JSON
    /// lines). Syslog serialised as JSON (rsyslog, syslog-ng, journald, Zeek) is read this way.
    Json,
    /// Syslog text, RFC 3164 or RFC 5424, one message per line; see `SyslogOptions`.
    Syslog,
    /// A Splunk JSON export: the REST export stream (`{"preview":…,"offset":…,"result":{…}}`
    /// per line) or a `/results` document (`{"results":[…]}`), told apart by their keys.
    SplunkJson,
    /// A Splunk CSV export: CSV whose multivalue cells become arrays.
    SplunkCsv,
}

impl Format {
    /// Every format, in the order `--help` should list them.
    pub const ALL: &'static [Format] = &[
        Format::Csv,
        Format::JsonLines,
        Format::Json,
        Format::Syslog,
        Format::SplunkJson,
        Format::SplunkCsv,
    ];

    /// The format's canonical name, as accepted by [`FromStr`] and printed by `Display`.
    pub fn name(self) -> &'static str {
        self.aliases()[0]
    }

    /// The names [`FromStr`] accepts for this format (the canonical name first).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Format::Csv => &["csv"],
            Format::JsonLines => &["jsonl", "json-lines", "ndjson"],
            Format::Json => &["json", "syslog-json"],
            Format::Syslog => &["syslog", "rfc3164", "rfc5424"],
            Format::SplunkJson => &["splunk-json", "splunk", "splunk-export"],
            Format::SplunkCsv => &["splunk-csv"],
        }
    }

    /// The format a file extension (without the dot, any case) implies: `csv` and `tsv` → CSV;
    /// `jsonl` and `ndjson` → JSON lines; `syslog` → syslog. Others (`json`, `log`, `txt`, …)
    /// imply nothing: their content decides.
    pub fn from_extension(extension: &str) -> Option<Format> {
        const TABLE: &[(&str, Format)] = &[
            ("csv", Format::Csv),
            ("tsv", Format::Csv),
            ("jsonl", Format::JsonLines),
            ("ndjson", Format::JsonLines),
            ("syslog", Format::Syslog),
        ];
        TABLE
            .iter()
            .find(|(ext, _)| ext.eq_ignore_ascii_case(extension))
            .map(|&(_, format)| format)
    }

    /// The format a path's extension implies (see [`Format::from_extension`]), looking past a
    /// compression extension (`conn.jsonl.gz` is JSON lines).
    pub fn from_path(path: &Path) -> Option<Format> {
        let path = strip_compression(path);
        Format::from_extension(path.extension()?.to_str()?)
    }

    /// The format the first bytes of an input suggest (after an optional UTF-8 BOM and
    /// whitespace):
    ///
    /// - `{` → Splunk JSON if the first object has a `preview` key and a `result` or `results`
    ///   key; else JSON lines if the first value ends on its first line; else JSON;
    /// - `[` → JSON;
    /// - `<` and 1 to 3 digits and `>` (a PRI), or a month name and a space (`Oct 11 …`) → syslog;
    /// - `"_` (a Splunk CSV header such as `"_bkt","_cd",…`) → Splunk CSV;
    /// - anything else → CSV.
    pub fn sniff(head: &[u8]) -> Format {
        let head = head.strip_prefix(UTF8_BOM).unwrap_or(head);
        let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
            return Format::Csv;
        };
        let body = &head[start..];
        match body[0] {
            b'{' => {
                let keys = crate::json_doc::first_object_keys(body);
                let has = |k: &str| keys.iter().any(|key| key == k);
                if has("preview") && (has("result") || has("results")) {
                    Format::SplunkJson
                } else if crate::json_doc::sniff_layout(body) == crate::json_doc::Layout::Lines {
                    Format::JsonLines
                } else {
                    Format::Json
                }
            }
            b'[' => Format::Json,
            b'<' if is_pri(body) => Format::Syslog,
            _ if starts_with_month(body) => Format::Syslog,
            b'"' if body.get(1) == Some(&b'_') => Format::SplunkCsv,
            _ => Format::Csv,
        }
    }
}

/// Whether `bytes` starts with `<` 1–3 digits `>`.
fn is_pri(bytes: &[u8]) -> bool {
    let digits = bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=3).contains(&digits) && bytes.get(1 + digits) == Some(&b'>')
}

/// Whether `bytes` starts with an English month abbreviation and a space.
fn starts_with_month(bytes: &[u8]) -> bool {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    bytes.get(3) == Some(&b' ') && MONTHS.iter().any(|m| bytes.starts_with(m))
}

/// A compression, recognised by extension or by magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression the first bytes announce: gzip `1f 8b`, zstd `28 b5 2f fd`.
    pub(crate) fn from_magic(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }
}

/// `path` without a trailing `.gz` or `.zst`.
pub(crate) fn strip_compression(path: &Path) -> PathBuf {
    let compressed = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gz") || e.eq_ignore_ascii_case("zst"));
    if compressed {
        path.with_extension("")
    } else {
        path.to_owned()
    }
}

pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The delimiter a path's extension implies, if any: tab for `.tsv`.
pub(crate) fn delimiter_from_path(path: &Path) -> Option<u8> {
    let path = strip_compression(path);
    let ext = path.extension()?.to_str()?;
    ext.eq_ignore_ascii_case("tsv").then_some(b'\t')
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a format name, ignoring ASCII case: `csv`, `jsonl`, `json-lines` or `ndjson`.
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .iter()
            .copied()
            .find(|format| {
                format
                    .aliases()
                    .iter()
                    .any(|alias| alias.eq_ignore_ascii_case(s))
            })
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// A format name that [`Format`]'s `FromStr` does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown input format {name:?} (expected one of: {known})", name = .0, known = known_names())]
pub struct UnknownFormat(pub String);

fn known_names() -> String {
    let names: Vec<&str> = Format::ALL
        .iter()
        .flat_map(|format| format.aliases().iter().copied())
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse_in_any_case() {
        assert_eq!("csv".parse(), Ok(Format::Csv));
        assert_eq!("JSONL".parse(), Ok(Format::JsonLines));
        assert_eq!("json-lines".parse(), Ok(Format::JsonLines));
        assert_eq!("ndjson".parse(), Ok(Format::JsonLines));
    }

    #[test]
    fn unknown_format_lists_the_known_names() {
        let err = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown input format \"xml\" (expected one of: csv, jsonl, json-lines, ndjson, json, \
             syslog-json, syslog, rfc3164, rfc5424, splunk-json, splunk, splunk-export, splunk-csv)"
        );
    }

    #[test]
    fn format_displays_its_canonical_name() {
        for &format in Format::ALL {
            assert_eq!(format.to_string().parse(), Ok(format));
        }
    }

    #[test]
    fn extensions_choose_the_format() {
        assert_eq!(Format::from_path(Path::new("a/b.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("b.TSV")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("eve.json")), None);
        assert_eq!(
            Format::from_path(Path::new("eve.jsonl")),
            Some(Format::JsonLines)
        );
        assert_eq!(
            Format::from_path(Path::new("eve.ndjson")),
            Some(Format::JsonLines)
        );
        assert_eq!(Format::from_path(Path::new("conn.log")), None);
        assert_eq!(
            Format::from_path(Path::new("conn.jsonl.gz")),
            Some(Format::JsonLines)
        );
        assert_eq!(
            Format::from_path(Path::new("dir.d/a.syslog.zst")),
            Some(Format::Syslog)
        );
        assert_eq!(Format::from_path(Path::new("conn.txt")), None);
        assert_eq!(Format::from_path(Path::new("conn")), None);
    }

    #[test]
    fn sniffing_sees_json_after_a_bom_and_blank_lines() {
        assert_eq!(
            Format::sniff(b"\xEF\xBB\xBF \r\n\t{\"a\":1}"),
            Format::JsonLines
        );
    }

    #[test]
    fn sniffing_defaults_to_csv() {
        assert_eq!(Format::sniff(b"a,b\n1,2\n"), Format::Csv);
        assert_eq!(Format::sniff(b"x y\n"), Format::Csv);
        assert_eq!(Format::sniff(b""), Format::Csv);
    }

    #[test]
    fn sniffing_tells_json_layouts_apart() {
        assert_eq!(Format::sniff(b"[1,2]\n"), Format::Json);
        assert_eq!(Format::sniff(b"{\n \"a\": 1\n}\n"), Format::Json);
        assert_eq!(Format::sniff(b"{\"a\": 1}\n{"), Format::JsonLines);
    }

    #[test]
    fn sniffing_sees_splunk_exports() {
        let export = b"\xEF\xBB\xBF{\"preview\":true,\"offset\":0,\"result\":{\"a\":\"1\"}}\n";
        assert_eq!(Format::sniff(export), Format::SplunkJson);
        let results = b"{\"preview\":false,\"init_offset\":0,\"results\":[";
        assert_eq!(Format::sniff(results), Format::SplunkJson);
        assert_eq!(
            Format::sniff(b"\"_serial\",\"_time\",host\n"),
            Format::SplunkCsv
        );
    }

    #[test]
    fn sniffing_sees_syslog_by_pri_or_month() {
        assert_eq!(
            Format::sniff(b"<34>Oct 11 22:14:15 host su: x"),
            Format::Syslog
        );
        assert_eq!(Format::sniff(b"<190>date=2024-08-28"), Format::Syslog);
        assert_eq!(
            Format::sniff(b"Dec  6 15:56:37 host p[1]: x"),
            Format::Syslog
        );
        assert_eq!(Format::sniff(b"<a>"), Format::Csv);
        assert_eq!(Format::sniff(b"December,x\n"), Format::Csv);
    }

    #[test]
    fn only_tsv_implies_a_delimiter() {
        assert_eq!(delimiter_from_path(Path::new("x.tsv")), Some(b'\t'));
        assert_eq!(delimiter_from_path(Path::new("x.csv")), None);
    }
}
