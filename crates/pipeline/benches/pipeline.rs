//! Whole runs on a generated file of Suricata alerts: read, map, validate, serialise, with one and
//! two mapper threads. `bench/run.sh` measures the same at scale, with peak memory.
//!
//! `cargo bench -p ocsf-map-pipeline --bench pipeline`

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ocsf_map_pipeline::{Outputs, RunOptions, Validation, run_with};
use ocsf_map_readers::{Input, ReaderOptions};
use ocsf_map_sinks::JsonLinesSink;
use serde_json::Value;

const RECORDS: usize = 2000;

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// `RECORDS` alerts cycled from the sample, each with its own flow id and source port.
fn input(dir: &Path) -> Input {
    let sample = std::fs::read_to_string(repo("samples/suricata/eve-alerts.log")).expect("sample");
    let lines: Vec<Value> = sample
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let mut text = String::new();
    for i in 0..RECORDS {
        let mut v = lines[i % lines.len()].clone();
        v["flow_id"] = Value::from(i);
        v["src_port"] = Value::from(1024 + i);
        text.push_str(&v.to_string());
        text.push('\n');
    }
    let path = dir.join("eve.jsonl");
    std::fs::write(&path, text).expect("temp file");
    Input::Path(path)
}

fn run(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = [input(dir.path())];
    let text = std::fs::read_to_string(repo("mappings/suricata-alert.yaml")).expect("mapping");
    let mapping = ocsf_map_mapping::compile("suricata-alert.yaml", &text).expect("compiles");
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    for (name, validation, threads) in [
        ("off/1", Validation::Off, 1),
        ("strict/1", Validation::Strict, 1),
        ("strict/2", Validation::Strict, 2),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = JsonLinesSink::writer(Box::new(std::io::sink()));
                let mut observer = |_: ocsf_map_pipeline::Event<'_>| {};
                let outputs = Outputs {
                    sink: &mut sink,
                    dead_letters: None,
                    observer: &mut observer,
                };
                run_with(
                    &inputs,
                    &ReaderOptions::default(),
                    &mapping,
                    validation,
                    outputs,
                    &RunOptions::threads(threads),
                )
                .expect("run")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, run);
criterion_main!(benches);
