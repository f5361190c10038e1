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
  ocsf-map validate findings.jsonl";

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

    /// Input format; default: the mapping's `source.format`, else the file extension, else
    /// sniffed from the content.
    #[arg(long, value_name = "FORMAT")]
    pub(crate) format: Option<String>,

    /// CSV field delimiter (one character; `\t` for tab).
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// How emitted documents are checked against OCSF 1.4.0.
    #[arg(long, value_enum, default_value_t = ValidateArg::Strict)]
    pub(crate) validate: ValidateArg,

    /// Longest record accepted, in bytes; longer ones fail without being buffered.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub(crate) max_record_bytes: usize,

    /// Print at most N record errors on stderr (all of them go to --dead-letter).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) max_errors: u64,

    /// No summary on stderr.
    #[arg(short, long)]
    pub(crate) quiet: bool,

    #[command(flatten)]
    pub(crate) diagnostics: DiagnosticArgs,
}

/// `ocsf-map check MAPPING...`
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Mapping files to check.
    #[arg(value_name = "MAPPING", required = true)]
    pub(crate) mappings: Vec<PathBuf>,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub(crate) deny_warnings: bool,

    #[command(flatten)]
    pub(crate) diagnostics: DiagnosticArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DiagnosticArgs {
    /// How mapping diagnostics are printed.
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
