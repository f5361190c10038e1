//! Syslog text: RFC 3164 and RFC 5424 lines, one record per line.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value};
use syslog_loose::{Message, ProcId, Variant};

use crate::error::ReadErrorKind;
use crate::lines::LineDecoder;
use ocsf_map_parsers::BodyParser;

/// Options for syslog text (and for [`parse_syslog_line`]).
///
/// **Year policy.** RFC 3164 timestamps (`Oct 11 22:14:15`) have no year. With `year` set, every
/// such timestamp gets that year. Without it, the year comes from a reference date: the file's
/// modification time when reading a file, else (standard input, [`crate::open_read`],
/// [`parse_syslog_line`]) the current date; a timestamp more than one day after the reference
/// date is taken to be from the year before (a `Dec 31` line in a file written on `Jan 1`).
///
/// **Timezone policy.** Timestamps that carry no offset (RFC 3164) are read in `utc_offset`
/// (default UTC, never the machine's local time, so that a run gives the same output anywhere).
/// Timestamps with an offset (RFC 5424, ISO 8601 in 3164 lines) keep theirs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyslogOptions {
    /// The year of RFC 3164 timestamps; `None` to derive it from the reference date.
    pub year: Option<i32>,
    /// The offset of timestamps that carry none. Default UTC.
    pub utc_offset: UtcOffset,
    /// A parser for the message, whose result goes into the record's `body` field; a message it
    /// cannot parse is an error for that record. Default none.
    pub body: Option<BodyParser>,
}

/// A fixed offset from UTC, as `Z`, `UTC`, `+02:00`, `-0500` or `+05`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct UtcOffset {
    seconds: i32,
}

impl UtcOffset {
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset { seconds: 0 };

    /// An offset of `seconds` east of UTC; `None` unless strictly within ±24 hours.
    pub fn from_seconds(seconds: i32) -> Option<UtcOffset> {
        (seconds.abs() < 86_400).then_some(UtcOffset { seconds })
    }

    /// Seconds east of UTC.
    pub fn seconds(self) -> i32 {
        self.seconds
    }

    fn fixed(self) -> FixedOffset {
        FixedOffset::east_opt(self.seconds).unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
    }
}

impl fmt::Display for UtcOffset {
    /// `+HH:MM` (`+00:00` for UTC).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let minutes = self.seconds.unsigned_abs() / 60;
        write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// A timezone offset that [`UtcOffset`]'s `FromStr` cannot read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid UTC offset {0:?} (expected Z, UTC, or +HH:MM, -HHMM, +HH)")]
pub struct InvalidUtcOffset(pub String);

impl FromStr for UtcOffset {
    type Err = InvalidUtcOffset;

    fn from_str(s: &str) -> Result<UtcOffset, InvalidUtcOffset> {
        let invalid = || InvalidUtcOffset(s.to_owned());
        if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
            return Ok(UtcOffset::UTC);
        }
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') => (1, &s[1..]),
            Some(b'-') => (-1, &s[1..]),
            _ => return Err(invalid()),
        };
        let digits: String = rest.chars().filter(|&c| c != ':').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || rest.starts_with(':') {
            return Err(invalid());
        }
        let (hours, minutes) = match digits.len() {
            2 => (&digits[..2], "0"),
            4 => (&digits[..2], &digits[2..]),
            _ => return Err(invalid()),
        };
        let hours: i32 = hours.parse().map_err(|_| invalid())?;
        let minutes: i32 = minutes.parse().map_err(|_| invalid())?;
        if minutes >= 60 {
            return Err(invalid());
        }
        UtcOffset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok_or_else(invalid)
    }
}

/// Parses one syslog line (RFC 5424, else RFC 3164, else a bare message with an optional PRI).
///
/// Never fails: what cannot be read as a header is the message. The result is the syslog
/// record's fields (see the crate documentation for their shape); `options.body` is not applied
/// (call [`BodyParser::parse`] on the `message`). RFC 3164 timestamps without a year take
/// `options.year` or, if unset, the current year (see [`SyslogOptions`] for the policy).
///
/// ```
/// use ocsf_map_readers::{parse_syslog_line, SyslogOptions};
///
/// let options = SyslogOptions { year: Some(2024), ..SyslogOptions::default() };
/// let fields = parse_syslog_line("<34>Oct 11 22:14:15 mymachine su: 'su root' failed", &options);
/// assert_eq!(fields["facility"], "auth");
/// assert_eq!(fields["severity"], "crit");
/// assert_eq!(fields["timestamp"], "2024-10-11T22:14:15Z");
/// assert_eq!(fields["app_name"], "su");
/// assert_eq!(fields["message"], "'su root' failed");
/// ```
pub fn parse_syslog_line(line: &str, options: &SyslogOptions) -> Map<String, Value> {
    let today = Utc::now()
        .with_timezone(&options.utc_offset.fixed())
        .date_naive();
    parse_at(line, options, today)
}

/// The reference date for the year policy: the day `time` falls on in `offset`.
pub(crate) fn reference_date(time: Option<SystemTime>, offset: UtcOffset) -> NaiveDate {
    let time: DateTime<Utc> = time.map_or_else(Utc::now, DateTime::<Utc>::from);
    time.with_timezone(&offset.fixed()).date_naive()
}

/// [`parse_syslog_line`] with an explicit reference date for the year policy.
pub(crate) fn parse_at(
    line: &str,
    options: &SyslogOptions,
    reference: NaiveDate,
) -> Map<String, Value> {
    let fixed_year = options.year;
    let get_year = move |(month, day, _, _, _): syslog_loose::IncompleteDate| {
        if let Some(year) = fixed_year {
            return year;
        }
        let year = reference.year();
        match NaiveDate::from_ymd_opt(year, month, day) {
            Some(date) if (date - reference).num_days() > 1 => year - 1,
            _ => year,
        }
    };
    let tz = options.utc_offset.fixed();
    match syslog_loose::parse_message_with_year_exact_tz(line, get_year, Some(tz), Variant::Either)
    {
        Ok(message) => fields(line, &message),
        Err(_) => bare(line),
    }
}

/// The fields of a line that has no syslog header: an optional PRI, then the message.
fn bare(line: &str) -> Map<String, Value> {
    let (pri, message) = match split_pri(line) {
        Some((pri, rest)) => (Some(pri), rest),
        None => (None, line),
    };
    let message = message.trim();
    let mut out = Map::new();
    out.insert("protocol".into(), Value::Null);
    insert_pri(&mut out, pri);
    for key in ["timestamp", "hostname", "app_name", "procid", "msgid"] {
        out.insert(key.into(), Value::Null);
    }
    out.insert("structured_data".into(), Value::Object(Map::new()));
    finish_message(&mut out, message);
    out
}

/// `<PRI>` at the start of `line` (0 to 191), and what follows it.
fn split_pri(line: &str) -> Option<(u8, &str)> {
    let rest = line.trim_start().strip_prefix('<')?;
    let end = rest.find('>')?;
    let digits = &rest[..end];
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let pri: u8 = digits.parse().ok().filter(|&p| p <= 191)?;
    Some((pri, &rest[end + 1..]))
}

fn insert_pri(out: &mut Map<String, Value>, pri: Option<u8>) {
    out.insert("pri".into(), pri.map_or(Value::Null, Value::from));
    let facility = pri.map(|p| FACILITIES[usize::from(p / 8)]);
    let severity = pri.map(|p| SEVERITIES[usize::from(p % 8)]);
    out.insert("facility".into(), facility.map_or(Value::Null, Value::from));
    out.insert("severity".into(), severity.map_or(Value::Null, Value::from));
}

/// Facility names by code, as syslog_loose (and Linux) names them.
const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
    "ftp", "ntp", "audit", "alert", "clockd", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

/// Severity names by code.
const SEVERITIES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// Where `part` (a slice of `line`) starts in `line`.
fn offset_in(line: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(line.as_ptr() as usize)?;
    (start + part.len() <= line.len()).then_some(start)
}

fn fields(line: &str, message: &Message<&str>) -> Map<String, Value> {
    let mut out = Map::new();
    let protocol = match message.protocol {
        syslog_loose::Protocol::RFC3164 => "rfc3164",
        syslog_loose::Protocol::RFC5424(_) => "rfc5424",
    };
    out.insert("protocol".into(), protocol.into());
    let pri = match (message.facility, message.severity) {
        (Some(facility), Some(severity)) => Some(facility as u8 * 8 + severity as u8),
        _ => None,
    };
    insert_pri(&mut out, pri);
    let timestamp = message
        .timestamp
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    out.insert(
        "timestamp".into(),
        timestamp.map_or(Value::Null, Value::from),
    );

    let mut hostname = message.hostname.filter(|h| !h.is_empty() && *h != "-");
    let mut app_name = message
        .appname
        .filter(|a| !a.is_empty() && *a != "-" && *a != ":");
    let mut text = message.msg;
    // syslog_loose reads `<166>Mar 17 18:24:37 mail_logs: Info: …` as host `mail_logs`: a
    // single word followed by `:` is the tag, not the host.
    if app_name.is_none()
        && let Some(host) = hostname
        && let Some(start) = offset_in(line, host)
        && line[start + host.len()..].starts_with(':')
    {
        hostname = None;
        app_name = Some(host.strip_suffix(':').unwrap_or(host)).filter(|a| !a.is_empty());
    }
    // `host CEF:0|…` is a CEF message, not a tag `CEF`.
    if let Some(app) = app_name
        && app == "CEF"
        && let Some(start) = offset_in(line, app)
        && line[start + app.len()..].starts_with(':')
    {
        app_name = None;
        text = &line[start..];
    }
    // RFC 3164 requires a tag to end with `:` or `[pid]`; a word without either is the start of
    // the message (`Dec  6 15:56:17 host No app name in this message`).
    if let (syslog_loose::Protocol::RFC3164, Some(app), None) =
        (&message.protocol, app_name, message.procid.as_ref())
        && let (Some(app_start), Some(msg_start)) = (offset_in(line, app), offset_in(line, text))
    {
        let between = line.get(app_start + app.len()..msg_start).unwrap_or("");
        if !app.ends_with(':') && !between.contains(':') && msg_start >= app_start {
            app_name = None;
            text = line.get(app_start..).unwrap_or(text);
        }
    }
    let app_name = app_name.map(|a| a.strip_suffix(':').unwrap_or(a));
    out.insert("hostname".into(), hostname.map_or(Value::Null, Value::from));
    out.insert("app_name".into(), app_name.map_or(Value::Null, Value::from));
    let procid = match &message.procid {
        Some(ProcId::PID(pid)) => Value::from(*pid),
        Some(ProcId::Name(name)) if *name != "-" => Value::from(*name),
        _ => Value::Null,
    };
    out.insert("procid".into(), procid);
    let msgid = message.msgid.filter(|m| *m != "-");
    out.insert("msgid".into(), msgid.map_or(Value::Null, Value::from));
    let mut sd = Map::new();
    for element in &message.structured_data {
        let params: Map<String, Value> = element
            .params()
            .map(|(k, v)| (k.to_string(), Value::from(v.to_string())))
            .collect();
        sd.insert(element.id.to_owned(), Value::Object(params));
    }
    out.insert("structured_data".into(), Value::Object(sd));
    finish_message(&mut out, text.trim());
    out
}

/// Inserts `message` (without a leading BOM) and, for a Cisco message, `cisco`.
fn finish_message(out: &mut Map<String, Value>, message: &str) {
    let message = message.strip_prefix('\u{FEFF}').unwrap_or(message);
    out.insert("message".into(), message.into());
    if let Some(cisco) = parse_cisco(message) {
        out.insert("cisco".into(), Value::Object(cisco));
    }
}

/// A Cisco message header: `%ASA-6-302013: text`, `%FTD-4-419002: text`,
/// `%LINEPROTO-5-UPDOWN: text` → `{facility, severity, message_id, text}`.
fn parse_cisco(message: &str) -> Option<Map<String, Value>> {
    let rest = message.strip_prefix('%')?;
    let colon = rest.find(':')?;
    let header = &rest[..colon];
    let mut parts = header.splitn(3, '-');
    let facility = parts.next()?;
    let severity = parts.next()?;
    let message_id = parts.next()?;
    let word = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let severity: u8 = match severity.as_bytes() {
        [d @ b'0'..=b'7'] => d - b'0',
        _ => return None,
    };
    if !word(facility) || !word(message_id) {
        return None;
    }
    let mut out = Map::new();
    out.insert("facility".into(), facility.into());
    out.insert("severity".into(), severity.into());
    out.insert("message_id".into(), message_id.into());
    out.insert("text".into(), rest[colon + 1..].trim_start().into());
    Some(out)
}

/// Decodes syslog lines, applying the body parser if there is one.
pub(crate) struct SyslogLine {
    pub(crate) options: SyslogOptions,
    pub(crate) reference: NaiveDate,
}

impl LineDecoder for SyslogLine {
    fn decode(&mut self, line: &str) -> Result<Option<Value>, ReadErrorKind> {
        let mut fields = parse_at(line, &self.options, self.reference);
        if let Some(parser) = &self.options.body {
            let message = fields.get("message").and_then(Value::as_str).unwrap_or("");
            let body = parser.parse(message).map_err(|e| ReadErrorKind::Body {
                message: e.to_string(),
            })?;
            fields.insert("body".into(), Value::Object(body));
        }
        Ok(Some(Value::Object(fields)))
    }
}

/// Parses a timestamp into epoch milliseconds: RFC 3339 (`T` or a space between date and time,
/// `Z` or an offset, or ` UTC`/` GMT`, or no zone: read in `offset`), or epoch seconds with an
/// optional fraction. Used for Splunk's `_time`.
pub(crate) fn epoch_ms(text: &str, offset: UtcOffset) -> Option<i64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let seconds: f64 = text.parse().ok()?;
        return Some((seconds * 1000.0).round() as i64);
    }
    let text = text
        .strip_suffix(" UTC")
        .or_else(|| text.strip_suffix(" GMT"))
        .map_or_else(|| text.to_owned(), |t| format!("{t}Z"));
    let normalised = text.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&normalised) {
        return Some(t.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(&normalised, format) {
            return Some(t.timestamp_millis());
        }
    }
    let naive = chrono::NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let local = offset.fixed().from_local_datetime(&naive).single()?;
    Some(local.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_reference(line: &str, y: i32, m: u32, d: u32) -> Value {
        let reference = NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
        parse_at(line, &SyslogOptions::default(), reference)["timestamp"].clone()
    }

    #[test]
    fn a_december_line_read_in_january_is_from_the_year_before() {
        let timestamp = at_reference("Dec 31 23:59:59 h a: x", 2024, 1, 1);
        assert_eq!(timestamp, "2023-12-31T23:59:59Z");
    }

    #[test]
    fn a_line_up_to_a_day_after_the_reference_is_from_its_year() {
        assert_eq!(
            at_reference("Jun 16 00:00:00 h a: x", 2024, 6, 15),
            "2024-06-16T00:00:00Z"
        );
        assert_eq!(
            at_reference("Jun 17 00:00:00 h a: x", 2024, 6, 15),
            "2023-06-17T00:00:00Z"
        );
    }

    #[test]
    fn split_pri_rejects_values_over_191() {
        assert_eq!(split_pri("<191>x"), Some((191, "x")));
        assert_eq!(split_pri("<192>x"), None);
        assert_eq!(split_pri("<>x"), None);
    }

    #[test]
    fn epoch_ms_reads_splunk_time_spellings() {
        let utc = UtcOffset::UTC;
        assert_eq!(epoch_ms("1354063445.208", utc), Some(1_354_063_445_208));
        assert_eq!(
            epoch_ms("2020-12-23 19:43:35.000 UTC", utc),
            Some(1_608_752_615_000)
        );
        assert_eq!(
            epoch_ms("2012-11-27T16:44:05.208-08:00", utc),
            Some(1_354_063_445_208)
        );
        assert_eq!(
            epoch_ms("2012-11-27 16:44:05", utc),
            Some(1_354_034_645_000)
        );
        assert_eq!(epoch_ms("yesterday", utc), None);
    }
}
