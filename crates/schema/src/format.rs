//! Hand-written checks for the string types whose OCSF definition carries a regex (plus
//! `subnet_t`), so that validation needs no regex engine and compiles nothing at run time.
//!
//! Where the OCSF regex is looser than the type's meaning, the check follows the meaning (and the
//! oracle test documents the difference):
//! * `ip_t`: parsed with `std::net` (the regex's unescaped `.` accepts `1x2x3x4`, and it allows
//!   surrounding blanks); an IPv6 zone (`fe80::1%eth0`) is accepted as the regex does.
//! * `uuid_t`: the whole value must be a UUID (the regex is unanchored).
//! * `subnet_t`: has no regex in OCSF; CIDR notation is checked here.

use std::net::{IpAddr, Ipv6Addr};

/// Which format check a string type gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    None,
    Ip,
    Mac,
    Email,
    Hash,
    Uuid,
    Datetime,
    Subnet,
}

impl Format {
    pub(crate) fn for_type(name: &str) -> Format {
        match name {
            "ip_t" => Format::Ip,
            "mac_t" => Format::Mac,
            "email_t" => Format::Email,
            "file_hash_t" => Format::Hash,
            "uuid_t" => Format::Uuid,
            "datetime_t" => Format::Datetime,
            "subnet_t" => Format::Subnet,
            _ => Format::None,
        }
    }

    pub(crate) fn check(self, s: &str) -> bool {
        match self {
            Format::None => true,
            Format::Ip => is_ip(s),
            Format::Mac => is_mac(s),
            Format::Email => is_email(s),
            Format::Hash => !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()),
            Format::Uuid => is_uuid(s),
            Format::Datetime => is_datetime(s),
            Format::Subnet => is_subnet(s),
        }
    }
}

fn is_ip(s: &str) -> bool {
    if s.parse::<IpAddr>().is_ok() {
        return true;
    }
    // IPv6 with a zone index, e.g. `fe80::1%eth0`.
    match s.split_once('%') {
        Some((addr, zone)) => !zone.is_empty() && addr.parse::<Ipv6Addr>().is_ok(),
        None => false,
    }
}

/// `^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$`
fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, c)| {
            if i % 3 == 2 {
                *c == b':' || *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// ``^[a-zA-Z0-9!#$%&'*+-/=?^_`{|}~.]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$``
///
/// In the local part's class, `+-/` is a range: `+ , - . /`.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+,-./=?^_`{|}~".contains(&c));
    let domain_char = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'.';
    let domain_ok = match domain.find('.') {
        // The first label has no dot, and something follows the first dot.
        Some(dot) => dot > 0 && dot + 1 < domain.len() && domain.bytes().all(domain_char),
        None => false,
    };
    local_ok && domain_ok
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// `^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?([Zz]|[\+-]\d{2}:\d{2})?$`
fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let fixed = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !fixed {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [] | [b'Z'] | [b'z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            (*sign == b'+' || *sign == b'-') && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// `address/prefix`, the prefix within the address family's width.
fn is_subnet(s: &str) -> bool {
    let Some((addr, prefix)) = s.split_once('/') else {
        return false;
    };
    let Ok(prefix) = prefix.parse::<u8>() else {
        return false;
    };
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => prefix <= 32,
        Ok(IpAddr::V6(_)) => prefix <= 128,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn ipv4_is_an_ip() {
        assert!(Format::Ip.check("192.168.200.24"));
    }

    #[test]
    fn ipv6_is_an_ip() {
        assert!(Format::Ip.check("2001:0db8:85a3:0000:0000:8a2e:0370:7334"));
    }

    #[test]
    fn ipv6_with_zone_is_an_ip() {
        assert!(Format::Ip.check("fe80::1%eth0"));
    }

    #[test]
    fn octet_over_255_is_not_an_ip() {
        assert!(!Format::Ip.check("10.0.0.300"));
    }

    #[test]
    fn hostname_is_not_an_ip() {
        assert!(!Format::Ip.check("example.com"));
    }

    #[test]
    fn mac_with_colons_or_dashes() {
        assert!(Format::Mac.check("18:36:F3:98:4F:9A"));
        assert!(Format::Mac.check("18-36-f3-98-4f-9a"));
    }

    #[test]
    fn short_mac_is_rejected() {
        assert!(!Format::Mac.check("18:36:F3:98:4F"));
    }

    #[test]
    fn bare_address_is_an_email() {
        assert!(Format::Email.check("john.doe+tag@mail.example.com"));
    }

    #[test]
    fn display_name_is_not_an_email() {
        assert!(!Format::Email.check("John <john@example.com>"));
    }

    #[test]
    fn email_needs_a_dot_in_the_domain() {
        assert!(!Format::Email.check("root@localhost"));
        assert!(!Format::Email.check("a@.com"));
        assert!(!Format::Email.check("a@b."));
    }

    #[test]
    fn hash_is_hex() {
        assert!(Format::Hash.check("3172ac7e2b55cbb81f04a6e65855a628"));
        assert!(!Format::Hash.check("xyz"));
        assert!(!Format::Hash.check(""));
    }

    #[test]
    fn uuid_must_be_the_whole_value() {
        assert!(Format::Uuid.check("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!Format::Uuid.check("x123e4567-e89b-12d3-a456-426614174000"));
    }

    #[test]
    fn datetime_variants() {
        assert!(Format::Datetime.check("2024-09-10T23:20:50.520Z"));
        assert!(Format::Datetime.check("2024-09-10t23:20:50"));
        assert!(Format::Datetime.check("2024-09-10T23:20:50+02:00"));
    }

    #[test]
    fn datetime_with_space_or_compact_offset_is_rejected() {
        assert!(!Format::Datetime.check("2024-09-10 23:20:50Z"));
        assert!(!Format::Datetime.check("2024-09-10T23:20:50+0200"));
        assert!(!Format::Datetime.check("2024-09-10T23:20:50."));
    }

    #[test]
    fn subnet_is_cidr() {
        assert!(Format::Subnet.check("192.168.1.0/24"));
        assert!(Format::Subnet.check("2001:db8::/64"));
        assert!(!Format::Subnet.check("192.168.1.0/33"));
        assert!(!Format::Subnet.check("192.168.1.0"));
    }
}
