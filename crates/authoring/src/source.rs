//! A mapping's `source:` section as reader options, the same for every command.

use ocsf_map_mapping::SourceHints;
use ocsf_map_readers::{Format, ReaderOptions};

/// The reader options a mapping's `source:` asks for (format, delimiter, syslog year, timezone
/// and body parser, Splunk `_raw` format). The command line may override them afterwards.
///
/// # Errors
///
/// A message naming the `source.` key whose value the readers do not accept.
pub fn reader_options(hints: &SourceHints) -> Result<ReaderOptions, String> {
    let mut options = ReaderOptions::default();
    if let Some(name) = &hints.format {
        options.format = Some(
            name.parse::<Format>()
                .map_err(|e| format!("the mapping's source.format: {e}"))?,
        );
    }
    if let Some(d) = hints.delimiter {
        options.csv.delimiter = d;
    }
    options.syslog.year = hints.year;
    if let Some(tz) = &hints.timezone {
        options.syslog.utc_offset = tz
            .parse()
            .map_err(|e| format!("the mapping's source.timezone `{tz}`: {e}"))?;
    }
    if let Some(body) = &hints.body {
        options.syslog.body = Some(
            body.parse()
                .map_err(|e| format!("the mapping's source.body: {e}"))?,
        );
    }
    if let Some(raw) = &hints.raw {
        options.splunk.raw = Some(
            raw.parse()
                .map_err(|e| format!("the mapping's source.raw: {e}"))?,
        );
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_key_reaches_the_reader_options() {
        let hints = SourceHints {
            format: Some("syslog".into()),
            delimiter: Some(b';'),
            year: Some(2023),
            timezone: Some("+02:00".into()),
            body: Some("kv".into()),
            raw: Some("json".into()),
        };
        let o = reader_options(&hints).unwrap();
        assert_eq!(o.format, Some(Format::Syslog));
        assert_eq!(o.csv.delimiter, b';');
        assert_eq!(o.syslog.year, Some(2023));
        assert_eq!(o.syslog.utc_offset.seconds(), 7200);
        assert!(o.syslog.body.is_some());
        assert!(o.splunk.raw.is_some());
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let hints = SourceHints {
            timezone: Some("Mars".into()),
            ..SourceHints::default()
        };
        assert!(
            reader_options(&hints)
                .unwrap_err()
                .contains("source.timezone")
        );
    }
}
