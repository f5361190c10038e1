//! [`coerce`]: turn a source value into the JSON that an attribute's type wants.

use jiff::Timestamp;
use jiff::fmt::rfc2822::DateTimeParser;
use jiff::fmt::strtime;
use serde_json::{Number, Value};

use crate::class::Attribute;
use crate::schema::{BaseType, Enumeration};
use crate::validate::quote;

/// Why a value could not be coerced. `Display`: `cannot read "abc" as port_t`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {value} as {type_name}{}", .detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
pub struct CoercionError {
    /// The value as given, rendered as JSON (strings quoted, long values shortened).
    pub value: String,
    /// The target type, e.g. `port_t`.
    pub type_name: String,
    /// What kind of failure.
    pub kind: CoercionErrorKind,
    /// More about the failure, e.g. `out of range 0..65535`.
    pub detail: Option<String>,
}

/// The kinds of [`CoercionError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CoercionErrorKind {
    /// The value is `null`; the attribute should be omitted.
    Null,
    /// The value cannot be read as the type.
    Invalid,
    /// The value is a number of the right kind but outside the type's range.
    OutOfRange,
}

/// Coerce `value` to the JSON shape of `attr`'s type.
///
/// | target | accepted |
/// |---|---|
/// | any `is_array` attribute | an array (each element coerced), or a scalar, which becomes a one-element array |
/// | integers (`integer_t`, `long_t`, `port_t`, enum ids) | integers; floats without a fraction; numeric strings (`"443"`, `" 443 "`, `"443.0"`); for an enum id, a caption (`"High"` → 4, ignoring ASCII case); the type's range is enforced (`port_t` 0..65535) |
/// | `timestamp_t` | epoch milliseconds, see below |
/// | `boolean_t` | booleans; `"true"`/`"false"`/`"1"`/`"0"` (ignoring case and surrounding blanks); the numbers 1 and 0 |
/// | `float_t` | numbers; numeric strings |
/// | strings (`string_t`, `ip_t`, ...) | strings; numbers and booleans become their text. A type with a format (`ip_t`, `mac_t`, `email_t`, `subnet_t`, ...) is trimmed and checked; for `email_t`, `Name <a@b.c>` gives `a@b.c` |
/// | `datetime_t` | an RFC 3339 string as is; anything `timestamp_t` accepts, as RFC 3339 UTC |
/// | `json_t` | anything |
/// | `object_t` | JSON objects (not checked further: that is [`Class::validate`](crate::Class::validate)'s job) |
///
/// **Timestamps** become integer milliseconds since the Unix epoch:
/// * numbers and numeric strings by magnitude: below 10¹¹ seconds (up to year 5138; fractions
///   kept to the millisecond, e.g. Zeek `629503200.0`), below 10¹⁴ milliseconds, below 10¹⁷
///   microseconds, otherwise nanoseconds;
/// * RFC 3339 / ISO 8601 strings with `T` or a space, fractional seconds, and an offset as `Z`,
///   `+02:00` or `+0200` (Suricata `2018-10-03T14:42:44.836744+0000`); without an offset, UTC;
/// * RFC 2822 (`Wed, 10 Oct 2018 12:34:56 +0000`);
/// * syslog and ctime styles with a year, read as UTC: `Oct 10 2018 12:34:56`,
///   `Oct 10 12:34:56 2018`, `Wed Oct 10 12:34:56 2018`; the common log format
///   `10/Oct/2018:12:34:56 +0000`. A time without a year (RFC 3164's `Oct 10 12:34:56`) is an
///   error: the caller must supply the year.
///
/// # Errors
///
/// [`CoercionError`] naming the value and the type; [`CoercionErrorKind::Null`] for `null` (the
/// caller should omit the attribute).
pub fn coerce(attr: &Attribute<'_>, value: Value) -> Result<Value, CoercionError> {
    if attr.is_array() {
        return match value {
            Value::Array(items) => items
                .into_iter()
                .map(|v| coerce_one(attr, v))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Value::Null => Err(error(attr, &value, CoercionErrorKind::Null, None)),
            scalar => coerce_one(attr, scalar).map(|v| Value::Array(vec![v])),
        };
    }
    coerce_one(attr, value)
}

fn coerce_one(attr: &Attribute<'_>, value: Value) -> Result<Value, CoercionError> {
    if value.is_null() {
        return Err(error(attr, &value, CoercionErrorKind::Null, None));
    }
    let ty = attr.ty();
    // Values that are already right are moved through without copying.
    match (ty.base, &value) {
        (BaseType::Json, _) | (BaseType::Object, Value::Object(_)) => return Ok(value),
        (BaseType::Boolean, Value::Bool(_)) => return Ok(value),
        (BaseType::String, Value::String(s)) if ty.format.check(s) => return Ok(value),
        (BaseType::Integer | BaseType::Long, Value::Number(n))
            if ty.range.is_none() && ty.name != "timestamp_t" && n.is_i64() =>
        {
            return Ok(value);
        }
        _ => {}
    }
    let coerced = match ty.base {
        BaseType::Json => Some(value.clone()),
        BaseType::Object => None,
        BaseType::Boolean => boolean(&value).map(Value::Bool),
        BaseType::Float => float(&value).and_then(Number::from_f64).map(Value::Number),
        BaseType::Integer | BaseType::Long if ty.name == "timestamp_t" => {
            timestamp_ms(&value).map(Value::from)
        }
        BaseType::Integer | BaseType::Long => {
            let n = integer(&value).or_else(|| enum_id(attr, &value));
            if let (Some(n), Some((lo, hi))) = (n, ty.range)
                && !(lo..=hi).contains(&n)
            {
                let detail = format!("out of range {lo}..{hi}");
                return Err(error(
                    attr,
                    &value,
                    CoercionErrorKind::OutOfRange,
                    Some(detail),
                ));
            }
            n.map(Value::from)
        }
        BaseType::String if ty.name == "datetime_t" => datetime(&value).map(Value::String),
        BaseType::String => string(attr, &value).map(Value::String),
    };
    coerced.ok_or_else(|| {
        let detail = match (ty.name.as_str(), &value) {
            ("timestamp_t" | "datetime_t", Value::String(_)) => {
                Some("not a known date/time format".to_owned())
            }
            _ => None,
        };
        error(attr, &value, CoercionErrorKind::Invalid, detail)
    })
}

#[cold]
fn error(
    attr: &Attribute<'_>,
    value: &Value,
    kind: CoercionErrorKind,
    detail: Option<String>,
) -> CoercionError {
    let value = match value {
        Value::String(s) => quote(s),
        other => {
            let text = other.to_string();
            if text.chars().count() > 60 {
                format!("{}…", text.chars().take(60).collect::<String>())
            } else {
                text
            }
        }
    };
    CoercionError {
        value,
        type_name: attr.type_name().to_owned(),
        kind,
        detail,
    }
}

fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => {
            let s = s.trim();
            if s.eq_ignore_ascii_case("true") || s == "1" {
                Some(true)
            } else if s.eq_ignore_ascii_case("false") || s == "0" {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// An integer from an integer, a float without fraction, or a numeric string.
fn integer(value: &Value) -> Option<i64> {
    let from_f64 = |f: f64| {
        // `i64::MAX as f64` rounds up to 2^63, so the upper bound is exclusive.
        (f.is_finite() && f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64)
            .then_some(f as i64)
    };
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            if n.is_f64() {
                n.as_f64().and_then(from_f64)
            } else {
                None
            }
        }),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(from_f64))
        }
        _ => None,
    }
}

/// An enum id from its caption, e.g. `"High"` for `severity_id`.
fn enum_id(attr: &Attribute<'_>, value: &Value) -> Option<i64> {
    let (Value::String(s), Some(e @ Enumeration::Int(_))) = (value, &attr.def.enumeration) else {
        return None;
    };
    e.id_of(s.trim()).map(|(id, _)| id)
}

fn string(attr: &Attribute<'_>, value: &Value) -> Option<String> {
    let number;
    let text = match value {
        Value::String(s) => s.as_str(),
        Value::Number(n) => {
            number = n.to_string();
            number.as_str()
        }
        Value::Bool(true) => "true",
        Value::Bool(false) => "false",
        _ => return None,
    };
    let format = attr.ty().format;
    if format == crate::format::Format::None {
        return Some(text.to_owned());
    }
    let trimmed = text.trim();
    if format.check(trimmed) {
        return Some(trimmed.to_owned());
    }
    // `Display Name <addr@example.com>` → the address.
    if attr.type_name() == "email_t"
        && let Some((_, rest)) = trimmed.rsplit_once('<')
        && let Some(addr) = rest.strip_suffix('>')
        && format.check(addr.trim())
    {
        return Some(addr.trim().to_owned());
    }
    None
}

/// Epoch milliseconds from a number (by magnitude) or a date/time string.
pub(crate) fn timestamp_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => epoch_number_ms(n),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(n) = s.parse::<Number>() {
                return epoch_number_ms(&n);
            }
            parse_time(s).map(Timestamp::as_millisecond)
        }
        _ => None,
    }
}

/// Seconds below 1e11, milliseconds below 1e14, microseconds below 1e17, else nanoseconds.
fn epoch_number_ms(n: &Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        let a = i.unsigned_abs();
        return if a < 100_000_000_000 {
            i.checked_mul(1000)
        } else if a < 100_000_000_000_000 {
            Some(i)
        } else if a < 100_000_000_000_000_000 {
            Some(i.div_euclid(1000))
        } else {
            Some(i.div_euclid(1_000_000))
        };
    }
    let f = n.as_f64().filter(|f| f.is_finite())?;
    let a = f.abs();
    // Round to whole microseconds first so that 1538577764.837 does not become …836.
    let micros = if a < 1e11 {
        (f * 1e6).round()
    } else if a < 1e14 {
        (f * 1e3).round()
    } else if a < 1e17 {
        f.round()
    } else {
        (f / 1e3).round()
    };
    let ms = (micros / 1e3).floor();
    (-8.0e15..=8.0e15).contains(&ms).then_some(ms as i64)
}

/// Layouts tried, in order, after RFC 3339 and RFC 2822. `%z` accepts `+0000`, `%:z` `+00:00`.
const LAYOUTS_WITH_OFFSET: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%d/%b/%Y:%H:%M:%S %z",
];
const LAYOUTS_UTC: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M:%S%.f",
    "%b %d %Y %H:%M:%S%.f",
    "%b %d %H:%M:%S%.f %Y",
    "%a %b %d %H:%M:%S%.f %Y",
    "%d %b %Y %H:%M:%S%.f",
];

fn parse_time(s: &str) -> Option<Timestamp> {
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts);
    }
    static RFC2822: DateTimeParser = DateTimeParser::new();
    if let Ok(ts) = RFC2822.parse_timestamp(s) {
        return Some(ts);
    }
    // Syslog pads the day with a space (`Oct  3`): collapse runs of blanks.
    let collapsed;
    let s = if s.contains("  ") {
        collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
        collapsed.as_str()
    } else {
        s
    };
    for layout in LAYOUTS_WITH_OFFSET {
        if let Ok(ts) = strtime::parse(layout, s).and_then(|t| t.to_timestamp()) {
            return Some(ts);
        }
    }
    for layout in LAYOUTS_UTC {
        if let Ok(ts) = strtime::parse(layout, s)
            .and_then(|t| t.to_datetime())
            .and_then(|dt| jiff::tz::Offset::UTC.to_timestamp(dt))
        {
            return Some(ts);
        }
    }
    None
}

/// An RFC 3339 string: kept when it already has the `datetime_t` format, else from a time.
fn datetime(value: &Value) -> Option<String> {
    if let Value::String(s) = value
        && crate::format::Format::Datetime.check(s.trim())
    {
        return Some(s.trim().to_owned());
    }
    let ms = timestamp_ms(value)?;
    Timestamp::from_millisecond(ms)
        .ok()
        .map(|ts| ts.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{CoercionErrorKind, coerce};
    use crate::Schema;

    fn c(path: &str, value: Value) -> Result<Value, super::CoercionError> {
        let class = Schema::ocsf().class("detection_finding").unwrap();
        let attr = class.attribute(path, &["security_control"]).unwrap();
        coerce(&attr, value)
    }

    const PORT: &str = "evidences.src_endpoint.port";

    #[test]
    fn numeric_string_to_port() {
        assert_eq!(c(PORT, json!("443")), Ok(json!(443)));
    }

    #[test]
    fn padded_numeric_string_to_integer() {
        assert_eq!(c("count", json!(" 7 ")), Ok(json!(7)));
    }

    #[test]
    fn whole_float_to_integer() {
        assert_eq!(c("count", json!(7.0)), Ok(json!(7)));
    }

    #[test]
    fn fractional_float_is_not_an_integer() {
        assert!(c("count", json!(7.5)).is_err());
    }

    #[test]
    fn port_out_of_range() {
        let e = c(PORT, json!("70000")).unwrap_err();
        assert_eq!(e.kind, CoercionErrorKind::OutOfRange);
        assert_eq!(
            e.to_string(),
            "cannot read \"70000\" as port_t: out of range 0..65535"
        );
    }

    #[test]
    fn word_is_not_a_port() {
        assert_eq!(
            c(PORT, json!("abc")).unwrap_err().to_string(),
            "cannot read \"abc\" as port_t"
        );
    }

    #[test]
    fn enum_caption_to_id() {
        assert_eq!(c("severity_id", json!("high")), Ok(json!(4)));
    }

    #[test]
    fn null_is_its_own_error() {
        assert_eq!(
            c("count", Value::Null).unwrap_err().kind,
            CoercionErrorKind::Null
        );
    }

    #[test]
    fn boolean_strings() {
        assert_eq!(c("is_alert", json!("TRUE")), Ok(json!(true)));
        assert_eq!(c("is_alert", json!("0")), Ok(json!(false)));
        assert_eq!(c("is_alert", json!(1)), Ok(json!(true)));
    }

    #[test]
    fn other_word_is_not_a_boolean() {
        assert_eq!(
            c("is_alert", json!("maybe")).unwrap_err().to_string(),
            "cannot read \"maybe\" as boolean_t"
        );
    }

    #[test]
    fn number_to_string() {
        assert_eq!(c("finding_info.uid", json!(42)), Ok(json!("42")));
    }

    #[test]
    fn scalar_to_one_element_array() {
        assert_eq!(
            c("finding_info.types", json!("Malware")),
            Ok(json!(["Malware"]))
        );
    }

    #[test]
    fn array_elements_are_coerced() {
        assert_eq!(
            c(
                "evidences.src_endpoint.intermediate_ips",
                json!([" 10.0.0.1"])
            ),
            Ok(json!(["10.0.0.1"]))
        );
    }

    #[test]
    fn object_for_string_is_an_error() {
        assert!(c("message", json!({"a": 1})).is_err());
    }

    #[test]
    fn bad_ip_is_an_error() {
        assert_eq!(
            c("evidences.src_endpoint.ip", json!("10.0.0.300"))
                .unwrap_err()
                .to_string(),
            "cannot read \"10.0.0.300\" as ip_t"
        );
    }

    #[test]
    fn email_with_display_name_gives_the_address() {
        let class = Schema::ocsf().class("email_activity").unwrap();
        let attr = class.attribute("email.from", &[]).unwrap();
        assert_eq!(
            coerce(&attr, json!("Bob <bob@example.com>")),
            Ok(json!("bob@example.com"))
        );
    }

    #[test]
    fn float_from_string() {
        assert_eq!(
            c("vulnerabilities.cve.cvss.base_score", json!(" 7.5")),
            Ok(json!(7.5))
        );
    }

    #[test]
    fn non_finite_is_not_a_float() {
        assert!(c("vulnerabilities.cve.cvss.base_score", json!("NaN")).is_err());
    }

    #[test]
    fn json_t_takes_anything() {
        assert_eq!(
            c("evidences.data", json!({"a": [1]})),
            Ok(json!({"a": [1]}))
        );
    }

    #[test]
    fn unmapped_object_is_kept() {
        assert_eq!(c("unmapped", json!({"k": "v"})), Ok(json!({"k": "v"})));
    }

    // ---- timestamps ----

    fn ts(value: Value) -> Option<i64> {
        c("time", value).ok().and_then(|v| v.as_i64())
    }

    #[test]
    fn suricata_timestamp() {
        assert_eq!(
            ts(json!("2018-10-03T14:42:44.836744+0000")),
            Some(1_538_577_764_836)
        );
    }

    #[test]
    fn rfc3339_with_negative_offset() {
        assert_eq!(
            ts(json!("2018-10-03T10:42:44-04:00")),
            Some(1_538_577_764_000)
        );
    }

    #[test]
    fn compact_negative_offset() {
        assert_eq!(
            ts(json!("2018-10-03T10:42:44.5-0400")),
            Some(1_538_577_764_500)
        );
    }

    #[test]
    fn zulu_timestamp() {
        assert_eq!(ts(json!("2018-10-03T14:42:44Z")), Some(1_538_577_764_000));
    }

    #[test]
    fn space_separated_without_offset_is_utc() {
        assert_eq!(ts(json!("2018-10-03 14:42:44")), Some(1_538_577_764_000));
    }

    #[test]
    fn rfc3164_style_with_year() {
        assert_eq!(ts(json!("Oct 10 2018 12:34:56")), Some(1_539_174_896_000));
    }

    #[test]
    fn syslog_padded_day() {
        assert_eq!(ts(json!("Oct  3 2018 14:42:44")), Some(1_538_577_764_000));
    }

    #[test]
    fn rfc3164_without_year_is_an_error() {
        let e = c("time", json!("Oct 10 12:34:56")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read \"Oct 10 12:34:56\" as timestamp_t: not a known date/time format"
        );
    }

    #[test]
    fn rfc2822_date() {
        assert_eq!(
            ts(json!("Wed, 03 Oct 2018 14:42:44 +0000")),
            Some(1_538_577_764_000)
        );
    }

    #[test]
    fn common_log_format() {
        assert_eq!(
            ts(json!("03/Oct/2018:16:42:44 +0200")),
            Some(1_538_577_764_000)
        );
    }

    #[test]
    fn zeek_float_seconds() {
        assert_eq!(ts(json!(629_503_200.0)), Some(629_503_200_000));
    }

    #[test]
    fn float_seconds_keep_milliseconds() {
        assert_eq!(ts(json!(1_538_577_764.837)), Some(1_538_577_764_837));
    }

    #[test]
    fn integer_seconds() {
        assert_eq!(ts(json!(1_538_577_764)), Some(1_538_577_764_000));
    }

    #[test]
    fn milliseconds_stay() {
        assert_eq!(ts(json!(1_538_577_764_836_i64)), Some(1_538_577_764_836));
    }

    #[test]
    fn microseconds_are_divided() {
        assert_eq!(
            ts(json!(1_538_577_764_836_744_i64)),
            Some(1_538_577_764_836)
        );
    }

    #[test]
    fn nanoseconds_are_divided() {
        assert_eq!(
            ts(json!(1_538_577_764_836_744_123_i64)),
            Some(1_538_577_764_836)
        );
    }

    #[test]
    fn numeric_string_seconds() {
        assert_eq!(ts(json!("629503200.0")), Some(629_503_200_000));
    }

    #[test]
    fn garbage_is_not_a_timestamp() {
        assert!(c("time", json!("yesterday")).is_err());
        assert!(c("time", json!(true)).is_err());
    }

    #[test]
    fn datetime_from_epoch() {
        let class = Schema::ocsf().class("detection_finding").unwrap();
        let attr = class.attribute("time_dt", &["datetime"]).unwrap();
        assert_eq!(
            coerce(&attr, json!(1_538_577_764_836_i64)),
            Ok(json!("2018-10-03T14:42:44.836Z"))
        );
    }
}
