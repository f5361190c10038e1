//! Integration tests for the readers, by topic. Positions are asserted exactly as
//! `(record, line, offset)`.

mod body;
mod csv;
mod detect;
mod inputs;
mod json_doc;
mod json_lines;
mod splunk;
mod syslog;

use std::io::{self, Cursor, Read};
use std::path::PathBuf;

use ocsf_map_readers::{
    Format, Input, OpenError, ReadError, ReaderOptions, Record, RecordReader, open, open_read,
};

/// A file under `tests/data`.
fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Reads everything, checking that the reader keeps returning `None` at the end.
fn read_all(mut reader: Box<dyn RecordReader>) -> Vec<Result<Record, ReadError>> {
    let items: Vec<_> = std::iter::from_fn(|| reader.next_record()).collect();
    assert!(
        reader.next_record().is_none(),
        "a reader must stay at its end"
    );
    items
}

/// Opens in-memory bytes named `name` (whose extension takes part in detection).
fn open_bytes(name: &str, input: &[u8], options: &ReaderOptions) -> Box<dyn RecordReader> {
    open_read(name, Cursor::new(input.to_vec()), options).expect("open")
}

fn open_bytes_err(name: &str, input: &[u8], options: &ReaderOptions) -> OpenError {
    match open_read(name, Cursor::new(input.to_vec()), options) {
        Ok(_) => panic!("expected an open error"),
        Err(err) => err,
    }
}

/// Reads in-memory JSON lines.
fn jsonl(input: &[u8]) -> Vec<Result<Record, ReadError>> {
    let options = ReaderOptions {
        format: Some(Format::JsonLines),
        ..ReaderOptions::default()
    };
    read_all(open_bytes("in.jsonl", input, &options))
}

/// Reads in-memory CSV with the default options.
fn csv(input: &[u8]) -> Vec<Result<Record, ReadError>> {
    read_all(open_bytes("in.csv", input, &ReaderOptions::default()))
}

/// `(record, line, offset)` of a record or an error.
fn at(item: &Result<Record, ReadError>) -> (u64, u64, u64) {
    let pos = match item {
        Ok(record) => &record.pos,
        Err(err) => &err.pos,
    };
    (pos.record, pos.line, pos.offset)
}

fn ok(item: &Result<Record, ReadError>) -> &Record {
    match item {
        Ok(record) => record,
        Err(err) => panic!("expected a record, got {}: {err}", err.pos),
    }
}

fn err(item: &Result<Record, ReadError>) -> &ReadError {
    match item {
        Ok(record) => panic!("expected an error, got a record at {}", record.pos),
        Err(err) => err,
    }
}

/// Yields `data`, then fails.
struct FailingAfter(Cursor<Vec<u8>>);

impl Read for FailingAfter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(io::Error::other("disk on fire")),
            n => Ok(n),
        }
    }
}

#[test]
fn readers_are_send_and_boxed_readers_are_readers() {
    fn assert_reader<R: RecordReader>() {}
    assert_reader::<Box<dyn RecordReader>>();
}

#[test]
fn a_missing_file_is_an_open_error_naming_it() {
    let input = Input::Path(PathBuf::from("no/such/file.csv"));
    let Err(err) = open(&input, &ReaderOptions::default()) else {
        panic!("opened")
    };
    assert!(matches!(err, OpenError::Open { .. }));
    assert!(
        err.to_string()
            .starts_with("cannot open no/such/file.csv: "),
        "{err}"
    );
}

#[test]
fn a_directory_is_an_open_error() {
    let input = Input::Path(data(""));
    let Err(err) = open(&input, &ReaderOptions::default()) else {
        panic!("opened")
    };
    assert!(matches!(err, OpenError::Read { .. }), "{err:?}");
}

/// Returns one byte per `read`, like the slowest pipe.
struct Trickle(Cursor<Vec<u8>>);

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let len = buf.len().min(1);
        self.0.read(&mut buf[..len])
    }
}

/// What a reader yielded, in a comparable form.
fn summary(items: &[Result<Record, ReadError>]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item {
            Ok(record) => format!("{:?} {}", at(item), record.fields),
            Err(err) => format!("{:?} {err} {:?}", at(item), err.raw),
        })
        .collect()
}

/// Every input gives the same records and errors whether it arrives at once or byte by byte,
/// so framing never depends on where reads split the input.
#[test]
fn inputs_read_the_same_when_they_arrive_byte_by_byte() {
    let long_line = format!("{{\"a\":\"{}\"}}\n{{\"b\":1}}\n", "x".repeat(300));
    let long_row = format!("a,b\n1,{}\n2,3\n", "y".repeat(300));
    let cases: &[(&str, &[u8])] = &[
        (
            "in.jsonl",
            b"\xEF\xBB\xBF\r\n{\"a\":1}\r\nnope\n\n  \n[1,2]\n{\"a\":\"\xE9\"}\n{\"z\":0}",
        ),
        ("in.jsonl", long_line.as_bytes()),
        (
            "in.csv",
            b"\xEF\xBB\xBF\"a\",b\r\n\r\n1,\"x\ny\"\n2\n\"q\"\"r\",\xE9\n3,4",
        ),
        ("in.csv", b"a,b\n1,2\n3,\"open\n4,5\n"),
        ("in.csv", long_row.as_bytes()),
        ("-", b"\n\n{\"a\":1}\n"),
        ("-", b"a,b\n1,2\n"),
    ];
    let options = ReaderOptions {
        max_record_bytes: 200,
        ..ReaderOptions::default()
    };
    for &(name, input) in cases {
        let whole = read_all(open_bytes(name, input, &options));
        let trickled = open_read(name, Trickle(Cursor::new(input.to_vec())), &options).unwrap();
        let trickled = read_all(trickled);
        assert_eq!(
            summary(&whole),
            summary(&trickled),
            "{}",
            String::from_utf8_lossy(input)
        );
        assert!(!whole.is_empty());
    }
}

/// Random inputs over the bytes that matter to the parsers never make a reader panic, and every
/// reader ends. (A cheap stand-in for a fuzz target; xorshift keeps it dependency-free.)
#[test]
fn no_input_makes_a_reader_panic() {
    let alphabet = b"a1{}[]\":,\t \r\n\xEF\xBB\xBF\xE9\xFF";
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let names = ["in.csv", "in.tsv", "in.jsonl", "-"];
    for i in 0..3000 {
        let len = (next() % 40) as usize;
        let input: Vec<u8> = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let options = ReaderOptions {
            max_record_bytes: 8,
            ..ReaderOptions::default()
        };
        let name = names[i % names.len()];
        if let Ok(reader) = open_read(name, Cursor::new(input.clone()), &options) {
            let items = read_all(reader);
            assert!(items.len() <= input.len());
        }
    }
}
