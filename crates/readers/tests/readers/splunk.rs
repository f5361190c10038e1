//! Splunk exports: the REST export stream, the /results document, CSV, and `_raw` re-read.

use serde_json::json;

use ocsf_map_readers::{Input, RawFormat, ReadErrorKind, SplunkOptions, open};

use super::*;

fn splunk(name: &str, input: &[u8]) -> Vec<Result<Record, ReadError>> {
    let options = ReaderOptions {
        format: Some(Format::SplunkJson),
        ..ReaderOptions::default()
    };
    read_all(open_bytes(name, input, &options))
}

#[test]
fn the_export_sample_drops_preview_rows_and_keeps_the_final_five() {
    let path = data("resultsExport.json");
    let items = read_all(open(&Input::Path(path), &ReaderOptions::default()).unwrap());
    assert_eq!(items.len(), 5);
    // Lines 65 to 69 hold the final rows; a preview row is not counted as a record.
    assert_eq!(
        items.iter().map(|i| (at(i).0, at(i).1)).collect::<Vec<_>>(),
        [(1, 65), (2, 66), (3, 67), (4, 68), (5, 69)]
    );
    let first = ok(&items[0]);
    assert_eq!(
        *first.fields,
        json!({"host": "172.16.35.130", "count": "16", "_offset": 0})
    );
    assert_eq!(ok(&items[4]).fields["_offset"], 4);
}

#[test]
fn an_export_row_offset_counts_the_bom() {
    let items = splunk(
        "-",
        b"\xEF\xBB\xBF{\"preview\":false,\"offset\":0,\"lastrow\":true,\"result\":{\"a\":\"1\"}}\n",
    );
    assert_eq!(at(&items[0]), (1, 1, 3));
}

#[test]
fn an_export_that_ends_without_lastrow_reports_it_after_the_records() {
    let items = splunk(
        "-",
        b"{\"preview\":false,\"offset\":0,\"result\":{\"a\":\"1\"}}\n",
    );
    assert_eq!(items.len(), 2);
    assert_eq!(ok(&items[0]).fields["a"], "1");
    let cut = err(&items[1]);
    assert!(matches!(cut.kind, ReadErrorKind::SplunkExportCutShort));
    assert_eq!(at(&items[1]), (2, 2, 48));
}

#[test]
fn a_non_json_line_in_an_export_is_one_error() {
    let input = b"{\"preview\":false,\"offset\":0,\"result\":{\"a\":\"1\"}}\n{\"preview\":false,\"off\n{\"preview\":false,\"offset\":1,\"lastrow\":true,\"result\":{\"a\":\"2\"}}\n";
    let items = splunk("-", input);
    assert_eq!(items.len(), 3);
    assert_eq!(err(&items[1]).kind.code(), "invalid-json");
    assert_eq!(at(&items[1]), (2, 2, 48));
    assert_eq!(ok(&items[2]).fields["_offset"], 1);
}

#[test]
fn a_splunk_error_message_is_reported() {
    let input =
        b"{\"preview\":false,\"messages\":[{\"type\":\"FATAL\",\"text\":\"search failed\"}]}\n";
    let items = splunk("-", input);
    assert_eq!(
        err(&items[0]).to_string(),
        "Splunk reported FATAL: search failed"
    );
}

#[test]
fn a_line_that_is_not_an_export_row_is_an_error() {
    let path = data("test-dns.log");
    let options = ReaderOptions {
        format: Some(Format::SplunkJson),
        ..ReaderOptions::default()
    };
    let items = read_all(open(&Input::Path(path), &options).unwrap());
    // 7 Zeek lines, the Splunk row, and the missing `lastrow` of that row's result set.
    assert_eq!(items.len(), 9);
    assert!(
        items[..7]
            .iter()
            .all(|i| err(i).kind.code() == "not-splunk-row")
    );
    assert_eq!(at(&items[7]).1, 8);
    assert_eq!(err(&items[8]).kind.code(), "splunk-cut-short");
}

#[test]
fn raw_is_parsed_again_by_the_nested_reader() {
    let options = ReaderOptions {
        format: Some(Format::SplunkJson),
        splunk: SplunkOptions {
            raw: Some(RawFormat::Json),
        },
        ..ReaderOptions::default()
    };
    let items = read_all(open(&Input::Path(data("test-dns.log")), &options).unwrap());
    let record = ok(&items[7]);
    assert_eq!(
        record.fields["_raw_parsed"]["query"],
        "_googlecast._tcp.local"
    );
    assert_eq!(record.fields["_raw_parsed"]["id.orig_p"], 5353);
    assert_eq!(record.fields["_si"], json!(["b590508aafed", "main"]));
    assert_eq!(record.fields["_time_ms"], 1_608_752_615_000_i64);
}

#[test]
fn a_raw_that_does_not_parse_is_an_error_for_that_record() {
    let options = ReaderOptions {
        format: Some(Format::SplunkJson),
        splunk: SplunkOptions {
            raw: Some(RawFormat::Json),
        },
        ..ReaderOptions::default()
    };
    let input =
        b"{\"preview\":false,\"offset\":0,\"lastrow\":true,\"result\":{\"_raw\":\"not json\"}}\n";
    let items = read_all(open_bytes("-", input, &options));
    assert_eq!(err(&items[0]).kind.code(), "raw");
}

#[test]
fn the_results_document_streams_its_results() {
    let input = b"{\"preview\":false,\"init_offset\":0,\"messages\":[{\"type\":\"INFO\",\"text\":\"x\"}],\n\"results\":[{\"_time\":\"2012-11-27T16:44:05.208-08:00\",\"host\":\"a\"},\n {\"host\":\"b\"}]}\n";
    let items = splunk("results.json", input);
    assert_eq!(items.len(), 2);
    let find = |needle: &[u8]| {
        input
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap() as u64
    };
    assert_eq!(at(&items[0]), (1, 2, find(b"{\"_time")));
    assert_eq!(at(&items[1]), (2, 3, find(b"{\"host\":\"b")));
    assert_eq!(ok(&items[0]).fields["_time_ms"], 1_354_063_445_208_i64);
    assert_eq!(ok(&items[1]).fields["host"], "b");
}

#[test]
fn the_results_document_is_sniffed() {
    let input = b"{\"preview\":false,\"results\":[{\"host\":\"a\"}]}";
    let items = read_all(open_bytes("r.json", input, &ReaderOptions::default()));
    assert_eq!(*ok(&items[0]).fields, json!({"host": "a"}));
}

#[test]
fn a_truncated_results_document_keeps_the_results_before() {
    let input = b"{\"results\":[{\"host\":\"a\"},{\"host\":";
    let items = splunk("-", input);
    assert_eq!(items.len(), 2);
    assert_eq!(ok(&items[0]).fields["host"], "a");
    assert!(matches!(
        err(&items[1]).kind,
        ReadErrorKind::TruncatedJson { open_line: 1 }
    ));
    assert_eq!(at(&items[1]), (2, 1, 25));
}

#[test]
fn the_csv_export_turns_multivalue_cells_into_arrays() {
    let path = data("resultsMV.csv");
    let items = read_all(open(&Input::Path(path), &ReaderOptions::default()).unwrap());
    assert_eq!(items.len(), 1);
    let fields = &ok(&items[0]).fields;
    assert_eq!(fields["_si"], json!(["dfoster-mbp17.local", "_internal"]));
    assert_eq!(fields["_time_ms"], 1_354_063_445_208_i64);
    assert!(
        fields["_raw"]
            .as_str()
            .unwrap()
            .starts_with("11-27-2012 16:44:05.208")
    );
    assert_eq!(at(&items[0]).1, 2);
}

#[test]
fn csv_mv_columns_give_the_values_and_are_dropped() {
    let options = ReaderOptions {
        format: Some(Format::SplunkCsv),
        ..ReaderOptions::default()
    };
    let items = read_all(open_bytes(
        "-",
        b"host,__mv_host\n\"a\nb\",$x$;$y$\n",
        &options,
    ));
    assert_eq!(*ok(&items[0]).fields, json!({"host": ["x", "y"]}));
}
