//! `ocsf-map explain`: what the mapping does with one record.

use std::io::Write;

use ocsf_map_mapping::Mapper;

use crate::Status;
use crate::args::ExplainArgs;
use crate::{load, report};

pub(crate) fn explain(args: &ExplainArgs) -> Status {
    let Some(mapping) = load::mapping(&args.mapping, &args.diagnostics) else {
        return Status::Error;
    };
    let Some(options) = load::reader_options(&args.input, &mapping) else {
        return Status::Error;
    };
    let Some(inputs) = load::inputs(&args.inputs) else {
        return Status::Error;
    };
    if args.record == 0 {
        report::line(format_args!("error: --record counts from 1"));
        return Status::Error;
    }
    let mapper = Mapper::new(&mapping);
    let mut seen = 0u64;
    for input in &inputs {
        let mut reader = match ocsf_map_readers::open(input, &options) {
            Ok(r) => r,
            Err(e) => {
                report::line(format_args!("error: {e}"));
                return Status::Error;
            }
        };
        while let Some(next) = reader.next_record() {
            seen += 1;
            if seen < args.record {
                continue;
            }
            let record = match next {
                Ok(r) => r,
                Err(e) => {
                    report::line(format_args!(
                        "error: record {seen} at {} cannot be read: {}",
                        e.pos, e.kind
                    ));
                    return Status::Failure;
                }
            };
            let explanation = ocsf_map_authoring::explain(&mapper, &record);
            let text = if args.json {
                serde_json::to_string_pretty(&explanation).unwrap_or_default()
            } else {
                explanation.to_text()
            };
            let _ = writeln!(std::io::stdout().lock(), "{}", text.trim_end());
            return match explanation.outcome {
                ocsf_map_authoring::ExplainOutcome::Failed { .. } => Status::Failure,
                _ => Status::Success,
            };
        }
    }
    report::line(format_args!("error: there are only {seen} records"));
    Status::Error
}
