//! The main command: map inputs to OCSF and write or deliver the documents.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ocsf_map_intake::{IntakeSink, Summary};
use ocsf_map_mapping::{CompiledMapping, Mapper};
use ocsf_map_pipeline::{Event, Outputs, PipelineError, RunOptions, Stats, Validation};
use ocsf_map_readers::{Input, ReaderOptions, SourcePos};
use ocsf_map_sinks::{DeadLetterWriter, JsonLinesSink, Sink, SinkError};

use crate::Status;
use crate::args::{MessageFormat, RunArgs, SinkArg, ValidateArg};
use crate::intake::{self, Refusals};
use crate::{load, report};

/// Where the documents of this run go.
enum Destination {
    File(JsonLinesSink),
    Intake(Box<IntakeSink>),
}

pub(crate) fn run(args: &RunArgs) -> Status {
    let Some(path) = args.mapping.as_deref() else {
        return Status::Error;
    };
    let Some(mapping) = load::mapping(path, &args.diagnostics) else {
        return Status::Error;
    };
    let Some(reader_options) = load::reader_options(&args.input, &mapping) else {
        return Status::Error;
    };
    let Some(inputs) = load::inputs(&args.inputs) else {
        return Status::Error;
    };
    if args.dry_run {
        return dry_run(args, &mapping, &inputs, &reader_options);
    }
    let dead_letters = args.dead_letter.as_deref().map(DeadLetterWriter::new);
    // Record errors printed so far, by the pipeline and by the delivery callback together.
    let shown = Arc::new(AtomicU64::new(0));
    let refusals = Arc::new(Refusals::default());
    let mut destination = match args.intake.sink {
        SinkArg::File => match &args.output {
            None => Destination::File(JsonLinesSink::stdout()),
            Some(path) => match JsonLinesSink::file(path) {
                Ok(s) => Destination::File(s),
                Err(e) => {
                    report::line(format_args!("error: {e}"));
                    return Status::Error;
                }
            },
        },
        SinkArg::Intake => {
            let built = intake::sink(
                &args.intake,
                dead_letters.clone(),
                Arc::clone(&refusals),
                Arc::clone(&shown),
                args.max_errors,
            );
            match built {
                Ok(s) => Destination::Intake(Box::new(s)),
                Err(e) => {
                    report::line(format_args!("error: {e}"));
                    return Status::Error;
                }
            }
        }
    };
    let validation = match args.validate {
        ValidateArg::Strict => Validation::Strict,
        ValidateArg::Warn => Validation::Warn,
        ValidateArg::Off => Validation::Off,
    };
    let max_errors = args.max_errors;
    let json_messages = args.diagnostics.message_format == MessageFormat::Json;
    let observer_shown = Arc::clone(&shown);
    let mut observer = |event: Event<'_>| {
        if observer_shown.fetch_add(1, Ordering::Relaxed) >= max_errors {
            return;
        }
        match event {
            Event::Failed(letter) if json_messages => {
                // The dead-letter line without the record: one JSON object per failure.
                let v = serde_json::json!({
                    "severity": "error",
                    "position": letter.position,
                    "stage": letter.stage,
                    "target": letter.target,
                    "mapping_line": letter.mapping_line,
                    "message": letter.error,
                });
                report::line(format_args!("{v}"));
            }
            Event::Failed(letter) => {
                let target = letter
                    .target
                    .as_deref()
                    .map(|t| format!("{t}: "))
                    .unwrap_or_default();
                let rule = letter
                    .mapping_line
                    .map(|l| format!(" (mapping line {l})"))
                    .unwrap_or_default();
                report::line(format_args!(
                    "error: {}: {target}{}{rule}",
                    letter.position, letter.error
                ));
            }
            Event::Invalid { position, message } => {
                report::line(format_args!("warning: {position}: {message}"));
            }
        }
    };
    let progress = match &destination {
        Destination::Intake(s) if !args.quiet && std::io::stderr().is_terminal() => {
            Some(ProgressLine::start(s.progress()))
        }
        _ => None,
    };
    let mut dead_for_pipeline = dead_letters.clone();
    let sink: &mut dyn Sink = match &mut destination {
        Destination::File(s) => s,
        Destination::Intake(s) => s.as_mut(),
    };
    let outputs = Outputs {
        sink,
        dead_letters: dead_for_pipeline.as_mut(),
        observer: &mut observer,
    };
    let options = RunOptions::threads(args.threads);
    let result = ocsf_map_pipeline::run_with(
        &inputs,
        &reader_options,
        &mapping,
        validation,
        outputs,
        &options,
    );
    drop(progress);
    let shown = shown.load(Ordering::Relaxed);
    match result {
        Ok(stats) => {
            if shown > max_errors {
                let all = if args.dead_letter.is_some() {
                    " (all of them are in --dead-letter)"
                } else {
                    ""
                };
                report::line(format_args!(
                    "note: {} more problems not shown{all}",
                    shown - max_errors
                ));
            }
            let refused = refusals.refused.load(Ordering::Relaxed);
            if !args.quiet {
                summary(&stats);
                if let Destination::Intake(s) = &destination
                    && let Some(sum) = s.summary()
                {
                    intake_summary(sum);
                }
            }
            if (stats.failed > 0 || refused > 0) && args.dead_letter.is_none() {
                report::line(format_args!(
                    "note: the failed records were not kept; use --dead-letter FILE to keep them"
                ));
            }
            if stats.failed > 0 || refused > 0 {
                Status::Failure
            } else {
                Status::Success
            }
        }
        // `ocsf-map ... | head`: the reader has what it wanted.
        Err(PipelineError::Sink(SinkError::BrokenPipe)) => Status::Success,
        Err(e) => {
            report::line(format_args!("error: {e}"));
            if matches!(destination, Destination::Intake(_)) {
                let how = if args.intake.checkpoint.is_some() {
                    "run the same command again to resume: acknowledged findings are not sent again"
                } else {
                    "with --checkpoint FILE, running the same command again resumes where it stopped"
                };
                report::line(format_args!("note: {how}"));
            }
            Status::Error
        }
    }
}

fn summary(stats: &Stats) {
    let mut line = format!(
        "ocsf-map: {} records read, {} mapped into {} documents, {} skipped by filter, {} failed",
        stats.read, stats.mapped, stats.documents, stats.skipped, stats.failed
    );
    if stats.warnings > 0 {
        line.push_str(&format!(", {} validation warnings", stats.warnings));
    }
    report::line(format_args!("{line}"));
}

fn intake_summary(s: &Summary) {
    report::line(format_args!(
        "intake: {} delivered, {} already delivered (checkpoint), {} rejected, {} invalid; \
         {} requests, {} retries, {:.1} s",
        s.delivered,
        s.already_delivered,
        s.rejected,
        s.invalid,
        s.requests,
        s.retries,
        s.elapsed.as_secs_f64()
    ));
}

/// A one-line progress display on a terminal, redrawn every second until dropped.
struct ProgressLine {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLine {
    fn start(progress: ocsf_map_intake::Progress) -> ProgressLine {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let line = progress.snapshot().line(None);
                let _ = write!(std::io::stderr().lock(), "\r\x1b[2K{line}");
                std::thread::sleep(Duration::from_secs(1));
            }
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        });
        ProgressLine {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `--dry-run`: show the first groups (and, with `--sink intake`, the requests that would carry
/// them); write and send nothing.
fn dry_run(
    args: &RunArgs,
    mapping: &CompiledMapping,
    inputs: &[Input],
    options: &ReaderOptions,
) -> Status {
    let refusals = Arc::new(Refusals::default());
    let mut requests = match args.intake.sink {
        SinkArg::File => None,
        SinkArg::Intake => match intake::dry_run(&args.intake, Arc::clone(&refusals)) {
            Ok(r) => Some(r),
            Err(e) => {
                report::line(format_args!("error: {e}"));
                return Status::Error;
            }
        },
    };
    let mut show = |out: &mut dyn Write, pos: &SourcePos, docs: &[serde_json::Value]| {
        if let Some((sink, buffer)) = requests.as_mut() {
            if let Err(e) = sink.write_group(pos, docs) {
                writeln!(out, "   (no request: {e})")?;
            }
            out.write_all(&buffer.take())?;
        }
        Ok(())
    };
    let mapper = Mapper::new(mapping);
    let mut out = std::io::stdout().lock();
    let mut total = ocsf_map_authoring::PreviewStats::default();
    for input in inputs {
        if total.shown >= args.preview {
            break;
        }
        let mut reader = match ocsf_map_readers::open(input, options) {
            Ok(r) => r,
            Err(e) => {
                report::line(format_args!("error: {e}"));
                return Status::Error;
            }
        };
        let left = args.preview - total.shown;
        match ocsf_map_authoring::preview(&mapper, reader.as_mut(), left, &mut out, &mut show) {
            Ok(s) => {
                total.read += s.read;
                total.shown += s.shown;
                total.skipped += s.skipped;
                total.failed += s.failed;
            }
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Status::Success,
            Err(e) => {
                report::line(format_args!("error: {e}"));
                return Status::Error;
            }
        }
    }
    let failed = total.failed + refusals.refused.load(Ordering::Relaxed);
    report::line(format_args!(
        "dry run: {} groups shown from {} records read ({} skipped by filter, {failed} failed); \
         nothing written or sent",
        total.shown, total.read, total.skipped
    ));
    if failed > 0 {
        Status::Failure
    } else {
        Status::Success
    }
}
