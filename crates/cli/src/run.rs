//! The main command: map inputs to OCSF.

use std::path::PathBuf;

use ocsf_map_mapping::CompiledMapping;
use ocsf_map_pipeline::{Event, Outputs, PipelineError, Stats, Validation};
use ocsf_map_readers::{Format, Input, ReaderOptions};
use ocsf_map_sinks::{DeadLetterWriter, JsonLinesSink, Sink, SinkError};

use crate::Status;
use crate::args::{RunArgs, ValidateArg};
use crate::report;

pub(crate) fn run(args: &RunArgs) -> Status {
    let Some(mapping) = load_mapping(args) else {
        return Status::Error;
    };
    let Some(reader_options) = reader_options(args, &mapping) else {
        return Status::Error;
    };
    let inputs = inputs(args);
    for input in &inputs {
        if let Input::Path(p) = input
            && let Err(e) = std::fs::metadata(p)
        {
            report::line(format_args!(
                "error: cannot read input {}: {e}",
                p.display()
            ));
            return Status::Error;
        }
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

fn load_mapping(args: &RunArgs) -> Option<CompiledMapping> {
    let path = args.mapping.as_ref()?;
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            report::line(format_args!("error: cannot read mapping {name}: {e}"));
            return None;
        }
    };
    match ocsf_map_mapping::compile(&name, &text) {
        Ok(mapping) => {
            report::diagnostics(&args.diagnostics, mapping.file(), mapping.warnings());
            Some(mapping)
        }
        Err(e) => {
            report::diagnostics(&args.diagnostics, &e.file, &e.diagnostics);
            let n = e.diagnostics.iter().filter(|d| d.is_error()).count();
            report::line(format_args!(
                "error: could not compile {name} ({n} error{})",
                if n == 1 { "" } else { "s" }
            ));
            None
        }
    }
}

fn reader_options(args: &RunArgs, mapping: &CompiledMapping) -> Option<ReaderOptions> {
    let hints = mapping.source_hints();
    let mut options = ReaderOptions {
        max_record_bytes: args.max_record_bytes,
        ..Default::default()
    };
    let format_name = args.format.as_deref().or(hints.format.as_deref());
    if let Some(name) = format_name {
        match name.parse::<Format>() {
            Ok(f) => options.format = Some(f),
            Err(e) => {
                let from = if args.format.is_some() {
                    "--format"
                } else {
                    "the mapping's source.format"
                };
                report::line(format_args!("error: {from}: {e}"));
                return None;
            }
        }
    }
    match args.delimiter.as_deref() {
        Some("\\t") => options.csv.delimiter = b'\t',
        Some(d) if d.len() == 1 => options.csv.delimiter = d.as_bytes()[0],
        Some(d) => {
            report::line(format_args!(
                "error: --delimiter must be one ASCII character, not `{d}`"
            ));
            return None;
        }
        None => {
            if let Some(d) = hints.delimiter {
                options.csv.delimiter = d;
            }
        }
    }
    Some(options)
}

fn inputs(args: &RunArgs) -> Vec<Input> {
    if args.inputs.is_empty() {
        return vec![Input::Stdin];
    }
    args.inputs
        .iter()
        .map(|p: &PathBuf| Input::from_arg(p.as_os_str()))
        .collect()
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
