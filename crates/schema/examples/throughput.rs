//! Rough validation throughput on the valid corpus documents.
//!
//! `cargo run --release -p ocsf-map-schema --example throughput`

use std::path::Path;
use std::time::Instant;

use ocsf_map_schema::Schema;
use serde_json::Value;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
    let mut docs = Vec::new();
    for file in std::fs::read_dir(dir).expect("corpus directory") {
        let text = std::fs::read_to_string(file.expect("corpus file").path()).expect("readable");
        let entry: Value = serde_json::from_str(&text).expect("JSON");
        if entry["expect"]["ours"] == "valid" {
            let class = Schema::ocsf().class(entry["class"].as_str().unwrap_or_default());
            docs.push((class.expect("known class"), entry["document"].clone()));
        }
    }
    let rounds = 20_000;
    let mut violations = Vec::new();
    let start = Instant::now();
    for _ in 0..rounds {
        for (class, doc) in &docs {
            violations.clear();
            class.validate_into(doc, &mut violations);
        }
    }
    let n = rounds * docs.len();
    let elapsed = start.elapsed();
    println!(
        "validate: {n} documents in {elapsed:.2?}: {:.0} ns/doc, {:.2} M docs/s",
        elapsed.as_nanos() as f64 / n as f64,
        n as f64 / elapsed.as_secs_f64() / 1e6
    );
    let start = Instant::now();
    for _ in 0..rounds {
        for (class, doc) in &docs {
            if let Value::Object(mut map) = doc.clone() {
                let _ = class.finalize(&mut map);
            }
        }
    }
    let elapsed = start.elapsed();
    println!(
        "clone + finalize: {:.0} ns/doc",
        elapsed.as_nanos() as f64 / n as f64
    );
}
