//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status: 0 when every record was mapped, 1 when some records failed (they are reported on \
stderr and kept in --dead-letter), 2 when the mapping, an argument or an input is unusable.

Examples:
  ocsf-map --mapping mappings/suricata-alert.yaml samples/suricata/eve-alerts.log
  ocsf-map -m mappings/zeek-conn.yaml -o conn.ocsf.jsonl --dead-letter conn.failed.jsonl conn.log
  ocsf-map check mappings/*.yaml
  ocsf-map validate findings.jsonl
  ocsf-map explain -m mappings/suricata-alert.yaml samples/suricata/eve-alerts.log --record 3
  ocsf-map test mappings/
  ocsf-map coverage -m mappings/zeek-conn.yaml samples/zeek/conn.log --min-required 100";

/// Turns security logs into OCSF 1.4 documents through a declarative YAML mapping.
#[derive(Debug, Parser)]
#[command(
    name = "ocsf-map",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compile mapping files and report every problem, without reading any input.
    Check(CheckArgs),
    /// Check OCSF documents (JSON lines, a JSON array, or one document) against OCSF 1.4.0.
    Validate(ValidateFilesArgs),
    /// Show what every rule does with one record, and which source fields no rule reads.
    Explain(ExplainArgs),
    /// Run the fixture cases beside mappings (`x.yaml` → `x.tests/<case>/`).
    Test(TestArgs),
    /// Over a corpus: unread source fields, OCSF attribute fill rates, rules and lookups that fired.
    Coverage(CoverageArgs),
}

/// Where documents go, and the Cisco XDR intake settings.
#[derive(Debug, Args)]
#[command(next_help_heading = "Delivery")]
pub(crate) struct IntakeArgs {
    /// `file`: JSON lines to stdout or -o; `intake`: submit each group to the Cisco XDR Findings
    /// Intake API (credentials from XDR_CLIENT_ID / XDR_CLIENT_SECRET or --credentials-file).
    #[arg(long, value_enum, default_value_t = SinkArg::File)]
    pub(crate) sink: SinkArg,

    /// XDR region: picks the intake host and the token URL.
    #[arg(long, value_name = "us|eu|apjc", default_value = "us")]
    pub(crate) region: String,

    /// The intake host's base URL (the endpoint paths are appended), instead of the region's.
    #[arg(long, value_name = "URL")]
    pub(crate) endpoint: Option<String>,

    /// The OAuth2 token URL, instead of the region's.
    #[arg(long, value_name = "URL")]
    pub(crate) token_url: Option<String>,

    /// The XDR integration module instance that names the custom event source.
    #[arg(long, value_name = "ID")]
    pub(crate) module_instance_id: Option<String>,

    /// An extra request header, e.g. the workflow run id (repeatable).
    #[arg(long = "header", value_name = "NAME:VALUE")]
    pub(crate) headers: Vec<String>,

    /// `custom`: Cisco's simplified body, one finding per request; `bundle`: native OCSF bundles.
    #[arg(
        long = "intake",
        value_name = "custom|bundle",
        default_value = "custom"
    )]
    pub(crate) mode: String,

    /// Read the client id and secret from FILE (JSON or KEY=VALUE lines) instead of the
    /// environment.
    #[arg(long, value_name = "FILE")]
    pub(crate) credentials_file: Option<PathBuf>,

    /// Request budget: the organisation's limit is 8000 per hour, shared by its API clients.
    #[arg(long, value_name = "N", default_value_t = 8000)]
    pub(crate) max_requests_per_hour: u32,

    /// Durable journal of acknowledged findings: the same command resumes after a crash without
    /// re-sending an acknowledged finding or skipping one.
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SinkArg {
    /// JSON lines to stdout or --output.
    File,
    /// The Cisco XDR Findings Intake API.
    Intake,
}

/// How inputs are read (shared by the commands that read records).
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Input format: csv, jsonl, json, syslog, splunk-json or splunk-csv; default: the
    /// mapping's `source.format`, else the file extension, else sniffed from the content
    /// (gzip and zstd are recognised by their magic bytes).
    #[arg(long, value_name = "FORMAT")]
    pub(crate) format: Option<String>,

    /// CSV field delimiter (one character; `\t` for tab).
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// Longest record accepted, in bytes; longer ones fail without being buffered.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub(crate) max_record_bytes: usize,

    /// Syslog: the year of RFC 3164 timestamps (default: the input file's modification year,
    /// or this year for stdin; a date after that is taken as last year's).
    #[arg(long, value_name = "YEAR")]
    pub(crate) year: Option<i32>,

    /// Syslog: the UTC offset of timestamps that carry none, e.g. `+02:00` (default UTC).
    #[arg(long, value_name = "OFFSET")]
    pub(crate) timezone: Option<String>,

    /// Syslog: parse each message with `kv`, `cef` or `regex:<pattern with named groups>`;
    /// the result is the record's `body`.
    #[arg(long, value_name = "PARSER")]
    pub(crate) body: Option<String>,

    /// Splunk exports: read each `_raw` again as `json`, `syslog`, `kv` or `cef`; the result is
    /// the record's `_raw_parsed`.
    #[arg(long, value_name = "FORMAT")]
    pub(crate) splunk_raw: Option<String>,
}

/// A mapping, its inputs and how to read them (the commands that read records).
#[derive(Debug, Args)]
pub(crate) struct SessionArgs {
    /// The YAML mapping file.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) mapping: PathBuf,

    /// Input files, read in order; `-` or none reads stdin.
    #[arg(value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    #[command(flatten)]
    pub(crate) diagnostics: DiagnosticArgs,
}

/// `ocsf-map explain --mapping M INPUT --record N`
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,

    /// Which record to explain: its 1-based number across the inputs.
    #[arg(short, long, value_name = "N", default_value_t = 1)]
    pub(crate) record: u64,

    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `ocsf-map test [MAPPING|DIR]...`
#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Mapping files, or directories of them (default: `mappings`).
    #[arg(value_name = "MAPPING|DIR")]
    pub(crate) paths: Vec<PathBuf>,

    /// Rewrite each case's expected.jsonl with the current output.
    #[arg(long)]
    pub(crate) update: bool,

    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) diagnostics: DiagnosticArgs,
}

/// `ocsf-map coverage --mapping M INPUT...`
#[derive(Debug, Args)]
pub(crate) struct CoverageArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,

    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,

    /// Fail (exit 1) when a class's required attributes are filled less than PERCENT of the time.
    #[arg(long, value_name = "PERCENT")]
    pub(crate) min_required: Option<f64>,

    /// Fail (exit 1) when a class's recommended attributes are filled less than PERCENT of the time.
    #[arg(long, value_name = "PERCENT")]
    pub(crate) min_recommended: Option<f64>,
}

/// `ocsf-map validate FILE...`
#[derive(Debug, Args)]
pub(crate) struct ValidateFilesArgs {
    /// Files of OCSF documents; `-` or none reads stdin.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
}

/// Map INPUT files (or stdin) to OCSF JSON lines.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The YAML mapping file.
    #[arg(short, long, value_name = "FILE", required = true)]
    pub(crate) mapping: Option<PathBuf>,

    /// Input files, read in order; `-` or none reads stdin.
    #[arg(value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// Write documents to FILE (through a temporary file, renamed when the run completes)
    /// instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Write records that fail (with position, error and the record) to FILE as JSON lines;
    /// the file is created at the first failure.
    #[arg(long, value_name = "FILE")]
    pub(crate) dead_letter: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// Show the first groups (pretty-printed, with their validation result) instead of writing
    /// anything.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// With --dry-run: how many groups to show.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) preview: u64,

    /// How emitted documents are checked against OCSF 1.4.0.
    #[arg(long, value_enum, default_value_t = ValidateArg::Strict)]
    pub(crate) validate: ValidateArg,

    #[command(flatten)]
    pub(crate) intake: IntakeArgs,

    /// Mapper threads (default: one per core): 1 maps on the main thread; N > 1 reads, maps on
    /// N threads and writes in input order (the output is the same as with 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(crate) threads: Option<u16>,

    /// Print at most N record errors on stderr (all of them go to --dead-letter).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) max_errors: u64,

    /// No summary on stderr.
    #[arg(short, long)]
    pub(crate) quiet: bool,

    #[command(flatten)]
    pub(crate) diagnostics: DiagnosticArgs,
}

/// `ocsf-map check MAPPING|DIR...`
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Mapping files to check, or directories of them (every `*.yaml` in each).
    #[arg(value_name = "MAPPING|DIR", required = true)]
    pub(crate) mappings: Vec<PathBuf>,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub(crate) deny_warnings: bool,

    #[command(flatten)]
    pub(crate) diagnostics: DiagnosticArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DiagnosticArgs {
    /// How mapping diagnostics (and, with `json`, record errors) are printed.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub(crate) message_format: MessageFormat,

    /// Colour diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ValidateArg {
    /// Invalid documents fail their record.
    Strict,
    /// Invalid documents are written and reported.
    Warn,
    /// No validation.
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum MessageFormat {
    /// Cargo-style, with the source excerpt.
    Human,
    /// One line per diagnostic: `file:line:col: error[CODE]: message`.
    Short,
    /// One JSON object per line.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// When stderr is a terminal.
    Auto,
    Always,
    Never,
}
