//! What every reader target does: read everything with a small record limit, and check that
//! the reader ends and stays ended.

use ocsf_map_readers::{Format, RawFormat, ReaderOptions, SplunkOptions, open_read};

/// Reads all of `data` as `format` and checks that the reader ends and stays ended.
pub fn read_all(data: &[u8], format: Format) {
    let options = ReaderOptions {
        format: Some(format),
        max_record_bytes: 64,
        splunk: SplunkOptions { raw: Some(RawFormat::Syslog) },
        ..ReaderOptions::default()
    };
    if let Ok(mut reader) = open_read("fuzz", std::io::Cursor::new(data.to_vec()), &options) {
        let mut items = 0;
        while reader.next_record().is_some() {
            items += 1;
            assert!(items <= data.len() + 1, "the reader does not end");
        }
        assert!(reader.next_record().is_none());
    }
}
