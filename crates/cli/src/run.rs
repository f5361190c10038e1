//! The main command: map inputs to OCSF and write or deliver the documents.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

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
    let Some(load::Session {
        mapping,
        options: reader_options,
        inputs,
    }) = load::session_of(path, &args.diagnostics, &args.input, &args.inputs)
    else {
        return Status::Error;
    };
    if args.dry_run {
        return dry_run(args, &mapping, &inputs, &reader_options);
    }
    let dead_letters = match args.dead_letter.as_deref().map(DeadLetterWriter::open) {
        None => None,
        Some(Ok(writer)) => Some(writer),
        Some(Err(e)) => {
            report::line(format_args!("error: --dead-letter: {e}"));
            return Status::Error;
        }
    };
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
    let reading = Arc::new(InputProgress::new(&inputs));
    let progress = match &destination {
        Destination::Intake(s) if !args.quiet => Some(ProgressLine::start(
            s.progress(),
            Arc::clone(&reading),
            std::io::stderr().is_terminal(),
        )),
        _ => None,
    };
    let mut dead_for_pipeline = dead_letters.clone();
    let mut tracked;
    let sink: &mut dyn Sink = match &mut destination {
        Destination::File(s) => s,
        Destination::Intake(s) => {
            tracked = Tracked {
                inner: s.as_mut(),
                reading: Arc::clone(&reading),
            };
            &mut tracked
        }
    };
    let outputs = Outputs {
        sink,
        dead_letters: dead_for_pipeline.as_mut(),
        observer: &mut observer,
    };
    // The output does not depend on the thread count, so every core is used unless told.
    let threads = args.threads.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let options = RunOptions::threads(threads);
    let result = ocsf_map_pipeline::run_with(
        &inputs,
        &reader_options,
        &mapping,
        validation,
        outputs,
        &options,
    );
    // A stopped intake sink says only that it stopped; finishing it gives the cause. It may
    // still be retrying (a token endpoint that fails), so the progress line runs until then.
    let cause = match (&result, &mut destination) {
        (Err(PipelineError::Sink(SinkError::BrokenPipe)), _) | (Ok(_), _) => None,
        (Err(_), Destination::Intake(s)) => s.finish_summary().err().map(|c| c.to_string()),
        (Err(_), Destination::File(_)) => None,
    };
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
            report::line(format_args!(
                "error: {}",
                cause.unwrap_or_else(|| e.to_string())
            ));
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

/// How far the run has read its inputs, for the progress line's estimate of what is left.
struct InputProgress {
    /// Bytes of all inputs, when they are all plain files (no stdin).
    total: Option<u64>,
    /// Each input's name and the bytes of the inputs before it.
    starts: Vec<(String, u64)>,
    /// Groups handed to the sink so far.
    submitted: AtomicU64,
    /// Bytes read so far (as far as the last group's record).
    read: AtomicU64,
}

impl InputProgress {
    fn new(inputs: &[Input]) -> InputProgress {
        let mut starts = Vec::with_capacity(inputs.len());
        let mut total = Some(0u64);
        for input in inputs {
            starts.push((input.to_string(), total.unwrap_or(0)));
            let size = match input {
                Input::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
                Input::Stdin => None,
            };
            total = total.zip(size).map(|(t, s)| t + s);
        }
        InputProgress {
            total,
            starts,
            submitted: AtomicU64::new(0),
            read: AtomicU64::new(0),
        }
    }

    fn note(&self, pos: &SourcePos) {
        self.submitted.fetch_add(1, Ordering::Relaxed);
        if let Some((_, before)) = self.starts.iter().find(|(name, _)| **name == *pos.source) {
            self.read.store(before + pos.offset, Ordering::Relaxed);
        }
    }

    /// Groups still to deliver: those not answered yet, plus those the unread part of the input
    /// should give at the rate seen so far. `None` when the input's size is unknown.
    fn remaining(&self, answered: u64) -> Option<u64> {
        let total = self.total.filter(|t| *t > 0)? as f64;
        let submitted = self.submitted.load(Ordering::Relaxed);
        let done = (self.read.load(Ordering::Relaxed) as f64 / total).clamp(0.0, 1.0);
        let unread = if done > 0.0 {
            submitted as f64 * (1.0 - done) / done
        } else {
            0.0
        };
        Some(submitted.saturating_sub(answered) + unread as u64)
    }
}

/// Passes groups to the intake sink, noting how far the input has been read.
struct Tracked<'a> {
    inner: &'a mut dyn Sink,
    reading: Arc<InputProgress>,
}

impl Sink for Tracked<'_> {
    fn write_group(
        &mut self,
        pos: &SourcePos,
        docs: &[serde_json::Value],
    ) -> Result<(), SinkError> {
        self.reading.note(pos);
        self.inner.write_group(pos, docs)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.inner.finish()
    }
}

/// Delivery progress on stderr until dropped: on a terminal, one line redrawn every second;
/// otherwise (a log file, CI) a line a minute, so that a long or stalled backfill — an
/// unreachable endpoint being retried — says so while it runs.
struct ProgressLine {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often a progress line is logged when stderr is not a terminal.
const LOGGED_PROGRESS_EVERY: Duration = Duration::from_secs(60);

impl ProgressLine {
    fn start(
        progress: ocsf_map_intake::Progress,
        reading: Arc<InputProgress>,
        terminal: bool,
    ) -> ProgressLine {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut last_logged = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(if terminal { 1000 } else { 200 }));
                let snap = progress.snapshot();
                let answered =
                    snap.delivered + snap.already_delivered + snap.rejected + snap.invalid;
                let line = snap.line(reading.remaining(answered));
                if terminal {
                    let _ = write!(std::io::stderr().lock(), "\r\x1b[2K{line}");
                } else if last_logged.elapsed() >= LOGGED_PROGRESS_EVERY {
                    last_logged = Instant::now();
                    report::line(format_args!("intake: {line}"));
                }
            }
            if terminal {
                let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(source: &str, offset: u64) -> SourcePos {
        SourcePos {
            source: source.into(),
            record: 1,
            line: 1,
            offset,
        }
    }

    #[test]
    fn what_is_left_is_estimated_from_the_share_of_input_read() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
        std::fs::write(&a, vec![b'x'; 100]).unwrap();
        std::fs::write(&b, vec![b'x'; 100]).unwrap();
        let reading = InputProgress::new(&[Input::Path(a.clone()), Input::Path(b.clone())]);
        for _ in 0..10 {
            reading.note(&pos(&a.display().to_string(), 0));
        }
        reading.note(&pos(&b.display().to_string(), 0));
        // 11 groups from the first half of the input: about 11 more to come, 5 not answered.
        assert_eq!(reading.remaining(6), Some(5 + 11));
    }

    #[test]
    fn nothing_is_estimated_for_stdin() {
        assert_eq!(InputProgress::new(&[Input::Stdin]).remaining(0), None);
    }
}
