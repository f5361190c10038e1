//! Runs one benchmark case and prints what it measured, for `bench/run.sh`.
//!
//! ```text
//! cargo run --release -p ocsf-map-pipeline --example bench -- MODE MAPPING THREADS OUTPUT INPUT
//! ```
//!
//! `MODE` is `floor` (read, parse and serialise each record again: no mapping; `MAPPING` only
//! gives the format), `map` (the full mapping, `--validate off`) or `strict` (the full mapping
//! with strict validation, the CLI's default). Two experiments behind the README's analysis:
//! `twin` runs two sequential strict runs at once in one process (two threads, nothing handed
//! between them), and `OCSF_MAP_BENCH_NULL_SINK=1` replaces the file sink with one that never
//! touches the documents. `OCSF_MAP_BENCH_BATCH=N` sets the batch size. The documents go to `OUTPUT` through the CLI's
//! file sink. The time measured starts after the mapping is compiled and ends when the output is
//! on disk; one line of `key=value` pairs goes to stdout.

use std::path::Path;
use std::time::Instant;

use ocsf_map_pipeline::{Outputs, RunOptions, Validation};
use ocsf_map_readers::{Format, Input, ReaderOptions};
use ocsf_map_sinks::{JsonLinesSink, Sink};

/// `--threads`, and the batch size from `OCSF_MAP_BENCH_BATCH` when set (for experiments).
fn run_options(threads: usize) -> RunOptions {
    let mut options = RunOptions::threads(threads);
    if let Some(batch) = std::env::var("OCSF_MAP_BENCH_BATCH")
        .ok()
        .and_then(|b| b.parse().ok())
    {
        options.batch_size = batch;
    }
    options
}

/// The same allocator as the `ocsf-map` binary, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, mapping, threads, output, input] = args.as_slice() else {
        eprintln!("usage: bench floor|map|strict MAPPING THREADS OUTPUT INPUT");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(mapping).expect("readable mapping");
    let mapping = ocsf_map_mapping::compile(mapping, &text).expect("a mapping that compiles");
    let threads: usize = threads.parse().expect("THREADS is a number");
    let hints = mapping.source_hints();
    let options = ReaderOptions {
        format: hints
            .format
            .as_deref()
            .map(|f| f.parse::<Format>().expect("format")),
        ..ReaderOptions::default()
    };
    let input = Input::Path(input.into());
    let bytes = std::fs::metadata(match &input {
        Input::Path(p) => p.as_path(),
        Input::Stdin => Path::new("-"),
    })
    .map(|m| m.len())
    .unwrap_or(0);
    let mut sink = JsonLinesSink::file(Path::new(output)).expect("output file");
    let start = Instant::now();
    let (records, documents) = match mode.as_str() {
        "floor" => {
            let mut reader = ocsf_map_readers::open(&input, &options).expect("input");
            let mut n = 0u64;
            while let Some(next) = reader.next_record() {
                n += 1;
                if let Ok(record) = next {
                    sink.write_group(&record.pos, std::slice::from_ref(&*record.fields))
                        .expect("write");
                }
            }
            sink.finish().expect("write");
            (n, n)
        }
        "map" | "strict" => {
            let validation = if mode == "map" {
                Validation::Off
            } else {
                Validation::Strict
            };
            let mut failed = 0u64;
            let mut observer = |_: ocsf_map_pipeline::Event<'_>| failed += 1;
            // An experiment: a sink that never looks at the documents, to separate the cost of
            // serialising them from the rest.
            let mut null = Null;
            let sink: &mut dyn Sink = if std::env::var_os("OCSF_MAP_BENCH_NULL_SINK").is_some() {
                &mut null
            } else {
                &mut sink
            };
            let outputs = Outputs {
                sink,
                dead_letters: None,
                observer: &mut observer,
            };
            let stats = ocsf_map_pipeline::run_with(
                std::slice::from_ref(&input),
                &options,
                &mapping,
                validation,
                outputs,
                &run_options(threads),
            )
            .expect("run");
            if stats.failed > 0 {
                eprintln!("warning: {} records failed", stats.failed);
            }
            (stats.read, stats.documents)
        }
        "twin" => {
            // An experiment: two sequential runs at once in one process, sharing the compiled
            // mapping but handing nothing between threads. Each writes to its own file.
            let run_one = |out: String| {
                let mut sink = JsonLinesSink::file(Path::new(&out)).expect("output file");
                let mut observer = |_: ocsf_map_pipeline::Event<'_>| {};
                let outputs = Outputs {
                    sink: &mut sink,
                    dead_letters: None,
                    observer: &mut observer,
                };
                ocsf_map_pipeline::run_with(
                    std::slice::from_ref(&input),
                    &options,
                    &mapping,
                    Validation::Strict,
                    outputs,
                    &RunOptions::threads(1),
                )
                .expect("run")
            };
            let stats = std::thread::scope(|s| {
                let other = s.spawn(|| run_one(format!("{output}.twin")));
                let mine = run_one(format!("{output}.twin2"));
                let theirs = other.join().expect("no panic");
                mine.read + theirs.read
            });
            let _ = std::fs::remove_file(format!("{output}.twin"));
            let _ = std::fs::remove_file(format!("{output}.twin2"));
            (stats, stats)
        }
        other => {
            eprintln!("unknown mode `{other}`: floor, map or strict");
            std::process::exit(2);
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "mode={mode} threads={threads} records={records} documents={documents} input_bytes={bytes} \
         seconds={seconds:.3} records_per_s={:.0} mb_per_s={:.1}",
        records as f64 / seconds,
        bytes as f64 / 1e6 / seconds
    );
}

/// Accepts everything and writes nothing.
struct Null;

impl Sink for Null {
    fn write_group(
        &mut self,
        _: &ocsf_map_readers::SourcePos,
        _: &[serde_json::Value],
    ) -> Result<(), ocsf_map_sinks::SinkError> {
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ocsf_map_sinks::SinkError> {
        Ok(())
    }
}
