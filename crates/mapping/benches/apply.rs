//! The engine's hot path: `Mapper::apply` on the shipped mappings and samples, and `compile`.
//!
//! `cargo bench -p ocsf-map-mapping --bench apply`

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ocsf_map_mapping::{Mapper, compile};
use ocsf_map_record::{Record, SourcePos};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn records(sample: &str) -> Vec<Record> {
    std::fs::read_to_string(repo(sample))
        .expect("sample")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let pos = SourcePos {
                source: "bench".into(),
                record: i as u64 + 1,
                line: i as u64 + 1,
                offset: 0,
            };
            Record::new(serde_json::from_str(l).expect("JSON"), pos)
        })
        .collect()
}

fn apply(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply");
    for (name, mapping, sample) in [
        (
            "suricata-alert",
            "mappings/suricata-alert.yaml",
            "samples/suricata/eve-alerts.log",
        ),
        (
            "zeek-conn",
            "mappings/zeek-conn.yaml",
            "samples/zeek/conn.log",
        ),
    ] {
        let text = std::fs::read_to_string(repo(mapping)).expect("mapping");
        let compiled = compile(mapping, &text).expect("compiles");
        let mapper = Mapper::new(&compiled);
        let records = records(sample);
        let mut docs = Vec::new();
        group.throughput(Throughput::Elements(records.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for record in &records {
                    docs.clear();
                    let _ = black_box(mapper.apply(black_box(record), &mut docs));
                }
            })
        });
    }
    group.finish();
}

fn compile_mapping(c: &mut Criterion) {
    let text = std::fs::read_to_string(repo("mappings/suricata-alert.yaml")).expect("mapping");
    c.bench_function("compile/suricata-alert", |b| {
        b.iter(|| compile("suricata-alert.yaml", black_box(&text)).expect("compiles"))
    });
}

criterion_group!(benches, apply, compile_mapping);
criterion_main!(benches);
