//! CSV: headers, quoting, positions, and rows that fail.

use serde_json::json;

use ocsf_map_readers::{CsvOptions, Input, ReadErrorKind, ReaderOptions, open};

use super::*;

fn options_with(csv: CsvOptions) -> ReaderOptions {
    ReaderOptions {
        csv,
        ..ReaderOptions::default()
    }
}

#[test]
fn splunk_csv_export_has_quoted_headers_and_a_multiline_cell() {
    let path = data("resultsMV.csv");
    let options = ReaderOptions {
        format: Some(Format::Csv),
        ..ReaderOptions::default()
    };
    let items = read_all(open(&Input::Path(path.clone()), &options).unwrap());
    let bytes = std::fs::read(&path).unwrap();
    let header_len = bytes.iter().position(|&b| b == b'\n').unwrap() as u64 + 1;
    assert_eq!(items.len(), 1);
    assert_eq!(at(&items[0]), (1, 2, header_len));
    let fields = ok(&items[0]).fields.as_object().unwrap();
    let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "_bkt",
            "_cd",
            "_indextime",
            "_raw",
            "_serial",
            "_si",
            "_sourcetype",
            "_subsecond",
            "_time",
            "host",
            "index",
            "linecount",
            "source",
            "sourcetype",
            "splunk_server"
        ]
    );
    assert_eq!(fields["_si"], "dfoster-mbp17.local\n_internal");
    assert_eq!(fields["_indextime"], "1354063445");
    assert_eq!(fields["host"], "dfoster-mbp17.local");
    assert!(
        fields["_raw"]
            .as_str()
            .unwrap()
            .contains("group=udpin_connections, *:9999")
    );
}

#[test]
fn cells_may_quote_delimiters_and_doubled_quotes() {
    let items = csv(b"a,b\n\"x, y\",\"say \"\"hi\"\"\"\n");
    assert_eq!(
        *ok(&items[0]).fields,
        json!({"a": "x, y", "b": "say \"hi\""})
    );
}

#[test]
fn rows_after_a_multiline_cell_keep_their_physical_line() {
    let items = csv(b"id,msg\n1,\"one\ntwo\nthree\"\n2,x\n");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 2, 7), (2, 5, 25)]
    );
    assert_eq!(ok(&items[0]).fields["msg"], "one\ntwo\nthree");
}

#[test]
fn empty_cells_are_empty_strings() {
    let items = csv(b"a,b,c\n,,\n\"\",x,\n");
    assert_eq!(*ok(&items[0]).fields, json!({"a": "", "b": "", "c": ""}));
    assert_eq!(*ok(&items[1]).fields, json!({"a": "", "b": "x", "c": ""}));
}

#[test]
fn a_bom_is_stripped_from_the_first_header() {
    let items = csv(b"\xEF\xBB\xBF\"id\",name\n1,a\n");
    assert_eq!(*ok(&items[0]).fields, json!({"id": "1", "name": "a"}));
    assert_eq!(at(&items[0]), (1, 2, 13));
}

#[test]
fn blank_lines_are_skipped_and_rows_keep_their_own_line() {
    let items = csv(b"a,b\n\n1,2\r\n\r\n\r\n3,4\n\n");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 3, 5), (2, 6, 14)]
    );
}

#[test]
fn crlf_rows_have_exact_offsets() {
    let items = csv(b"a,b\r\n1,2\r\n3,4");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 2, 5), (2, 3, 10)]
    );
    assert_eq!(*ok(&items[1]).fields, json!({"a": "3", "b": "4"}));
}

#[test]
fn a_tsv_file_is_read_with_tabs() {
    let items = read_all(open_bytes(
        "in.tsv",
        b"a\tb\n1,5\t2\n",
        &ReaderOptions::default(),
    ));
    assert_eq!(*ok(&items[0]).fields, json!({"a": "1,5", "b": "2"}));
}

#[test]
fn the_delimiter_option_is_used() {
    let options = options_with(CsvOptions {
        delimiter: b';',
        ..CsvOptions::default()
    });
    let items = read_all(open_bytes("in.csv", b"a;b\n\"1;5\";2\n", &options));
    assert_eq!(*ok(&items[0]).fields, json!({"a": "1;5", "b": "2"}));
}

#[test]
fn a_chosen_delimiter_overrides_the_tsv_extension() {
    let options = options_with(CsvOptions {
        delimiter: b'|',
        ..CsvOptions::default()
    });
    let items = read_all(open_bytes("in.tsv", b"a|b\n1\t|2\n", &options));
    assert_eq!(*ok(&items[0]).fields, json!({"a": "1\t", "b": "2"}));
}

#[test]
fn a_row_with_the_wrong_number_of_cells_is_an_error_and_reading_goes_on() {
    let items = csv(b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
    assert_eq!(items.len(), 4);
    let short = err(&items[1]);
    assert_eq!(at(&items[1]), (2, 3, 12));
    assert_eq!(
        short.to_string(),
        "wrong number of cells: the header has 3, this row has 2"
    );
    assert!(matches!(
        short.kind,
        ReadErrorKind::WrongCellCount {
            expected: 3,
            found: 2
        }
    ));
    assert_eq!(short.raw.as_deref(), Some("4,5"));
    assert!(matches!(
        err(&items[2]).kind,
        ReadErrorKind::WrongCellCount { found: 4, .. }
    ));
    assert_eq!(at(&items[3]), (4, 5, 24));
    assert_eq!(
        *ok(&items[3]).fields,
        json!({"a": "10", "b": "11", "c": "12"})
    );
}

#[test]
fn invalid_utf8_in_a_cell_is_an_error_naming_the_column() {
    let items = csv(b"name,city\nx,\"Mont\xE9al\"\ny,Paris\n");
    let bad = err(&items[0]);
    assert_eq!(at(&items[0]), (1, 2, 10));
    assert_eq!(bad.to_string(), "invalid UTF-8 in CSV column 2 (\"city\")");
    assert_eq!(bad.raw.as_deref(), Some("x,Mont\u{FFFD}al"));
    assert_eq!(*ok(&items[1]).fields, json!({"name": "y", "city": "Paris"}));
}

#[test]
fn an_unbalanced_quote_is_one_error_at_the_row_where_it_opens() {
    let items = csv(b"a,b\n1,2\n3,\"oops\n4,5\n6,7\n");
    assert_eq!(
        items.len(),
        2,
        "no row may be merged into the broken one silently"
    );
    assert_eq!(*ok(&items[0]).fields, json!({"a": "1", "b": "2"}));
    let bad = err(&items[1]);
    assert_eq!(at(&items[1]), (2, 3, 8));
    assert!(matches!(
        bad.kind,
        ReadErrorKind::UnterminatedQuote { quote_line: 3 }
    ));
    assert_eq!(
        bad.to_string(),
        "unterminated quoted cell: the quote opened on line 3 is never closed, so the rest of \
         the input was read as part of this row"
    );
    assert_eq!(bad.raw.as_deref(), Some("3,\"oops\n4,5\n6,7\n\""));
}

#[test]
fn an_unbalanced_quote_reports_the_line_of_the_quote_within_a_multiline_row() {
    let items = csv(b"a,b,c\n\"x\ny\",\"z\nw\n");
    assert_eq!(at(&items[0]), (1, 2, 6));
    assert!(matches!(
        err(&items[0]).kind,
        ReadErrorKind::UnterminatedQuote { quote_line: 3 }
    ));
}

#[test]
fn a_row_over_the_limit_is_an_error_that_ends_the_reader() {
    let mut input = b"a,b\n1,2\n3,".to_vec();
    input.extend(std::iter::repeat_n(b'x', 300_000));
    input.extend_from_slice(b"\n4,5\n");
    let options = ReaderOptions {
        max_record_bytes: 100_000,
        ..ReaderOptions::default()
    };
    let items = read_all(open_bytes("in.csv", &input, &options));
    assert_eq!(items.len(), 2);
    assert_eq!(at(&items[1]), (2, 3, 8));
    assert_eq!(
        err(&items[1]).to_string(),
        "record is longer than the limit of 100000 bytes"
    );
}

#[test]
fn an_unbalanced_quote_in_a_huge_input_stops_at_the_limit_with_a_hint() {
    let mut input = b"a,b\n1,\"open\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 300_000));
    let options = ReaderOptions {
        max_record_bytes: 100_000,
        ..ReaderOptions::default()
    };
    let items = read_all(open_bytes("in.csv", &input, &options));
    assert_eq!(items.len(), 1);
    assert_eq!(at(&items[0]), (1, 2, 4));
    assert_eq!(
        err(&items[0]).to_string(),
        "record is longer than the limit of 100000 bytes; a quote opened on line 2 is still \
         open (unbalanced quote?)"
    );
}

#[test]
fn duplicate_headers_are_an_open_error_naming_both_columns() {
    let err = open_bytes_err(
        "in.csv",
        b"host,ip,host\n1,2,3\n",
        &ReaderOptions::default(),
    );
    assert!(matches!(
        err,
        OpenError::DuplicateHeader {
            first: 1,
            second: 3,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "in.csv: the CSV header has \"host\" in both column 1 and column 3; rename one of them"
    );
}

#[test]
fn invalid_utf8_in_the_header_is_an_open_error() {
    let err = open_bytes_err(
        "in.csv",
        b"\n\nok,caf\xE9\n1,2\n",
        &ReaderOptions::default(),
    );
    assert_eq!(
        err.to_string(),
        "in.csv:3: invalid CSV header: invalid UTF-8 in CSV column 2"
    );
}

#[test]
fn an_unbalanced_quote_in_the_header_is_an_open_error() {
    let err = open_bytes_err("in.csv", b"a,\"b\n1,2\n", &ReaderOptions::default());
    assert!(matches!(
        err,
        OpenError::InvalidHeader {
            line: 1,
            reason: ReadErrorKind::UnterminatedQuote { .. },
            ..
        }
    ));
}

#[test]
fn without_headers_a_row_is_an_array_of_cells() {
    let options = options_with(CsvOptions {
        has_headers: false,
        ..CsvOptions::default()
    });
    let items = read_all(open_bytes("in.csv", b"a,b\n1,2,3\n", &options));
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 1, 0), (2, 2, 4)]
    );
    assert_eq!(*ok(&items[0]).fields, json!(["a", "b"]));
    assert_eq!(*ok(&items[1]).fields, json!(["1", "2", "3"]));
}

#[test]
fn a_header_without_rows_yields_no_records() {
    assert!(csv(b"a,b\n").is_empty());
    assert!(csv(b"").is_empty());
}

#[test]
fn an_io_error_is_reported_once_and_ends_the_reader() {
    let bytes = Cursor::new(b"a,b\n1,2\n3,".to_vec());
    let reader = open_read("in.csv", FailingAfter(bytes), &ReaderOptions::default()).unwrap();
    let items = read_all(reader);
    assert_eq!(items.len(), 2);
    assert_eq!(
        err(&items[1]).to_string(),
        "cannot read the input: disk on fire"
    );
}

#[test]
fn rows_read_together_with_a_too_long_row_are_still_yielded() {
    let input = format!("a,b\n1,2\n3,4\n5,{}\n6,7\n", "z".repeat(100));
    let options = ReaderOptions {
        max_record_bytes: 50,
        ..ReaderOptions::default()
    };
    let items = read_all(open_bytes("in.csv", input.as_bytes(), &options));
    assert_eq!(items.len(), 3);
    assert_eq!(*ok(&items[1]).fields, json!({"a": "3", "b": "4"}));
    assert_eq!(at(&items[2]), (3, 4, 12));
    assert!(matches!(
        err(&items[2]).kind,
        ReadErrorKind::RecordTooLong { limit: 50, .. }
    ));
}
