//! The main command: map inputs to OCSF.

use std::io::Write;

use ocsf_map_mapping::{CompiledMapping, Mapper};
use ocsf_map_pipeline::{Event, Outputs, PipelineError, Stats, Validation};
use ocsf_map_readers::{Input, ReaderOptions};
use ocsf_map_sinks::{DeadLetterWriter, JsonLinesSink, Sink, SinkError};

use crate::Status;
use crate::args::{RunArgs, ValidateArg};
use crate::{load, report};

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
    let mut sink: Box<dyn Sink> = match &args.output {
        None => Box::new(JsonLinesSink::stdout()),
        Some(path) => match JsonLinesSink::file(path) {
            Ok(s) => Box::new(s),
            Err(e) => {
                report::line(format_args!("error: {e}"));
                return Status::Error;
            }
        },
    };
    let mut dead_letters = args.dead_letter.as_deref().map(DeadLetterWriter::new);
    let validation = match args.validate {
        ValidateArg::Strict => Validation::Strict,
        ValidateArg::Warn => Validation::Warn,
        ValidateArg::Off => Validation::Off,
    };
    let mut shown = 0u64;
    let max_errors = args.max_errors;
    let mut observer = |event: Event<'_>| {
        shown += 1;
        if shown > max_errors {
            return;
        }
        match event {
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
    let outputs = Outputs {
        sink: sink.as_mut(),
        dead_letters: dead_letters.as_mut(),
        observer: &mut observer,
    };
    let result = ocsf_map_pipeline::run(&inputs, &reader_options, &mapping, validation, outputs);
    match result {
        Ok(stats) => {
            if shown > max_errors {
                report::line(format_args!(
                    "note: {} more problems not shown{}",
                    shown - max_errors,
                    if args.dead_letter.is_some() {
                        " (all failed records are in --dead-letter)"
                    } else {
                        ""
                    }
                ));
            }
            if !args.quiet {
                summary(&stats);
            }
            if stats.failed > 0 && args.dead_letter.is_none() {
                report::line(format_args!(
                    "note: the failed records were not kept; use --dead-letter FILE to keep them"
                ));
            }
            if stats.failed > 0 {
                Status::Failure
            } else {
                Status::Success
            }
        }
        // `ocsf-map ... | head`: the reader has what it wanted.
        Err(PipelineError::Sink(SinkError::BrokenPipe)) => Status::Success,
        Err(e) => {
            report::line(format_args!("error: {e}"));
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

/// `--dry-run`: show the first groups; write and send nothing.
fn dry_run(
    args: &RunArgs,
    mapping: &CompiledMapping,
    inputs: &[Input],
    options: &ReaderOptions,
) -> Status {
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
        let mut nothing_more = |_: &mut dyn Write, _: &[serde_json::Value]| Ok(());
        match ocsf_map_authoring::preview(
            &mapper,
            reader.as_mut(),
            left,
            &mut out,
            &mut nothing_more,
        ) {
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
    report::line(format_args!(
        "dry run: {} groups shown from {} records read ({} skipped by filter, {} failed); nothing written",
        total.shown, total.read, total.skipped, total.failed
    ));
    if total.failed > 0 {
        Status::Failure
    } else {
        Status::Success
    }
}
