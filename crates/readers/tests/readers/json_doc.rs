//! JSON documents: one document, arrays of records, pretty-printed documents in a row.

use serde_json::json;

use ocsf_map_readers::ReadErrorKind;

use super::*;

fn json_doc(input: &[u8]) -> Vec<Result<Record, ReadError>> {
    let options = ReaderOptions {
        format: Some(Format::Json),
        ..ReaderOptions::default()
    };
    read_all(open_bytes("in.json", input, &options))
}

#[test]
fn an_array_yields_its_elements_with_their_positions() {
    let items = json_doc(b"[\n  {\"a\": 1},\n  {\"a\": 2}\n]\n");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 2, 4), (2, 3, 16)]
    );
    assert_eq!(*ok(&items[1]).fields, json!({"a": 2}));
}

#[test]
fn pretty_printed_documents_in_a_row_are_one_record_each() {
    let items = json_doc(b"{\n \"a\": 1\n}\n{\n \"a\": \"}\"\n}\n");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 1, 0), (2, 4, 12)]
    );
    assert_eq!(ok(&items[1]).fields["a"], "}");
}

#[test]
fn json_lines_given_as_json_keep_line_recovery() {
    let items = json_doc(b"{\"a\":1}\nnope\n{\"a\":2}\n");
    assert_eq!(items.len(), 3);
    assert_eq!(err(&items[1]).kind.code(), "invalid-json");
    assert_eq!(at(&items[2]), (3, 3, 13));
}

#[test]
fn an_invalid_element_is_an_error_with_its_line_and_the_next_is_read() {
    let items = json_doc(b"[{\"a\":1},\n {\"a\":tru},\n {\"a\":3}]");
    assert_eq!(items.len(), 3);
    let bad = err(&items[1]);
    assert_eq!(at(&items[1]), (2, 2, 11));
    assert!(
        matches!(
            bad.kind,
            ReadErrorKind::InvalidJsonDocument {
                line: 2,
                column: 10,
                ..
            }
        ),
        "{bad}"
    );
    assert_eq!(ok(&items[2]).fields["a"], 3);
}

#[test]
fn a_truncated_document_is_one_error_at_its_start() {
    let items = json_doc(b"{\n\"a\":1}\n{\n\"b\": [1,");
    assert_eq!(items.len(), 2);
    assert!(matches!(
        err(&items[1]).kind,
        ReadErrorKind::TruncatedJson { open_line: 3 }
    ));
    assert_eq!(at(&items[1]), (2, 3, 9));
}

#[test]
fn an_element_over_the_limit_is_an_error_and_the_next_is_read() {
    let options = ReaderOptions {
        format: Some(Format::Json),
        max_record_bytes: 10,
        ..ReaderOptions::default()
    };
    let input = format!("[\n{{\"a\":\"{}\"}},\n{{\"a\":1}}]", "x".repeat(50));
    let items = read_all(open_bytes("-", input.as_bytes(), &options));
    assert!(matches!(
        err(&items[0]).kind,
        ReadErrorKind::RecordTooLong { limit: 10, .. }
    ));
    assert_eq!(ok(&items[1]).fields["a"], 1);
}

#[test]
fn zeek_syslog_json_lines_are_read_as_json() {
    let options = ReaderOptions {
        format: Some("syslog-json".parse().unwrap()),
        ..ReaderOptions::default()
    };
    let items = read_all(
        open(
            &ocsf_map_readers::Input::Path(data("zeek-syslog.log")),
            &options,
        )
        .unwrap(),
    );
    assert_eq!(items.len(), 12);
    let first = ok(&items[0]);
    assert_eq!(first.fields["facility"], "LOCAL4");
    assert!(
        first.fields["message"]
            .as_str()
            .unwrap()
            .starts_with("%PIX-6-305011:")
    );
    assert_eq!(at(&items[11]).1, 12);
}
