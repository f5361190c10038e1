//! Everything the binary prints on stderr: diagnostics, record errors, the summary.
//!
//! Writes go through `writeln!` on a locked stderr and their errors are ignored, so that a
//! closed stderr can never make the process panic.

use std::io::{IsTerminal, Write};

use ocsf_map_diag::{Diagnostic, SourceFile, render_concise, render_full, to_json};

use crate::args::{ColorChoice, DiagnosticArgs, MessageFormat};

/// Prints mapping diagnostics in the chosen format.
pub(crate) fn diagnostics(args: &DiagnosticArgs, file: &SourceFile, diags: &[Diagnostic]) {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stderr().is_terminal(),
    };
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = match args.message_format {
            MessageFormat::Human => writeln!(err, "{}\n", render_full(d, file, color)),
            MessageFormat::Short => writeln!(err, "{}", render_concise(d, file)),
            MessageFormat::Json => writeln!(err, "{}", to_json(d, file)),
        };
    }
}

/// Prints one line on stderr.
pub(crate) fn line(text: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
