//! `ocsf-map check`: compile mappings and report their diagnostics.

use crate::Status;
use crate::args::CheckArgs;
use crate::report;

pub(crate) fn check(args: &CheckArgs) -> Status {
    let mut status = Status::Success;
    for path in &args.mappings {
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
                report::line(format_args!("{name}: ok ({})", classes.join(", ")));
                if args.deny_warnings && !mapping.warnings().is_empty() && status == Status::Success
                {
                    status = Status::Failure;
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
