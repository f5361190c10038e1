//! `ocsf-map coverage`: what a mapping does over a corpus.

use std::io::Write;

use ocsf_map_authoring::Coverage;
use ocsf_map_mapping::Mapper;

use crate::Status;
use crate::args::CoverageArgs;
use crate::{load, report};

pub(crate) fn coverage(args: &CoverageArgs) -> Status {
    let Some(session) = load::session(&args.session) else {
        return Status::Error;
    };
    let mapping = &session.mapping;
    let mapper = Mapper::new(mapping);
    let mut coverage = Coverage::new();
    let read_all = session.each_record(|next| {
        match next {
            Ok(record) => coverage.add(&mapper, &record),
            Err(_) => coverage.add_unreadable(),
        }
        true
    });
    if !read_all {
        return Status::Error;
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
