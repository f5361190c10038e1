//! Inputs: gzip and zstd, directories and globs.

use std::ffi::OsString;
use std::io::Write;

use ocsf_map_readers::{Input, expand_inputs, open};

use super::*;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn gzip_is_decompressed_and_positions_are_in_the_decompressed_bytes() {
    let items = read_all(open_bytes(
        "in.jsonl.gz",
        &gzip(b"{\"a\":1}\n{\"a\":2}\n"),
        &ReaderOptions::default(),
    ));
    assert_eq!(
        items.iter().map(at).collect::<Vec<_>>(),
        [(1, 1, 0), (2, 2, 8)]
    );
}

#[test]
fn compression_is_recognised_without_an_extension() {
    let compressed = zstd::encode_all(&b"<34>Oct 11 22:14:15 h su: x\n"[..], 3).unwrap();
    let items = read_all(open_bytes("-", &compressed, &ReaderOptions::default()));
    assert_eq!(ok(&items[0]).fields["app_name"], "su");
}

#[test]
fn a_truncated_gzip_keeps_the_records_before_and_ends_with_one_error() {
    let mut input = Vec::new();
    for i in 0..2000 {
        input.extend_from_slice(format!("{{\"i\":{i}}}\n").as_bytes());
    }
    let mut compressed = gzip(&input);
    compressed.truncate(compressed.len() / 2);
    let items = read_all(open_bytes(
        "in.jsonl.gz",
        &compressed,
        &ReaderOptions::default(),
    ));
    let (good, bad): (Vec<_>, Vec<_>) = items.iter().partition(|i| i.is_ok());
    assert!(good.len() > 10, "{}", good.len());
    assert_eq!(bad.len(), 1);
    let last = err(items.last().unwrap());
    assert_eq!(last.kind.code(), "io");
    assert!(
        last.to_string().contains("corrupt or truncated gzip data"),
        "{last}"
    );
}

#[test]
fn directories_and_globs_expand_sorted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for name in ["b.log", "a.log", "sub/c.log", ".hidden", "x.csv"] {
        std::fs::write(dir.path().join(name), b"{}\n").unwrap();
    }
    let root = dir.path();
    let args = [
        OsString::from(root.join("*.log")),
        OsString::from(root.join("sub")),
        OsString::from("-"),
        OsString::from(root.join("a.log")),
    ];
    let inputs = expand_inputs(&args).unwrap();
    assert_eq!(
        inputs,
        [
            Input::Path(root.join("a.log")),
            Input::Path(root.join("b.log")),
            Input::Path(root.join("sub/c.log")),
            Input::Stdin,
        ]
    );
    let all = expand_inputs(&[OsString::from(root)]).unwrap();
    assert_eq!(all.len(), 4, "{all:?}");
}

#[test]
fn a_glob_that_matches_nothing_is_an_error() {
    let err = expand_inputs(&[OsString::from("/no/such/dir/*.log")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "/no/such/dir/*.log: the glob matches no file"
    );
}

#[test]
fn a_gzip_file_opens_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("eve.log.gz");
    std::fs::write(&path, gzip(&std::fs::read(data("eve-alerts.log")).unwrap())).unwrap();
    let items = read_all(open(&Input::Path(path), &ReaderOptions::default()).unwrap());
    assert_eq!(items.len(), 22);
}
