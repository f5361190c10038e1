//! Detection (compression, format sniffing) and whatever reader it picks never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocsf_map_readers::{ReaderOptions, open_read};

fuzz_target!(|data: &[u8]| {
    let options = ReaderOptions {
        max_record_bytes: 64,
        ..ReaderOptions::default()
    };
    if let Ok(mut reader) = open_read("-", std::io::Cursor::new(data.to_vec()), &options) {
        // Compressed input may hold many records; libFuzzer's timeout catches a reader that
        // never ends.
        while reader.next_record().is_some() {}
    }
});
