//! A pass-through reader that follows the csv parser's framing.
//!
//! The csv crate does not say where a row really starts (its positions point before skipped
//! blank lines), whether the input ended inside a quoted cell (it then silently ends the row at
//! the end of the input), or how long the row it is buffering has grown. [`Framing`] sits between
//! the input and the csv reader, runs the same state machine as `csv_core` for the options we use
//! (quote `"`, doubled quotes, no escape character, no comments, `\r`/`\n`/`\r\n` terminators) and
//! records those facts as the bytes go by.

use std::collections::VecDeque;
use std::io::{self, Read};

/// Where a row starts, relative to the start of the bytes the csv reader sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RowStart {
    /// Byte offset of the row's first byte.
    pub(crate) offset: u64,
    /// 1-based line of the row's first byte.
    pub(crate) line: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between rows: terminators are skipped here (blank lines).
    StartRow,
    /// At the start of a cell: a quote here opens a quoted cell.
    StartCell,
    /// In an unquoted cell.
    InCell,
    /// In a quoted cell.
    InQuotes,
    /// Just after a quote inside a quoted cell: a second quote is an escaped quote, anything else
    /// closes the cell.
    QuoteInQuotes,
}

/// The error `Framing::read` returns once the current row is longer than the limit.
#[derive(Debug)]
pub(crate) struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CSV row longer than the limit")
    }
}

impl std::error::Error for RowTooLong {}

pub(crate) struct Framing<R> {
    inner: R,
    delimiter: u8,
    max_row_bytes: u64,
    state: State,
    /// Offset and line of the next byte to scan.
    offset: u64,
    line: u64,
    /// Starts of the rows seen but not yet taken by `take_row_start`.
    starts: VecDeque<RowStart>,
    /// Bytes of the current row scanned so far (0 between rows).
    row_bytes: u64,
    /// The line on which the current quoted cell opened.
    quote_line: u64,
    /// Whether `inner` has reported its end.
    at_eof: bool,
    /// Whether the limit was exceeded (`read` then fails for good).
    too_long: bool,
}

impl<R: Read> Framing<R> {
    pub(crate) fn new(inner: R, delimiter: u8, max_row_bytes: usize) -> Framing<R> {
        Framing {
            inner,
            delimiter,
            max_row_bytes: u64::try_from(max_row_bytes).unwrap_or(u64::MAX),
            state: State::StartRow,
            offset: 0,
            line: 1,
            starts: VecDeque::new(),
            row_bytes: 0,
            quote_line: 0,
            at_eof: false,
            too_long: false,
        }
    }

    /// The start of the next row the csv reader returns, given the csv reader's position for it
    /// (which may point at blank lines before the row). `None` if the framing lost track, which
    /// would be a bug in this mirror of the csv parser.
    pub(crate) fn take_row_start(&mut self, csv_offset: u64) -> Option<RowStart> {
        while let Some(start) = self.starts.pop_front() {
            if start.offset >= csv_offset {
                return Some(start);
            }
        }
        None
    }

    /// The start of the row being read when the limit was exceeded, or of the last row seen.
    pub(crate) fn last_row_start(&self) -> Option<RowStart> {
        self.starts.back().copied()
    }

    /// If the input ended inside a quoted cell: the line on which that quote opened.
    pub(crate) fn unterminated_quote(&self) -> Option<u64> {
        (self.at_eof && self.state == State::InQuotes).then_some(self.quote_line)
    }

    /// Whether `read` failed because a row grew longer than the limit.
    pub(crate) fn is_too_long(&self) -> bool {
        self.too_long
    }

    /// If the current row is inside a quoted cell: the line on which that quote opened.
    pub(crate) fn open_quote(&self) -> Option<u64> {
        matches!(self.state, State::InQuotes | State::QuoteInQuotes).then_some(self.quote_line)
    }

    /// Follows `bytes`. If a row grows past the limit, stops there and returns how many bytes
    /// were followed (those before the one that crossed the limit).
    fn scan(&mut self, bytes: &[u8]) -> Result<(), usize> {
        let is_term = |b: u8| b == b'\r' || b == b'\n';
        for (i, &b) in bytes.iter().enumerate() {
            if self.state == State::StartRow && !is_term(b) {
                self.starts.push_back(RowStart {
                    offset: self.offset,
                    line: self.line,
                });
                self.state = State::StartCell;
                self.row_bytes = 0;
            }
            // The arms are in csv_core's order, so that even a delimiter that is also a quote or
            // a terminator is read the same way.
            self.state = match self.state {
                State::StartRow => State::StartRow,
                State::StartCell if b == b'"' => {
                    self.quote_line = self.line;
                    State::InQuotes
                }
                State::QuoteInQuotes if b == b'"' => State::InQuotes,
                State::StartCell | State::InCell | State::QuoteInQuotes if b == self.delimiter => {
                    State::StartCell
                }
                State::StartCell | State::InCell | State::QuoteInQuotes if is_term(b) => {
                    State::StartRow
                }
                State::StartCell | State::InCell | State::QuoteInQuotes => State::InCell,
                State::InQuotes if b == b'"' => State::QuoteInQuotes,
                State::InQuotes => State::InQuotes,
            };
            if self.state != State::StartRow {
                self.row_bytes += 1;
                if self.row_bytes > self.max_row_bytes {
                    return Err(i);
                }
            }
            self.offset += 1;
            self.line += u64::from(b == b'\n');
        }
        Ok(())
    }
}

impl<R: Read> Read for Framing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.too_long {
            return Err(io::Error::other(RowTooLong));
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.at_eof = true;
        }
        match self.scan(&buf[..n]) {
            Ok(()) => Ok(n),
            // The csv reader is usually rows behind the framing: hand it the bytes before the
            // row that is too long, and fail only when it asks for more of that row.
            Err(followed) => {
                self.too_long = true;
                if followed == 0 {
                    Err(io::Error::other(RowTooLong))
                } else {
                    Ok(followed)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `input` through the csv crate and through `Framing`, returning for each row the
    /// number of cells and the framing's start, and whether the input ended inside quotes.
    fn frame(input: &[u8]) -> (Vec<(usize, RowStart)>, Option<u64>) {
        let framing = Framing::new(input, b',', usize::MAX);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(framing);
        let mut row = csv::ByteRecord::new();
        let mut rows = Vec::new();
        while csv.read_byte_record(&mut row).unwrap() {
            let csv_offset = row.position().unwrap().byte();
            let start = csv.get_mut().take_row_start(csv_offset).unwrap();
            rows.push((row.len(), start));
        }
        (rows, csv.get_ref().unterminated_quote())
    }

    fn start(offset: u64, line: u64) -> RowStart {
        RowStart { offset, line }
    }

    #[test]
    fn rows_start_after_blank_lines() {
        let (rows, open) = frame(b"a,b\n\r\n\n1,2\r\n\r\n3\n");
        assert_eq!(
            rows,
            vec![(2, start(0, 1)), (2, start(7, 4)), (1, start(14, 6))]
        );
        assert_eq!(open, None);
    }

    #[test]
    fn quoted_newlines_do_not_start_rows() {
        let (rows, _) = frame(b"\"a\nb\",\"c\"\"\n\"\nx\n");
        assert_eq!(rows, vec![(2, start(0, 1)), (1, start(13, 4))]);
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_literal() {
        let (rows, open) = frame(b"a\"b,c\nd\n");
        assert_eq!(rows, vec![(2, start(0, 1)), (1, start(6, 2))]);
        assert_eq!(open, None);
    }

    #[test]
    fn an_unclosed_quote_is_reported_with_its_line() {
        let (rows, open) = frame(b"a,b\n1,2\n3,\"x\n4,5\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(open, Some(3));
    }

    #[test]
    fn a_closing_quote_at_the_end_is_not_unclosed() {
        let (_, open) = frame(b"a,\"b\"\"\"");
        assert_eq!(open, None);
    }

    #[test]
    fn a_row_over_the_limit_fails_the_read() {
        let framing = Framing::new(&b"ab,c\nabcdef\n"[..], b',', 5);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(framing);
        let mut row = csv::ByteRecord::new();
        assert!(
            csv.read_byte_record(&mut row).unwrap(),
            "the row before is still read"
        );
        assert_eq!(row.as_slice(), b"abc");
        let err = csv.read_byte_record(&mut row).unwrap_err();
        assert!(matches!(err.kind(), csv::ErrorKind::Io(_)));
        assert_eq!(csv.get_ref().last_row_start(), Some(start(5, 2)));
    }

    /// A small deterministic generator (xorshift), so the property test needs no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// For random inputs made of the bytes that matter to the parser, the framing sees exactly
    /// the rows the csv crate sees, each starting where the csv crate says or, after blank
    /// lines, later by exactly those blank lines.
    #[test]
    fn framing_agrees_with_the_csv_crate_on_random_inputs() {
        let alphabet = b"a,\"\r\n ";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5000 {
            let len = (rng.next() % 24) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            let framing = Framing::new(&input[..], b',', usize::MAX);
            let mut csv = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .buffer_capacity(3)
                .from_reader(framing);
            let mut row = csv::ByteRecord::new();
            while csv.read_byte_record(&mut row).unwrap() {
                let pos = row.position().unwrap().clone();
                let start = csv.get_mut().take_row_start(pos.byte());
                let start = start.unwrap_or_else(|| panic!("lost a row in {input:?}"));
                let skipped = &input[pos.byte() as usize..start.offset as usize];
                assert!(
                    skipped.iter().all(|&b| b == b'\r' || b == b'\n'),
                    "{input:?}"
                );
                let newlines = skipped.iter().filter(|&&b| b == b'\n').count() as u64;
                assert_eq!(start.line, pos.line() + newlines, "{input:?}");
            }
            assert!(csv.get_ref().starts.is_empty(), "extra rows in {input:?}");
        }
    }
}
