//! What several commands share: loading a mapping (printing its diagnostics), reader options,
//! the list of inputs.

use std::path::{Path, PathBuf};

use ocsf_map_mapping::CompiledMapping;
use ocsf_map_readers::{Format, Input, ReadError, ReaderOptions, Record};

use crate::args::{DiagnosticArgs, InputArgs, SessionArgs};
use crate::report;

/// Reads and compiles a mapping, printing its warnings, or its errors and `None`.
pub(crate) fn mapping(path: &Path, diagnostics: &DiagnosticArgs) -> Option<CompiledMapping> {
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
            report::diagnostics(diagnostics, mapping.file(), mapping.warnings());
            Some(mapping)
        }
        Err(e) => {
            report::diagnostics(diagnostics, &e.file, &e.diagnostics);
            let n = e.diagnostics.iter().filter(|d| d.is_error()).count();
            report::line(format_args!(
                "error: could not compile {name} ({n} error{})",
                if n == 1 { "" } else { "s" }
            ));
            None
        }
    }
}

/// Reader options: the mapping's `source:` settings, overridden by the command line.
pub(crate) fn reader_options(args: &InputArgs, mapping: &CompiledMapping) -> Option<ReaderOptions> {
    let mut options = match ocsf_map_authoring::reader_options(mapping.source_hints()) {
        Ok(o) => o,
        Err(e) => {
            report::line(format_args!("error: {e}"));
            return None;
        }
    };
    options.max_record_bytes = args.max_record_bytes;
    if let Some(name) = args.format.as_deref() {
        match name.parse::<Format>() {
            Ok(f) => options.format = Some(f),
            Err(e) => {
                report::line(format_args!("error: --format: {e}"));
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
        None => {}
    }
    if let Some(year) = args.year {
        options.syslog.year = Some(year);
    }
    if let Some(tz) = args.timezone.as_deref() {
        match tz.parse() {
            Ok(offset) => options.syslog.utc_offset = offset,
            Err(e) => {
                report::line(format_args!("error: --timezone `{tz}`: {e}"));
                return None;
            }
        }
    }
    if let Some(body) = args.body.as_deref() {
        match body.parse() {
            Ok(parser) => options.syslog.body = Some(parser),
            Err(e) => {
                report::line(format_args!("error: --body: {e}"));
                return None;
            }
        }
    }
    if let Some(raw) = args.splunk_raw.as_deref() {
        match raw.parse() {
            Ok(format) => options.splunk.raw = Some(format),
            Err(e) => {
                report::line(format_args!("error: --splunk-raw: {e}"));
                return None;
            }
        }
    }
    Some(options)
}

/// The inputs to read, in order: files, `-` for stdin, directories (every file below) and
/// globs; stdin when none. Each file is checked to exist.
pub(crate) fn inputs(paths: &[PathBuf]) -> Option<Vec<Input>> {
    if paths.is_empty() {
        return Some(vec![Input::Stdin]);
    }
    let args: Vec<std::ffi::OsString> = paths.iter().map(|p| p.as_os_str().to_owned()).collect();
    let inputs = match ocsf_map_readers::expand_inputs(&args) {
        Ok(inputs) => inputs,
        Err(e) => {
            report::line(format_args!("error: {e}"));
            return None;
        }
    };
    for input in &inputs {
        if let Input::Path(p) = input
            && let Err(e) = std::fs::metadata(p)
        {
            report::line(format_args!(
                "error: cannot read input {}: {e}",
                p.display()
            ));
            return None;
        }
    }
    Some(inputs)
}

/// What every command that reads records needs: the compiled mapping, the reader options and
/// the inputs. `None` (after printing why) when any of them is unusable.
pub(crate) struct Session {
    pub(crate) mapping: CompiledMapping,
    pub(crate) options: ReaderOptions,
    pub(crate) inputs: Vec<Input>,
}

pub(crate) fn session(args: &SessionArgs) -> Option<Session> {
    session_of(&args.mapping, &args.diagnostics, &args.input, &args.inputs)
}

/// [`session`] from its parts (the main command's mapping flag is optional for clap).
pub(crate) fn session_of(
    mapping: &Path,
    diagnostics: &DiagnosticArgs,
    input: &InputArgs,
    inputs: &[PathBuf],
) -> Option<Session> {
    let mapping = self::mapping(mapping, diagnostics)?;
    let options = reader_options(input, &mapping)?;
    let inputs = self::inputs(inputs)?;
    Some(Session {
        mapping,
        options,
        inputs,
    })
}

impl Session {
    /// Reads every record of every input, in order, until `each` returns false. An input that
    /// cannot be opened is reported and ends the reading with `false`.
    pub(crate) fn each_record(
        &self,
        mut each: impl FnMut(Result<Record, ReadError>) -> bool,
    ) -> bool {
        for input in &self.inputs {
            let mut reader = match ocsf_map_readers::open(input, &self.options) {
                Ok(r) => r,
                Err(e) => {
                    report::line(format_args!("error: {e}"));
                    return false;
                }
            };
            while let Some(next) = reader.next_record() {
                if !each(next) {
                    return true;
                }
            }
        }
        true
    }
}
