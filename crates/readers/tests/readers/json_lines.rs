//! JSON lines: framing, positions, and records that fail while the reader goes on.

use serde_json::json;

use ocsf_map_readers::{Input, ReadErrorKind, ReaderOptions, open};

use super::*;

/// The `(record, line, offset)` of each non-empty line of a file, computed independently.
fn line_positions(bytes: &[u8], start: usize) -> Vec<(u64, u64, u64)> {
    let mut out = Vec::new();
    let mut offset = start;
    for (i, line) in bytes[start..].split(|&b| b == b'\n').enumerate() {
        if !line.is_empty() {
            out.push((out.len() as u64 + 1, i as u64 + 1, offset as u64));
        }
        offset += line.len() + 1;
    }
    out
}

#[test]
fn suricata_eve_lines_are_one_record_each() {
    let path = data("eve-alerts.log");
    let items = read_all(open(&Input::Path(path.clone()), &ReaderOptions::default()).unwrap());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(items.len(), 22);
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        line_positions(&bytes, 0)
    );
    let first = ok(&items[0]);
    assert_eq!(first.fields["event_type"], "alert");
    assert_eq!(first.fields["alert"]["signature_id"], 2013028);
    assert_eq!(first.fields["http"]["url"], "/");
    assert_eq!(&*first.pos.source, path.display().to_string());
    let tls = items
        .iter()
        .map(ok)
        .filter(|r| r.fields["event_type"] == "tls")
        .count();
    assert_eq!(tls, 1);
}

#[test]
fn json_fields_keep_the_input_key_order() {
    let items = read_all(
        open(
            &Input::Path(data("conn-head40.log")),
            &ReaderOptions::default(),
        )
        .unwrap(),
    );
    assert_eq!(items.len(), 40);
    let keys: Vec<&String> = ok(&items[0])
        .fields
        .as_object()
        .unwrap()
        .keys()
        .take(4)
        .collect();
    assert_eq!(keys, ["ts", "uid", "id.orig_h", "id.orig_p"]);
    assert_eq!(ok(&items[39]).pos.line, 40);
}

#[test]
fn a_bom_before_the_first_line_is_skipped_and_counted_in_offsets() {
    let path = data("resultsExport.json");
    let options = ReaderOptions {
        format: Some(Format::JsonLines),
        ..ReaderOptions::default()
    };
    let items = read_all(open(&Input::Path(path.clone()), &options).unwrap());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(items.len(), 69);
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        line_positions(&bytes, 3)
    );
    assert_eq!(at(&items[0]), (1, 1, 3));
    assert_eq!(ok(&items[0]).fields["preview"], true);
}

#[test]
fn a_non_json_line_is_an_error_and_the_next_lines_are_still_read() {
    let items = jsonl(b"{\"a\":1}\nnot json\n{\"a\":2}\n");
    assert_eq!(items.len(), 3);
    assert_eq!(at(&items[0]), (1, 1, 0));
    let bad = err(&items[1]);
    assert_eq!(at(&items[1]), (2, 2, 8));
    assert_eq!(bad.to_string(), "invalid JSON: expected ident at column 2");
    assert!(matches!(
        bad.kind,
        ReadErrorKind::InvalidJson { column: 2, .. }
    ));
    assert_eq!(bad.raw.as_deref(), Some("not json"));
    assert_eq!(at(&items[2]), (3, 3, 17));
    assert_eq!(*ok(&items[2]).fields, json!({"a": 2}));
}

#[test]
fn a_truncated_document_reports_the_column_where_it_ends() {
    let items = jsonl(b"{\"a\": [1, 2\n");
    assert_eq!(
        err(&items[0]).to_string(),
        "invalid JSON: EOF while parsing a list at column 11"
    );
}

#[test]
fn two_documents_on_one_line_are_an_error() {
    let items = jsonl(b"{\"a\":1} {\"b\":2}\n");
    assert_eq!(
        err(&items[0]).to_string(),
        "invalid JSON: trailing characters at column 9"
    );
}

#[test]
fn blank_lines_are_skipped_and_not_counted_as_records() {
    let items = jsonl(b"\n  \n{\"a\":1}\n\t\r\n\n{\"a\":2}\n\n");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 3, 4), (2, 6, 16)]
    );
}

#[test]
fn crlf_line_endings_are_not_part_of_the_record() {
    let items = jsonl(b"{\"a\":1}\r\nnope\r\n{\"a\":2}\r\n");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 1, 0), (2, 2, 9), (3, 3, 15)]
    );
    assert_eq!(err(&items[1]).raw.as_deref(), Some("nope"));
    assert_eq!(*ok(&items[2]).fields, json!({"a": 2}));
}

#[test]
fn a_final_line_without_a_newline_is_read() {
    let items = jsonl(b"{\"a\":1}\n{\"a\":2}");
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 1, 0), (2, 2, 8)]
    );
    assert_eq!(*ok(&items[1]).fields, json!({"a": 2}));
}

#[test]
fn a_bom_is_allowed_at_the_start_only() {
    let items = jsonl(b"\xEF\xBB\xBF{\"a\":1}\n\xEF\xBB\xBF{\"a\":2}\n");
    assert_eq!(at(&items[0]), (1, 1, 3));
    assert_eq!(*ok(&items[0]).fields, json!({"a": 1}));
    assert_eq!(at(&items[1]), (2, 2, 11));
    assert!(matches!(
        err(&items[1]).kind,
        ReadErrorKind::InvalidJson { column: 1, .. }
    ));
}

#[test]
fn invalid_utf8_is_an_error_naming_its_column() {
    let items = jsonl(b"{\"a\":\"caf\xE9\"}\n{\"a\":2}\n");
    let bad = err(&items[0]);
    assert_eq!(bad.to_string(), "invalid UTF-8 at column 10");
    assert_eq!(bad.raw.as_deref(), Some("{\"a\":\"caf\u{FFFD}\"}"));
    assert_eq!(at(&items[1]), (2, 2, 13));
}

#[test]
fn any_json_value_is_a_record() {
    let items = jsonl(b"42\n[1,\"two\"]\n\"text\"\nnull\n");
    let fields: Vec<_> = items
        .iter()
        .map(|item| (*ok(item).fields).clone())
        .collect();
    assert_eq!(
        fields,
        [json!(42), json!([1, "two"]), json!("text"), json!(null)]
    );
}

#[test]
fn a_line_over_the_limit_is_an_error_and_the_next_line_is_read() {
    let mut input = b"{\"a\":1}\n{\"big\":\"".to_vec();
    input.extend(std::iter::repeat_n(b'x', 3 * 1024 * 1024));
    input.extend_from_slice(b"\"}\n{\"a\":2}\n");
    let options = ReaderOptions {
        max_record_bytes: 1024 * 1024,
        ..ReaderOptions::default()
    };
    let items = read_all(open_bytes("big.jsonl", &input, &options));
    assert_eq!(items.len(), 3);
    let bad = err(&items[1]);
    assert_eq!(at(&items[1]), (2, 2, 8));
    assert_eq!(
        bad.to_string(),
        "record is longer than the limit of 1048576 bytes"
    );
    let raw = bad.raw.as_deref().unwrap();
    assert_eq!(raw.len(), 4096);
    assert!(raw.starts_with("{\"big\":\"xxx"));
    assert_eq!(at(&items[2]), (3, 3, input.len() as u64 - 8));
    assert_eq!(*ok(&items[2]).fields, json!({"a": 2}));
}

#[test]
fn an_io_error_is_reported_once_and_ends_the_reader() {
    let bytes = Cursor::new(b"{\"a\":1}\n{\"a\":".to_vec());
    let options = ReaderOptions::default();
    let reader = open_read("in.jsonl", FailingAfter(bytes), &options).unwrap();
    let items = read_all(reader);
    assert_eq!(items.len(), 2);
    let bad = err(&items[1]);
    assert!(matches!(bad.kind, ReadErrorKind::Io(_)));
    assert_eq!(bad.to_string(), "cannot read the input: disk on fire");
    assert_eq!(at(&items[1]), (2, 2, 8));
}

#[test]
fn an_error_displays_with_its_position_for_people() {
    let items = jsonl(b"\n{\n");
    let bad = err(&items[0]);
    assert_eq!(
        format!("{}: {bad}", bad.pos),
        "in.jsonl:2 (record 1): invalid JSON: EOF while parsing an object at column 1"
    );
}

#[test]
fn deferred_lines_parse_to_exactly_what_reading_gives() {
    let input = "{\"a\":1}\n\n{not json}\n\"just a string\"\n[1,2]\n";
    let read_all = |defer: bool| {
        let options = ReaderOptions {
            format: Some(Format::JsonLines),
            defer_json_lines: defer,
            ..ReaderOptions::default()
        };
        let mut reader = open_read(
            "in.jsonl",
            std::io::Cursor::new(input.as_bytes().to_vec()),
            &options,
        )
        .unwrap();
        assert_eq!(reader.deferred(), defer);
        let mut out = Vec::new();
        while let Some(next) = reader.next_record() {
            let next = if defer {
                next.and_then(|r| ocsf_map_readers::parse_deferred(&r))
            } else {
                next
            };
            out.push(match next {
                Ok(r) => format!("{} {}", r.pos, r.fields),
                Err(e) => format!("{} {} {:?}", e.pos, e, e.raw),
            });
        }
        out
    };
    assert_eq!(read_all(true), read_all(false));
    assert_eq!(read_all(false).len(), 4);
}
