//! What every reader target does: read everything with a small record limit, and check that
//! the reader ends and stays ended.

use ocsf_map_readers::{Format, RawFormat, ReaderOptions, SplunkOptions, open_read};

/// Reads all of `data` as `format` and checks that the reader ends and stays ended.
pub fn read_all(data: &[u8], format: Format) {
    let options = ReaderOptions {
        format: Some(format),
        max_record_bytes: 64,
        splunk: SplunkOptions {
            raw: Some(RawFormat::Syslog),
        },
        ..ReaderOptions::default()
    };
    if let Ok(mut reader) = open_read("fuzz", std::io::Cursor::new(data.to_vec()), &options) {
        // Every record takes at least a byte of input, so more records than bytes means the
        // reader repeats itself. Compressed input (decompressed whatever the format) may hold
        // far more records than bytes: there libFuzzer's timeout catches a reader that never
        // ends, as in the `detect` target.
        let bound = (!is_compressed(data)).then_some(data.len() + 1);
        let mut items = 0;
        while reader.next_record().is_some() {
            items += 1;
            assert!(bound.is_none_or(|b| items <= b), "the reader does not end");
        }
        assert!(reader.next_record().is_none());
    }
}

/// Whether `data` starts with the gzip or zstd magic bytes, which `open_read` decompresses.
fn is_compressed(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b]) || data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
}
