//! The json_lines reader never panics and always ends, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocsf_map_readers::{Format, ReaderOptions, SplunkOptions, RawFormat, open_read};

fuzz_target!(|data: &[u8]| {
    let options = ReaderOptions {
        format: Some(Format::JsonLines),
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
});
