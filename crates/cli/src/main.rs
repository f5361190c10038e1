//! `ocsf-map`: turns security logs into OCSF 1.4 documents through a YAML mapping.
//!
//! The binary only wires the library crates together: it parses arguments ([`args`]), runs the
//! command ([`run`], [`check`], [`validate`], [`explain`], [`fixtures`], [`coverage`]) and turns the outcome into an exit code:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every record was mapped (or skipped by the filter); `check`: no errors |
//! | 1 | the run finished but some records failed (see `--dead-letter`); `validate`: invalid documents; `test`: failing cases; `coverage`: below a minimum; `explain`: the record fails |
//! | 2 | nothing was done: the mapping, the arguments or an input/output is unusable |
//!
//! A closed stdout (`ocsf-map ... | head`) ends the run quietly with code 0.

mod args;
mod check;
mod coverage;
mod explain;
mod fixtures;
mod intake;
mod load;
mod report;
mod run;
mod validate;

use std::process::ExitCode;

use clap::Parser;

/// The mapper allocates and frees many small objects per record (documents, template values);
/// mimalloc does that markedly faster than glibc's allocator (see README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Some(Command::Check(check)) => check::check(&check),
        Some(Command::Validate(files)) => validate::validate(&files),
        Some(Command::Explain(args)) => explain::explain(&args),
        Some(Command::Test(args)) => fixtures::test(&args),
        Some(Command::Coverage(args)) => coverage::coverage(&args),
        None => run::run(&cli.run),
    };
    ExitCode::from(status as u8)
}

/// What the process reports to its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Everything worked.
    Success = 0,
    /// The tool worked and found problems: failed records, lint errors.
    Failure = 1,
    /// The tool could not do its job: bad arguments, unusable mapping, I/O error.
    Error = 2,
}
