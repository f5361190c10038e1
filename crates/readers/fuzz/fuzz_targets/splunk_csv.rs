//! The splunk_csv reader never panics and always ends, whatever the bytes.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use ocsf_map_readers::Format;

fuzz_target!(|data: &[u8]| common::read_all(data, Format::SplunkCsv));
