//! Inputs, the options for reading them, and the first bytes read at open time.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Chain, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::OpenError;
use crate::format::{Format, UTF8_BOM};
use crate::splunk::SplunkOptions;
use crate::syslog::SyslogOptions;

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
    /// and are never held in memory whole. Default 16 MiB. (The CLI's `--max-record-bytes`.)
    pub max_record_bytes: usize,
    /// Options for syslog text, and for syslog lines inside Splunk `_raw`.
    pub syslog: SyslogOptions,
    /// Options for Splunk exports.
    pub splunk: SplunkOptions,
    /// JSON lines: hand each line over unparsed (its fields are the line as a JSON string) for
    /// [`parse_deferred`](crate::parse_deferred) to parse, so that a parallel run parses on its
    /// mapper threads. Other formats ignore it. Default false.
    pub defer_json_lines: bool,
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
            defer_json_lines: false,
            syslog: SyslogOptions::default(),
            splunk: SplunkOptions::default(),
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
    /// The bytes read at open time (after the BOM).
    pub(crate) fn head(&self) -> &[u8] {
        self.bytes.get_ref().0.get_ref()
    }
}

impl Source {
    /// Reads the first bytes of `inner`. With `sniff`, reads until the end of the first
    /// non-blank line (at most 64 KiB) and returns the format it suggests.
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
            let content = body.iter().position(|b| !b.is_ascii_whitespace());
            let found_line = content.is_some_and(|start| body[start..].contains(&b'\n'));
            if enough_for_bom && (!sniff || found_line) || head.len() >= SNIFF_MAX_BYTES {
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

/// Expands command-line arguments into inputs, in order: `-` is standard input; a directory
/// gives every regular file below it whose name does not start with `.` (recursively, sorted by
/// path); an argument with `*`, `?` or `[` that is not an existing path is a glob (`**` crosses
/// directories; matches sorted, directories among them expanded as above); anything else is a
/// path (a missing file is reported when it is opened). An input named twice is kept once, at
/// its first place.
///
/// # Errors
///
/// [`OpenError::Expand`] for an invalid glob, a glob that matches nothing, or a directory that
/// cannot be listed.
pub fn expand_inputs(args: &[OsString]) -> Result<Vec<Input>, OpenError> {
    let mut out: Vec<Input> = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |input: Input, out: &mut Vec<Input>| {
        if seen.insert(input.clone()) {
            out.push(input);
        }
    };
    for arg in args {
        let fail = |reason: String| OpenError::Expand {
            arg: arg.to_string_lossy().into_owned(),
            reason,
        };
        if arg == "-" {
            push(Input::Stdin, &mut out);
            continue;
        }
        let path = Path::new(arg);
        let text = arg.to_string_lossy();
        let is_glob = text.contains(['*', '?', '[']) && !path.exists();
        let mut paths = Vec::new();
        if is_glob {
            let matches = glob::glob(&text).map_err(|e| fail(format!("invalid glob: {e}")))?;
            for entry in matches {
                let entry = entry.map_err(|e| fail(e.to_string()))?;
                paths.push(entry);
            }
            if paths.is_empty() {
                return Err(fail("the glob matches no file".into()));
            }
            paths.sort();
        } else {
            paths.push(path.to_owned());
        }
        for path in paths {
            if path.is_dir() {
                let mut files = Vec::new();
                walk(&path, &mut files)
                    .map_err(|e| fail(format!("cannot list {}: {e}", path.display())))?;
                files.sort();
                for file in files {
                    push(Input::Path(file), &mut out);
                }
            } else {
                push(Input::Path(path), &mut out);
            }
        }
    }
    Ok(out)
}

/// The regular files under `dir` whose names do not start with `.`, unsorted.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() || (kind.is_symlink() && path.is_dir()) {
            walk(&path, files)?;
        } else if path.is_file() {
            files.push(path);
        }
    }
    Ok(())
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
