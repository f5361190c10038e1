//! Inputs, the options for reading them, and the first bytes read at open time.

use std::ffi::OsStr;
use std::fmt;
use std::io::{self, Chain, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

use crate::format::{Format, UTF8_BOM};

/// One input: standard input or a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// Standard input (`-` on the command line).
    Stdin,
    /// A file, by the path the user gave.
    Path(PathBuf),
}

impl Input {
    /// The input a command-line argument names: `-` is standard input, anything else a path.
    pub fn from_arg(arg: &OsStr) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

impl fmt::Display for Input {
    /// `-` for standard input, else the path as given (lossily, if it is not UTF-8).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("-"),
            Input::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

/// How to read inputs. `ReaderOptions::default()` detects the format and reads CSV with a
/// header row and commas (tabs for `.tsv` files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderOptions {
    /// The format of every input; `None` to detect it per input (see [`crate::open`]).
    pub format: Option<Format>,
    /// Options for CSV inputs.
    pub csv: CsvOptions,
    /// The longest record accepted, in bytes (a JSON line without its line ending; a CSV row as
    /// it appears in the input). Longer records are [`crate::ReadErrorKind::RecordTooLong`] errors
    /// and are never held in memory whole. Default 16 MiB.
    pub max_record_bytes: usize,
}

impl ReaderOptions {
    /// The default for [`ReaderOptions::max_record_bytes`]: 16 MiB.
    pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
}

impl Default for ReaderOptions {
    fn default() -> ReaderOptions {
        ReaderOptions {
            format: None,
            csv: CsvOptions::default(),
            max_record_bytes: ReaderOptions::DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Options for CSV inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// The cell delimiter. Default `b','`; a `.tsv` file read with the default is read with tabs.
    pub delimiter: u8,
    /// Whether the first row names the columns. Default `true`. With a header, a record's fields
    /// are an object of header → cell; without one, an array of cells.
    pub has_headers: bool,
}

impl CsvOptions {
    /// The default delimiter, `b','`.
    pub const DEFAULT_DELIMITER: u8 = b',';
}

impl Default for CsvOptions {
    fn default() -> CsvOptions {
        CsvOptions {
            delimiter: CsvOptions::DEFAULT_DELIMITER,
            has_headers: true,
        }
    }
}

/// How many bytes are read at most when looking for the first non-blank byte.
const SNIFF_MAX_BYTES: usize = 64 * 1024;

/// The bytes of an input, positioned after its UTF-8 BOM if it has one.
///
/// Opening reads the first bytes (to strip a BOM and, if asked, to sniff the format) into a
/// buffer that is then chained in front of the rest, so no byte is lost, even on a pipe that
/// delivers a few bytes at a time.
pub(crate) struct Source {
    /// The input's name as it appears in positions.
    pub(crate) name: Arc<str>,
    /// The bytes after the BOM.
    pub(crate) bytes: Chain<Cursor<Vec<u8>>, Box<dyn Read + Send>>,
    /// The offset of `bytes`' first byte in the input: 3 after a BOM, else 0.
    pub(crate) base_offset: u64,
}

impl Source {
    /// Reads the first bytes of `inner`. With `sniff`, reads until the first non-blank byte (at
    /// most 64 KiB) and returns the format it suggests.
    pub(crate) fn new(
        name: Arc<str>,
        mut inner: Box<dyn Read + Send>,
        sniff: bool,
    ) -> io::Result<(Source, Option<Format>)> {
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let enough_for_bom = head.len() >= UTF8_BOM.len();
            let body = head.strip_prefix(UTF8_BOM).unwrap_or(&head);
            let found_content = body.iter().any(|b| !b.is_ascii_whitespace());
            if enough_for_bom && (!sniff || found_content) || head.len() >= SNIFF_MAX_BYTES {
                break;
            }
            match inner.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => head.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let format = sniff.then(|| Format::sniff(&head));
        let base_offset = if head.starts_with(UTF8_BOM) {
            head.drain(..UTF8_BOM.len());
            UTF8_BOM.len() as u64
        } else {
            0
        };
        let bytes = Cursor::new(head).chain(inner);
        Ok((
            Source {
                name,
                bytes,
                base_offset,
            },
            format,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns one byte per `read`, like a slow pipe.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.get(self.1), buf.first_mut()) {
                (Some(&b), Some(slot)) => {
                    *slot = b;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn read_all(source: Source) -> Vec<u8> {
        let mut out = Vec::new();
        let mut bytes = source.bytes;
        bytes.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn input_displays_as_given() {
        assert_eq!(Input::Stdin.to_string(), "-");
        assert_eq!(
            Input::Path("logs/a b.csv".into()).to_string(),
            "logs/a b.csv"
        );
        assert_eq!(Input::from_arg(OsStr::new("-")), Input::Stdin);
        assert_eq!(
            Input::from_arg(OsStr::new("x.csv")),
            Input::Path("x.csv".into())
        );
    }

    #[test]
    fn sniffing_a_trickling_pipe_loses_no_bytes() {
        let data = b"\xEF\xBB\xBF\n\n  {\"a\":1}\n".to_vec();
        let inner = Box::new(Trickle(data, 0));
        let (source, format) = Source::new("-".into(), inner, true).unwrap();
        assert_eq!(format, Some(Format::JsonLines));
        assert_eq!(source.base_offset, 3);
        assert_eq!(read_all(source), b"\n\n  {\"a\":1}\n");
    }

    #[test]
    fn a_bom_is_stripped_even_when_it_arrives_byte_by_byte() {
        let inner = Box::new(Trickle(b"\xEF\xBB\xBFa,b\n".to_vec(), 0));
        let (source, format) = Source::new("-".into(), inner, false).unwrap();
        assert_eq!(format, None);
        assert_eq!(source.base_offset, 3);
        assert_eq!(read_all(source), b"a,b\n");
    }

    #[test]
    fn input_shorter_than_a_bom_is_kept() {
        let (source, format) = Source::new("-".into(), Box::new(&b"\xEF\xBB"[..]), true).unwrap();
        assert_eq!(format, Some(Format::Csv));
        assert_eq!(source.base_offset, 0);
        assert_eq!(read_all(source), b"\xEF\xBB");
    }
}
