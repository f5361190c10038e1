//! The body parsers and the one-line parsers never panic on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocsf_map_readers::{
    RawFormat, SyslogOptions, parse_cef, parse_kv, parse_raw, parse_syslog_line,
};

fuzz_target!(|text: &str| {
    let _ = parse_kv(text);
    let _ = parse_cef(text);
    let _ = parse_syslog_line(text, &SyslogOptions::default());
    let _ = parse_raw(text, RawFormat::Json, &SyslogOptions::default());
});
