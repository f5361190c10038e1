//! `ocsf-map check`: compile mappings and report their diagnostics.

use crate::Status;
use crate::args::CheckArgs;
use crate::report;

pub(crate) fn check(args: &CheckArgs) -> Status {
    let mut status = Status::Success;
    let mut paths = Vec::new();
    for arg in &args.mappings {
        match crate::fixtures::expand(arg) {
            Ok(found) => paths.extend(found),
            Err(e) => {
                report::line(format_args!("error: cannot read {}: {e}", arg.display()));
                status = Status::Error;
            }
        }
    }
    for path in &paths {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                report::line(format_args!("error: cannot read {name}: {e}"));
                status = Status::Error;
                continue;
            }
        };
        match ocsf_map_mapping::compile(&name, &text) {
            Ok(mapping) => {
                report::diagnostics(&args.diagnostics, mapping.file(), mapping.warnings());
                let classes: Vec<&str> = mapping.classes().map(|c| c.name()).collect();
                let warnings = mapping.warnings().len();
                if args.deny_warnings && warnings > 0 {
                    let plural = if warnings == 1 { "" } else { "s" };
                    report::line(format_args!(
                        "{name}: failed: {warnings} warning{plural}, denied by --deny-warnings"
                    ));
                    if status == Status::Success {
                        status = Status::Failure;
                    }
                } else {
                    report::line(format_args!("{name}: ok ({})", classes.join(", ")));
                }
            }
            Err(e) => {
                report::diagnostics(&args.diagnostics, &e.file, &e.diagnostics);
                status = Status::Error;
            }
        }
    }
    status
}
