//! Choosing the format: the option, then the extension, then the first bytes.

use serde_json::json;

use super::*;

#[test]
fn the_extension_wins_over_the_first_bytes() {
    let items = read_all(open_bytes(
        "in.csv",
        b"{a,b}\n1,2\n",
        &ReaderOptions::default(),
    ));
    assert_eq!(*ok(&items[0]).fields, json!({"{a": "1", "b}": "2"}));
}

#[test]
fn the_format_option_wins_over_the_extension() {
    let options = ReaderOptions {
        format: Some(Format::Csv),
        ..ReaderOptions::default()
    };
    let items = read_all(open_bytes("in.jsonl", b"a,b\n1,2\n", &options));
    assert_eq!(*ok(&items[0]).fields, json!({"a": "1", "b": "2"}));
}

#[test]
fn without_an_extension_json_is_sniffed_past_a_bom_and_blank_lines() {
    let input = b"\xEF\xBB\xBF\n  \n{\"a\":1}\n";
    let items = read_all(open_bytes("-", input, &ReaderOptions::default()));
    assert_eq!(items.iter().map(at).collect::<Vec<_>>(), [(1, 3, 7)]);
}

#[test]
fn without_an_extension_anything_else_is_csv() {
    let items = read_all(open_bytes(
        "input.txt",
        b"a,b\n1,2\n",
        &ReaderOptions::default(),
    ));
    assert_eq!(*ok(&items[0]).fields, json!({"a": "1", "b": "2"}));
}

#[test]
fn sniffing_reads_past_a_long_run_of_blank_lines_without_losing_bytes() {
    let mut input = vec![b'\n'; 10_000];
    input.extend_from_slice(b"{\"a\":1}\n");
    let items = read_all(open_bytes("-", &input, &ReaderOptions::default()));
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 10_001, 10_000)]
    );
}

#[test]
fn an_empty_input_yields_no_records() {
    assert!(read_all(open_bytes("-", b"", &ReaderOptions::default())).is_empty());
}
