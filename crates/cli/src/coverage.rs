//! `ocsf-map coverage`: what a mapping does over a corpus.

use std::io::Write;

use ocsf_map_authoring::Coverage;
use ocsf_map_mapping::Mapper;

use crate::Status;
use crate::args::CoverageArgs;
use crate::{load, report};

pub(crate) fn coverage(args: &CoverageArgs) -> Status {
    let Some(mapping) = load::mapping(&args.mapping, &args.diagnostics) else {
        return Status::Error;
    };
    let Some(options) = load::reader_options(&args.input, &mapping) else {
        return Status::Error;
    };
    let Some(inputs) = load::inputs(&args.inputs) else {
        return Status::Error;
    };
    let mapper = Mapper::new(&mapping);
    let mut coverage = Coverage::new();
    for input in &inputs {
        let mut reader = match ocsf_map_readers::open(input, &options) {
            Ok(r) => r,
            Err(e) => {
                report::line(format_args!("error: {e}"));
                return Status::Error;
            }
        };
        while let Some(next) = reader.next_record() {
            match next {
                Ok(record) => coverage.add(&mapper, &record),
                Err(_) => coverage.add_unreadable(),
            }
        }
    }
    let r = coverage.report();
    let text = if args.json {
        serde_json::to_string_pretty(&r).unwrap_or_default()
    } else {
        r.to_text(mapping.file().name.as_str())
    };
    let _ = writeln!(std::io::stdout().lock(), "{}", text.trim_end());
    let mut status = Status::Success;
    if let Some(min) = args.min_required
        && r.min_required_percent() < min
    {
        report::line(format_args!(
            "error: required attributes filled {:.1}% of the time, below --min-required {min}",
            r.min_required_percent()
        ));
        status = Status::Failure;
    }
    if let Some(min) = args.min_recommended
        && r.min_recommended_percent() < min
    {
        report::line(format_args!(
            "error: recommended attributes filled {:.1}% of the time, below --min-recommended {min}",
            r.min_recommended_percent()
        ));
        status = Status::Failure;
    }
    status
}
