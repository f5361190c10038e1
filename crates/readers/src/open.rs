//! Choosing and building the reader for an input.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use crate::RecordReader;
use crate::csv_reader::CsvReader;
use crate::error::OpenError;
use crate::format::{Format, delimiter_from_path};
use crate::input::{CsvOptions, Input, ReaderOptions, Source};
use crate::json_lines::JsonLinesReader;

/// Opens one input and returns the reader for its format.
///
/// The format is `options.format` if set, else the one the file extension implies
/// ([`Format::from_path`]: `.csv`/`.tsv` → CSV, `.json`/`.jsonl`/`.ndjson`/`.log` → JSON lines),
/// else the one the first non-blank bytes suggest ([`Format::sniff`]: `{` → JSON lines, anything
/// else → CSV). A `.tsv` file read with the default delimiter is read with tabs.
///
/// Opening reads the first bytes of the input (to strip a UTF-8 BOM and, when the format has to
/// be sniffed, up to the first non-blank byte), and for CSV with headers the header row, so on
/// standard input it waits for that much input. No byte is lost: what was read is replayed.
///
/// # Errors
///
/// [`OpenError`] if the file cannot be opened or its first bytes cannot be read, or if the CSV
/// header row is invalid (duplicate names, invalid UTF-8, an unclosed quote, too long).
pub fn open(input: &Input, options: &ReaderOptions) -> Result<Box<dyn RecordReader>, OpenError> {
    match input {
        Input::Stdin => open_reader(input.to_string(), None, Box::new(io::stdin()), options),
        Input::Path(path) => {
            let file = File::open(path).map_err(|error| OpenError::Open {
                path: path.clone(),
                error,
            })?;
            open_reader(input.to_string(), Some(path), Box::new(file), options)
        }
    }
}

/// Like [`open`], for bytes from any reader (a decompressor, a socket, a test's buffer).
///
/// `name` is the input's name in positions and messages; when it has an extension, that takes
/// part in choosing the format as a file's would.
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
        Box::new(reader),
        options,
    )
}

fn open_reader(
    name: String,
    path: Option<&Path>,
    reader: Box<dyn Read + Send>,
    options: &ReaderOptions,
) -> Result<Box<dyn RecordReader>, OpenError> {
    let known = options.format.or_else(|| path.and_then(Format::from_path));
    let name: Arc<str> = name.into();
    let (source, sniffed) =
        Source::new(Arc::clone(&name), reader, known.is_none()).map_err(|error| {
            OpenError::Read {
                input: name.to_string(),
                error,
            }
        })?;
    // `Source::new` sniffs exactly when no format is known, so one of the two is set.
    let format = known.or(sniffed).unwrap_or(Format::Csv);
    let Source {
        name,
        bytes,
        base_offset,
    } = source;
    Ok(match format {
        Format::Csv => {
            let CsvOptions {
                delimiter,
                has_headers,
            } = options.csv;
            let delimiter = match path.and_then(delimiter_from_path) {
                Some(implied) if delimiter == CsvOptions::DEFAULT_DELIMITER => implied,
                _ => delimiter,
            };
            Box::new(CsvReader::open(
                bytes,
                name,
                base_offset,
                delimiter,
                has_headers,
                options.max_record_bytes,
            )?)
        }
        Format::JsonLines => Box::new(JsonLinesReader::new(
            bytes,
            name,
            base_offset,
            options.max_record_bytes,
        )),
    })
}
