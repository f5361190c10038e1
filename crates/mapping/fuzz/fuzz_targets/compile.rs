//! Compiling any text as a mapping file never panics: it compiles or gives diagnostics, and
//! rendering those diagnostics never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = ocsf_map_mapping::compile("fuzz.yaml", text) {
        let _ = e.to_string();
    }
});
