//! `ocsf-map explain`: what the mapping does with one record.

use std::io::Write;

use ocsf_map_mapping::Mapper;

use crate::Status;
use crate::args::ExplainArgs;
use crate::{load, report};

pub(crate) fn explain(args: &ExplainArgs) -> Status {
    let Some(session) = load::session(&args.session) else {
        return Status::Error;
    };
    if args.record == 0 {
        report::line(format_args!("error: --record counts from 1"));
        return Status::Error;
    }
    let mapper = Mapper::new(&session.mapping);
    let mut seen = 0u64;
    let mut status = None;
    let read_all = session.each_record(|next| {
        seen += 1;
        if seen < args.record {
            return true;
        }
        status = Some(show(&mapper, next, seen, args.json));
        false
    });
    match status {
        Some(status) => status,
        None if !read_all => Status::Error,
        None => {
            report::line(format_args!("error: there are only {seen} records"));
            Status::Error
        }
    }
}

/// Explains one record, or says why it cannot be read.
fn show(
    mapper: &Mapper<'_>,
    next: Result<ocsf_map_readers::Record, ocsf_map_readers::ReadError>,
    number: u64,
    json: bool,
) -> Status {
    let record = match next {
        Ok(r) => r,
        Err(e) => {
            report::line(format_args!(
                "error: record {number} at {} cannot be read: {}",
                e.pos, e.kind
            ));
            return Status::Failure;
        }
    };
    let explanation = ocsf_map_authoring::explain(mapper, &record);
    let text = if json {
        serde_json::to_string_pretty(&explanation).unwrap_or_default()
    } else {
        explanation.to_text()
    };
    let _ = writeln!(std::io::stdout().lock(), "{}", text.trim_end());
    match explanation.outcome {
        ocsf_map_authoring::ExplainOutcome::Failed { .. } => Status::Failure,
        _ => Status::Success,
    }
}
