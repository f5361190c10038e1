//! Choosing and building the reader for an input.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use crate::RecordReader;
use crate::csv_reader::CsvReader;
use crate::error::OpenError;
use crate::format::{Compression, Format, delimiter_from_path};
use crate::input::{CsvOptions, Input, ReaderOptions, Source};
use crate::json_doc::{JsonDocReader, Layout, RecordsAt, first_object_keys, sniff_layout};
use crate::json_lines::{DeferredLine, JsonLine};
use crate::lines::LinesReader;
use crate::splunk::{SplunkCsvReader, SplunkExportLine, finish_result};
use crate::syslog::{SyslogLine, reference_date};

/// Opens one input and returns the reader for its format.
///
/// A gzip (`1f 8b`, several members allowed) or zstd (`28 b5 2f fd`) input is decompressed
/// first, whatever its name; positions are then in the decompressed bytes. The format is
/// `options.format` if set, else the one the file extension implies ([`Format::from_path`],
/// looking past `.gz`/`.zst`), else the one the first line suggests ([`Format::sniff`]). A
/// `.tsv` file read with the default delimiter is read with tabs. For syslog, the file's
/// modification time is the reference date of the year policy (see `SyslogOptions`).
///
/// Opening reads the first bytes of the input (to strip a UTF-8 BOM and, when the format has to
/// be sniffed or the JSON layout told, up to the end of the first non-blank line, at most 64
/// KiB), and for CSV with headers the header row, so on standard input it waits for that much
/// input. No byte is lost: what was read is replayed.
///
/// # Errors
///
/// [`OpenError`] if the file cannot be opened or its first bytes cannot be read, or if the CSV
/// header row is invalid (duplicate names, invalid UTF-8, an unclosed quote, too long).
pub fn open(input: &Input, options: &ReaderOptions) -> Result<Box<dyn RecordReader>, OpenError> {
    match input {
        Input::Stdin => open_reader(
            input.to_string(),
            None,
            None,
            Box::new(io::stdin()),
            options,
        ),
        Input::Path(path) => {
            let file = File::open(path).map_err(|error| OpenError::Open {
                path: path.clone(),
                error,
            })?;
            let modified = file.metadata().and_then(|m| m.modified()).ok();
            open_reader(
                input.to_string(),
                Some(path),
                modified,
                Box::new(file),
                options,
            )
        }
    }
}

/// Like [`open`], for bytes from any reader (a socket, a test's buffer). Compressed bytes are
/// decompressed as for [`open`].
///
/// `name` is the input's name in positions and messages; when it has an extension, that takes
/// part in choosing the format as a file's would. The syslog reference date is today.
///
/// # Errors
///
/// As for [`open`].
pub fn open_read(
    name: &str,
    reader: impl Read + Send + 'static,
    options: &ReaderOptions,
) -> Result<Box<dyn RecordReader>, OpenError> {
    open_reader(
        name.to_owned(),
        Some(Path::new(name)),
        None,
        Box::new(reader),
        options,
    )
}

/// Reads up to 4 bytes and, if they announce a compression, wraps the input in its decoder.
fn decompress(mut inner: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut magic = Vec::with_capacity(4);
    let mut byte = [0u8; 4];
    while magic.len() < 4 {
        match inner.read(&mut byte[..4 - magic.len()]) {
            Ok(0) => break,
            Ok(n) => magic.extend_from_slice(&byte[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let compression = Compression::from_magic(&magic);
    let whole: Box<dyn Read + Send> = Box::new(io::Cursor::new(magic).chain(inner));
    Ok(match compression {
        None => whole,
        Some(Compression::Gzip) => Box::new(Labelled {
            inner: flate2::read::MultiGzDecoder::new(whole),
            what: "gzip",
        }),
        Some(Compression::Zstd) => Box::new(Labelled {
            inner: zstd::stream::read::Decoder::new(whole)?,
            what: "zstd",
        }),
    })
}

/// A decoder whose errors say that the compressed data is corrupt or truncated.
struct Labelled<R> {
    inner: R,
    what: &'static str,
}

impl<R: Read> Read for Labelled<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("corrupt or truncated {} data: {e}", self.what),
            )
        })
    }
}

fn open_reader(
    name: String,
    path: Option<&Path>,
    modified: Option<SystemTime>,
    reader: Box<dyn Read + Send>,
    options: &ReaderOptions,
) -> Result<Box<dyn RecordReader>, OpenError> {
    let read_error = |error| OpenError::Read {
        input: name.clone(),
        error,
    };
    let reader = decompress(reader).map_err(read_error)?;
    let from_path = path.and_then(Format::from_path);
    let known = options.format.or(from_path);
    // A `.csv` file may be a Splunk CSV export, which the first bytes tell.
    let csv_by_extension = options.format.is_none() && known == Some(Format::Csv);
    let needs_head =
        csv_by_extension || matches!(known, None | Some(Format::Json | Format::SplunkJson));
    let name: Arc<str> = name.as_str().into();
    let (source, _) = Source::new(Arc::clone(&name), reader, needs_head).map_err(read_error)?;
    let sniffed = needs_head.then(|| Format::sniff(source.head()));
    let format = match (known, sniffed) {
        (Some(Format::Csv), Some(Format::SplunkCsv)) if csv_by_extension => Format::SplunkCsv,
        (Some(known), _) => known,
        (None, sniffed) => sniffed.unwrap_or(Format::Csv),
    };
    let layout = sniff_layout(source.head());
    let splunk_document = first_object_keys(source.head())
        .iter()
        .any(|key| key == "results");
    let Source {
        name,
        bytes,
        base_offset,
    } = source;
    let limit = options.max_record_bytes;
    let csv = |bytes, name| {
        let CsvOptions {
            delimiter,
            has_headers,
        } = options.csv;
        let delimiter = match path.and_then(delimiter_from_path) {
            Some(implied) if delimiter == CsvOptions::DEFAULT_DELIMITER => implied,
            _ => delimiter,
        };
        CsvReader::open(bytes, name, base_offset, delimiter, has_headers, limit)
    };
    Ok(match format {
        Format::Csv => Box::new(csv(bytes, name)?),
        Format::SplunkCsv => Box::new(SplunkCsvReader {
            csv: csv(bytes, name)?,
            splunk: options.splunk.clone(),
            syslog: options.syslog.clone(),
        }),
        Format::JsonLines | Format::Json
            if options.defer_json_lines
                && (format == Format::JsonLines || layout == Layout::Lines) =>
        {
            Box::new(LinesReader::new(
                bytes,
                DeferredLine,
                name,
                base_offset,
                limit,
            ))
        }
        Format::JsonLines => Box::new(LinesReader::new(bytes, JsonLine, name, base_offset, limit)),
        Format::Json if layout == Layout::Lines => {
            Box::new(LinesReader::new(bytes, JsonLine, name, base_offset, limit))
        }
        Format::Json => Box::new(JsonDocReader::new(
            bytes,
            name,
            base_offset,
            limit,
            RecordsAt::TopLevel,
            None,
        )),
        Format::Syslog => {
            let decoder = SyslogLine {
                options: options.syslog.clone(),
                reference: reference_date(modified, options.syslog.utc_offset),
            };
            Box::new(LinesReader::new(bytes, decoder, name, base_offset, limit))
        }
        Format::SplunkJson if splunk_document => {
            let splunk = options.splunk.clone();
            let syslog = options.syslog.clone();
            let transform = move |value| match value {
                serde_json::Value::Object(result) => finish_result(result, &splunk, &syslog),
                _ => Err(crate::ReadErrorKind::NotSplunkRow),
            };
            Box::new(JsonDocReader::new(
                bytes,
                name,
                base_offset,
                limit,
                RecordsAt::Member("results"),
                Some(Box::new(transform)),
            ))
        }
        Format::SplunkJson => {
            let decoder = SplunkExportLine {
                splunk: options.splunk.clone(),
                syslog: options.syslog.clone(),
                last_row: None,
            };
            Box::new(LinesReader::new(bytes, decoder, name, base_offset, limit))
        }
    })
}
