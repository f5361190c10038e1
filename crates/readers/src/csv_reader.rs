//! CSV (and TSV, or any single-byte delimiter): one record per row.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use csv::ByteRecord;
use serde_json::{Map, Value};

use crate::csv_framing::{Framing, RowStart};
use crate::error::{OpenError, RAW_MAX_BYTES, ReadError, ReadErrorKind, raw_text};
use crate::{Record, RecordReader, SourcePos};

/// Bytes buffered by the csv reader.
const BUFFER_BYTES: usize = 64 * 1024;

/// Reads CSV rows with the csv crate into one reused [`ByteRecord`].
///
/// With a header row, a record's fields are an object of header → cell (strings, in header
/// order); without one, an array of cells. Rows are read with `flexible(true)`, and a row whose
/// cell count differs from the header's is a [`ReadErrorKind::WrongCellCount`] error. Quoted cells
/// may hold delimiters, doubled quotes and line breaks.
pub(crate) struct CsvReader<R: Read> {
    csv: csv::Reader<Framing<R>>,
    source: Arc<str>,
    /// The offset of the csv reader's first byte in the input (3 after a BOM).
    base_offset: u64,
    delimiter: u8,
    max_record_bytes: usize,
    /// The header row; `None` when the input has none.
    headers: Option<Vec<String>>,
    /// The current row; reused for every row.
    row: ByteRecord,
    /// Data rows read so far.
    records_read: u64,
    /// Set when nothing more can be read.
    done: bool,
}

/// The outcome of reading one row.
enum Row {
    /// The input is exhausted.
    End,
    /// A row, now in `self.row`, starting there.
    Read(RowStart),
    /// A row that could not be read; the reader is done.
    Failed(RowStart, ReadErrorKind),
}

impl<R: Read> CsvReader<R> {
    /// A reader of `input` (whose first byte is at `base_offset` in the input, past a BOM). Reads
    /// the header row now, if there is one.
    pub(crate) fn open(
        input: R,
        source: Arc<str>,
        base_offset: u64,
        delimiter: u8,
        has_headers: bool,
        max_record_bytes: usize,
    ) -> Result<CsvReader<R>, OpenError> {
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(BUFFER_BYTES)
            .from_reader(Framing::new(input, delimiter, max_record_bytes));
        let mut reader = CsvReader {
            csv,
            source,
            base_offset,
            delimiter,
            max_record_bytes,
            headers: None,
            row: ByteRecord::new(),
            records_read: 0,
            done: false,
        };
        if has_headers {
            reader.headers = Some(reader.read_headers()?);
        }
        Ok(reader)
    }

    fn read_headers(&mut self) -> Result<Vec<String>, OpenError> {
        let start = match self.read_row() {
            Row::End => return Ok(Vec::new()),
            Row::Read(start) => start,
            Row::Failed(_, ReadErrorKind::Io(error)) => {
                return Err(OpenError::Read {
                    input: self.source.to_string(),
                    error,
                });
            }
            Row::Failed(start, reason) => {
                let input = self.source.to_string();
                return Err(OpenError::InvalidHeader {
                    input,
                    line: start.line,
                    reason,
                });
            }
        };
        let mut headers = Vec::with_capacity(self.row.len());
        let mut seen: HashMap<&[u8], usize> = HashMap::with_capacity(self.row.len());
        for (i, cell) in self.row.iter().enumerate() {
            if let Some(first) = seen.insert(cell, i + 1) {
                return Err(OpenError::DuplicateHeader {
                    input: self.source.to_string(),
                    name: String::from_utf8_lossy(cell).into_owned(),
                    first,
                    second: i + 1,
                });
            }
            match std::str::from_utf8(cell) {
                Ok(name) => headers.push(name.to_owned()),
                Err(_) => {
                    return Err(OpenError::InvalidHeader {
                        input: self.source.to_string(),
                        line: start.line,
                        reason: ReadErrorKind::InvalidUtf8Cell {
                            column: i + 1,
                            header: None,
                        },
                    });
                }
            }
        }
        Ok(headers)
    }

    fn read_row(&mut self) -> Row {
        match self.csv.read_byte_record(&mut self.row) {
            Ok(false) => Row::End,
            Ok(true) => {
                let (csv_offset, csv_line) = match self.row.position() {
                    Some(pos) => (pos.byte(), pos.line()),
                    None => (self.csv.position().byte(), self.csv.position().line()),
                };
                let framing = self.csv.get_mut();
                let start = framing.take_row_start(csv_offset).unwrap_or(RowStart {
                    offset: csv_offset,
                    line: csv_line,
                });
                match framing.unterminated_quote() {
                    Some(quote_line) => {
                        Row::Failed(start, ReadErrorKind::UnterminatedQuote { quote_line })
                    }
                    None => Row::Read(start),
                }
            }
            Err(error) => {
                let framing = self.csv.get_ref();
                let here = self.csv.position();
                let here = RowStart {
                    offset: here.byte(),
                    line: here.line(),
                };
                if framing.is_too_long() {
                    let start = framing.last_row_start().unwrap_or(here);
                    let kind = ReadErrorKind::RecordTooLong {
                        limit: self.max_record_bytes,
                        open_quote_line: framing.open_quote(),
                    };
                    return Row::Failed(start, kind);
                }
                let error = match error.into_kind() {
                    csv::ErrorKind::Io(error) => error,
                    other => std::io::Error::other(format!("{other:?}")),
                };
                Row::Failed(here, ReadErrorKind::Io(error))
            }
        }
    }

    fn pos(&self, start: RowStart, record: u64) -> SourcePos {
        SourcePos {
            source: Arc::clone(&self.source),
            record,
            line: start.line,
            offset: self.base_offset + start.offset,
        }
    }

    /// The current row's fields, or why they cannot be had.
    fn fields(&self) -> Result<Value, ReadErrorKind> {
        let Some(headers) = &self.headers else {
            let mut cells = Vec::with_capacity(self.row.len());
            for (i, cell) in self.row.iter().enumerate() {
                cells.push(Value::String(cell_text(cell, i, None)?.to_owned()));
            }
            return Ok(Value::Array(cells));
        };
        if self.row.len() != headers.len() {
            return Err(ReadErrorKind::WrongCellCount {
                expected: headers.len(),
                found: self.row.len(),
            });
        }
        let mut fields = Map::with_capacity(headers.len());
        for (i, (header, cell)) in headers.iter().zip(self.row.iter()).enumerate() {
            let cell = cell_text(cell, i, Some(header))?;
            fields.insert(header.clone(), Value::String(cell.to_owned()));
        }
        Ok(Value::Object(fields))
    }

    /// The current row written back as CSV, for [`ReadError::raw`].
    #[cold]
    fn raw_row(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .from_writer(Vec::new());
        let mut written = 0;
        for cell in self.row.iter() {
            if written > RAW_MAX_BYTES || writer.write_field(cell).is_err() {
                break;
            }
            written += cell.len() + 1;
        }
        let _ = writer.write_record(None::<&[u8]>);
        let mut bytes = writer.into_inner().unwrap_or_default();
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        raw_text(&bytes)
    }
}

/// A cell as text, or the error naming its column (0-based `index`).
fn cell_text<'a>(
    cell: &'a [u8],
    index: usize,
    header: Option<&str>,
) -> Result<&'a str, ReadErrorKind> {
    std::str::from_utf8(cell).map_err(|_| ReadErrorKind::InvalidUtf8Cell {
        column: index + 1,
        header: header.map(str::to_owned),
    })
}

impl<R: Read + Send> RecordReader for CsvReader<R> {
    fn next_record(&mut self) -> Option<Result<Record, ReadError>> {
        if self.done {
            return None;
        }
        let start = match self.read_row() {
            Row::End => {
                self.done = true;
                return None;
            }
            Row::Read(start) => start,
            Row::Failed(start, kind) => {
                self.done = true;
                let raw = match kind {
                    ReadErrorKind::UnterminatedQuote { .. } => Some(self.raw_row()),
                    _ => None,
                };
                let record = match kind {
                    ReadErrorKind::Io(_) => self.records_read + 1,
                    _ => {
                        self.records_read += 1;
                        self.records_read
                    }
                };
                return Some(Err(ReadError {
                    pos: self.pos(start, record),
                    kind,
                    raw,
                }));
            }
        };
        self.records_read += 1;
        let pos = self.pos(start, self.records_read);
        Some(match self.fields() {
            Ok(fields) => Ok(Record::new(fields, pos)),
            Err(kind) => Err(ReadError {
                pos,
                kind,
                raw: Some(self.raw_row()),
            }),
        })
    }
}
