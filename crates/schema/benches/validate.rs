//! The schema's hot functions on the valid documents of the test corpus: `validate_into` and
//! `finalize` (run on every emitted document), and `coerce` (run on every mapped attribute).
//!
//! `cargo bench -p ocsf-map-schema --bench validate`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ocsf_map_schema::{Class, Schema};
use serde_json::{Value, json};

fn corpus() -> Vec<(Class<'static>, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
    let mut docs = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus directory")
        .map(|f| f.expect("corpus file").path())
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(path).expect("readable");
        let entry: Value = serde_json::from_str(&text).expect("JSON");
        if entry["expect"]["ours"] == "valid" {
            let class = Schema::ocsf().class(entry["class"].as_str().unwrap_or_default());
            docs.push((class.expect("known class"), entry["document"].clone()));
        }
    }
    docs
}

fn validate(c: &mut Criterion) {
    let docs = corpus();
    let mut group = c.benchmark_group("schema");
    group.throughput(Throughput::Elements(docs.len() as u64));
    let mut violations = Vec::new();
    group.bench_function("validate", |b| {
        b.iter(|| {
            for (class, doc) in &docs {
                violations.clear();
                class.validate_into(black_box(doc), &mut violations);
            }
        })
    });
    group.bench_function("clone+finalize", |b| {
        b.iter(|| {
            for (class, doc) in &docs {
                if let Value::Object(mut map) = doc.clone() {
                    let _ = black_box(class.finalize(&mut map));
                }
            }
        })
    });
    group.finish();
}

fn coerce(c: &mut Criterion) {
    let class = Schema::ocsf()
        .class("network_activity")
        .expect("known class");
    let cases = [
        ("time", json!("2018-10-03T14:42:44.836744+0000")),
        ("time", json!(1_538_577_764.836_744)),
        ("severity_id", json!("High")),
    ];
    let mut group = c.benchmark_group("coerce");
    for (name, value) in cases {
        let attr = class.attribute(name, &[]).expect("known attribute");
        let label = format!(
            "{name}/{}",
            if value.is_string() { "text" } else { "number" }
        );
        group.bench_function(label, |b| {
            b.iter(|| ocsf_map_schema::coerce(&attr, black_box(value.clone())))
        });
    }
    group.finish();
}

criterion_group!(benches, validate, coerce);
criterion_main!(benches);
