//! Input formats and how one is chosen for an input.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// An input format: how the bytes of an input are framed into records.
///
/// Chosen by [`crate::open`] in this order: `ReaderOptions::format` if set, else
/// [`Format::from_path`] (the file extension), else [`Format::sniff`] (the first bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Comma- (or otherwise) separated values with a header row; see `CsvOptions`.
    Csv,
    /// One JSON document per line (NDJSON, JSON lines).
    JsonLines,
}

impl Format {
    /// Every format, in the order `--help` should list them.
    pub const ALL: &'static [Format] = &[Format::Csv, Format::JsonLines];

    /// The format's canonical name, as accepted by [`FromStr`] and printed by `Display`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    /// The names [`FromStr`] accepts for this format (the canonical name first).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Format::Csv => &["csv"],
            Format::JsonLines => &["jsonl", "json-lines", "ndjson"],
        }
    }

    /// The format a file extension (without the dot, any case) implies: `csv` and `tsv` → CSV;
    /// `json`, `jsonl`, `ndjson` and `log` → JSON lines.
    pub fn from_extension(extension: &str) -> Option<Format> {
        const TABLE: &[(&str, Format)] = &[
            ("csv", Format::Csv),
            ("tsv", Format::Csv),
            ("json", Format::JsonLines),
            ("jsonl", Format::JsonLines),
            ("ndjson", Format::JsonLines),
            ("log", Format::JsonLines),
        ];
        TABLE
            .iter()
            .find(|(ext, _)| ext.eq_ignore_ascii_case(extension))
            .map(|&(_, format)| format)
    }

    /// The format a path's extension implies (see [`Format::from_extension`]).
    pub fn from_path(path: &Path) -> Option<Format> {
        Format::from_extension(path.extension()?.to_str()?)
    }

    /// The format the first bytes of an input suggest: JSON lines if the first byte that is not
    /// whitespace (after an optional UTF-8 BOM) is `{`, CSV otherwise.
    pub fn sniff(head: &[u8]) -> Format {
        let head = head.strip_prefix(UTF8_BOM).unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Format::JsonLines,
            _ => Format::Csv,
        }
    }
}

pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The delimiter a path's extension implies, if any: tab for `.tsv`.
pub(crate) fn delimiter_from_path(path: &Path) -> Option<u8> {
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
            r#"unknown input format "xml" (expected one of: csv, jsonl, json-lines, ndjson)"#
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
        assert_eq!(
            Format::from_path(Path::new("eve.json")),
            Some(Format::JsonLines)
        );
        assert_eq!(
            Format::from_path(Path::new("eve.jsonl")),
            Some(Format::JsonLines)
        );
        assert_eq!(
            Format::from_path(Path::new("eve.ndjson")),
            Some(Format::JsonLines)
        );
        assert_eq!(
            Format::from_path(Path::new("conn.log")),
            Some(Format::JsonLines)
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
        assert_eq!(Format::sniff(b"[1,2]\n"), Format::Csv);
        assert_eq!(Format::sniff(b""), Format::Csv);
    }

    #[test]
    fn only_tsv_implies_a_delimiter() {
        assert_eq!(delimiter_from_path(Path::new("x.tsv")), Some(b'\t'));
        assert_eq!(delimiter_from_path(Path::new("x.csv")), None);
    }
}
