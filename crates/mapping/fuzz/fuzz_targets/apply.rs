//! Applying every shipped mapping to any JSON record never panics: it maps, skips or fails.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ocsf_map_mapping::{CompiledMapping, Mapper, compile};
use ocsf_map_record::{Record, SourcePos};

fn mappings() -> &'static [CompiledMapping] {
    static MAPPINGS: OnceLock<Vec<CompiledMapping>> = OnceLock::new();
    MAPPINGS.get_or_init(|| {
        let dir = format!("{}/../../../mappings", env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("the shipped mappings")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("shipped mapping");
                compile(&path.display().to_string(), &text).expect("shipped mappings compile")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(fields) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let pos = SourcePos {
        source: "fuzz".into(),
        record: 1,
        line: 1,
        offset: 0,
    };
    let record = Record::new(fields, pos);
    for mapping in mappings() {
        let mut docs = Vec::new();
        let _ = Mapper::new(mapping).apply(&record, &mut docs);
        for d in &docs {
            let _ = d.class.validate(&d.value);
        }
    }
});
