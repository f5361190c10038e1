//! The same inputs run sequentially and on 2 and 4 mapper threads must write the same bytes: the
//! same documents in the same order, the same dead letters in the same order, the same events.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ocsf_map_mapping::CompiledMapping;
use ocsf_map_pipeline::{Event, Outputs, PipelineError, RunOptions, Stats, Validation, run_with};
use ocsf_map_readers::{Input, ReaderOptions};
use ocsf_map_record::SourcePos;
use ocsf_map_sinks::{DeadLetterWriter, JsonLinesSink, Sink, SinkError};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn mapping() -> CompiledMapping {
    let path = repo().join("mappings/suricata-alert.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    ocsf_map_mapping::compile("suricata-alert.yaml", &text).unwrap()
}

/// `n` Suricata records made from the sample, each different, with some that cannot be read
/// (every 13th), mapped (every 17th) or validated (every 19th), and some skipped by the filter.
fn eve(n: usize) -> String {
    let sample = std::fs::read_to_string(repo().join("samples/suricata/eve-alerts.log")).unwrap();
    let lines: Vec<Value> = sample
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut out = String::new();
    for i in 0..n {
        if i % 13 == 5 {
            out.push_str("{\"timestamp\": not json\n");
            continue;
        }
        let mut v = lines[i % lines.len()].clone();
        v["flow_id"] = Value::from(i);
        v["src_port"] = Value::from(1024 + i % 60000);
        if i % 17 == 3 {
            v["timestamp"] = Value::from("the day before yesterday");
        }
        if i % 19 == 7 {
            // Maps, but without a destination the documents are not valid OCSF.
            v.as_object_mut().unwrap().remove("dest_ip");
        }
        out.push_str(&serde_json::to_string(&v).unwrap());
        out.push('\n');
    }
    out
}

/// A sink writing JSON lines into a shared buffer, failing after `fail_after` groups if set.
struct Buffer {
    inner: JsonLinesSink,
    groups: usize,
    fail_after: Option<usize>,
}

impl Sink for Buffer {
    fn write_group(&mut self, pos: &SourcePos, docs: &[Value]) -> Result<(), SinkError> {
        if self.fail_after == Some(self.groups) {
            return Err(SinkError::BrokenPipe);
        }
        self.groups += 1;
        self.inner.write_group(pos, docs)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.inner.finish()
    }
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything a run wrote.
#[derive(Debug, PartialEq)]
struct Written {
    result: Result<Stats, String>,
    output: Vec<u8>,
    dead_letters: Vec<u8>,
    events: Vec<String>,
}

struct Case {
    inputs: Vec<Input>,
    validation: Validation,
    fail_after: Option<usize>,
    _dir: tempfile::TempDir,
}

impl Case {
    fn new(files: &[&str]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let inputs = files
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let path = dir.path().join(format!("in{i}.jsonl"));
                std::fs::write(&path, text).unwrap();
                Input::Path(path)
            })
            .collect();
        Case {
            inputs,
            validation: Validation::Strict,
            fail_after: None,
            _dir: dir,
        }
    }

    fn run(&self, mapping: &CompiledMapping, options: RunOptions) -> Written {
        let dir = tempfile::tempdir().unwrap();
        let dead_path = dir.path().join("dead.jsonl");
        let shared = Shared::default();
        let mut sink = Buffer {
            inner: JsonLinesSink::writer(Box::new(shared.clone())),
            groups: 0,
            fail_after: self.fail_after,
        };
        let mut dead = DeadLetterWriter::new(&dead_path);
        let mut events = Vec::new();
        let mut observer = |e: Event<'_>| {
            events.push(match e {
                Event::Failed(letter) => format!("failed {} {}", letter.position, letter.error),
                Event::Invalid { position, message } => format!("invalid {position} {message}"),
            });
        };
        let outputs = Outputs {
            sink: &mut sink,
            dead_letters: Some(&mut dead),
            observer: &mut observer,
        };
        let result = run_with(
            &self.inputs,
            &ReaderOptions::default(),
            mapping,
            self.validation,
            outputs,
            &options,
        )
        .map_err(|e: PipelineError| e.to_string());
        dead.finish().unwrap();
        let output = shared.0.lock().unwrap().clone();
        Written {
            result,
            output,
            dead_letters: std::fs::read(&dead_path).unwrap_or_default(),
            events,
        }
    }
}

fn options(threads: usize, batch_size: usize) -> RunOptions {
    RunOptions {
        threads,
        batch_size,
    }
}

/// Runs `case` sequentially, then with 2 and 4 threads and several batch sizes, and asserts that
/// every run wrote what the sequential one wrote. Returns the sequential run.
fn assert_same(case: &Case) -> Written {
    let mapping = mapping();
    let sequential = case.run(&mapping, RunOptions::default());
    for (threads, batch) in [(2, 256), (4, 256), (2, 1), (4, 7), (3, 64)] {
        let parallel = case.run(&mapping, options(threads, batch));
        assert!(
            parallel == sequential,
            "{threads} threads, batches of {batch}: {:?} != {:?}",
            parallel.result,
            sequential.result
        );
    }
    sequential
}

#[test]
fn the_inputs_exercise_every_outcome() {
    let written = Case::new(&[&eve(2000)]).run(&mapping(), RunOptions::default());
    let dead = String::from_utf8(written.dead_letters).unwrap();
    for stage in ["read", "map", "validate"] {
        assert!(
            dead.contains(&format!("\"stage\":\"{stage}\"")),
            "no {stage} failure"
        );
    }
    let stats = written.result.unwrap();
    assert!(stats.skipped > 0 && stats.mapped > 0, "{stats:?}");
}

#[test]
fn output_and_dead_letters_are_the_same_with_2_and_4_threads() {
    let written = assert_same(&Case::new(&[&eve(3000)]));
    assert!(written.output.len() > 100_000);
}

#[test]
fn several_inputs_are_written_in_input_order() {
    assert_same(&Case::new(&[&eve(700), "", &eve(301), &eve(1)]));
}

#[test]
fn warnings_are_reported_in_order() {
    let mut case = Case::new(&[&eve(1500)]);
    case.validation = Validation::Warn;
    let written = assert_same(&case);
    assert!(written.events.iter().any(|e| e.starts_with("invalid")));
}

#[test]
fn an_input_that_cannot_be_opened_ends_the_run_after_the_inputs_before_it() {
    let mut case = Case::new(&[&eve(1000)]);
    case.inputs
        .push(Input::Path(PathBuf::from("/nonexistent/eve.json")));
    case.inputs.push(case.inputs[0].clone());
    let written = assert_same(&case);
    assert!(written.result.is_err());
    assert!(!written.output.is_empty());
}

#[test]
fn a_sink_error_ends_the_run_at_the_same_group() {
    let mut case = Case::new(&[&eve(5000)]);
    case.fail_after = Some(1234);
    let written = assert_same(&case);
    assert_eq!(
        written.result,
        Err("output closed by its reader".to_owned())
    );
}

#[test]
fn an_empty_input_writes_nothing() {
    let written = assert_same(&Case::new(&[""]));
    assert_eq!(written.result, Ok(Stats::default()));
}
