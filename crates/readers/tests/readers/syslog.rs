//! Syslog text: RFC 3164 and 5424 headers, the year and timezone policy, Cisco ids, bodies.

use serde_json::json;

use ocsf_map_readers::{
    BodyParser, CaptureParser, Input, ReadErrorKind, SyslogOptions, UtcOffset, open,
    parse_syslog_line,
};

use super::*;

fn syslog_options(year: i32) -> ReaderOptions {
    ReaderOptions {
        format: Some(Format::Syslog),
        syslog: SyslogOptions {
            year: Some(year),
            ..SyslogOptions::default()
        },
        ..ReaderOptions::default()
    }
}

fn syslog(input: &[u8]) -> Vec<Result<Record, ReadError>> {
    read_all(open_bytes("in.log", input, &syslog_options(2024)))
}

fn line(text: &str) -> serde_json::Map<String, serde_json::Value> {
    let options = SyslogOptions {
        year: Some(2024),
        ..SyslogOptions::default()
    };
    parse_syslog_line(text, &options)
}

#[test]
fn the_rfc3164_sample_is_one_record_per_line_with_exact_positions() {
    let path = data("syslog-rfc3164.log");
    let items = read_all(open(&Input::Path(path.clone()), &syslog_options(2023)).unwrap());
    let bytes = std::fs::read(&path).unwrap();
    let mut expected = Vec::new();
    let mut offset = 0;
    for (i, l) in bytes.split(|&b| b == b'\n').enumerate() {
        if !l.is_empty() {
            expected.push((expected.len() as u64 + 1, i as u64 + 1, offset));
        }
        offset += l.len() as u64 + 1;
    }
    assert_eq!(items.len(), 12);
    assert_eq!(items.iter().map(at).collect::<Vec<_>>(), expected);
}

#[test]
fn a_line_without_pri_has_null_pri_facility_and_severity() {
    let fields = line("Nov 16 12:53:54 mymachine/10.1.1.16 PROGRAM: Info: MODULE: Startup");
    assert_eq!(fields["pri"], json!(null));
    assert_eq!(fields["facility"], json!(null));
    assert_eq!(fields["hostname"], "mymachine/10.1.1.16");
    assert_eq!(fields["app_name"], "PROGRAM");
    assert_eq!(fields["message"], "Info: MODULE: Startup");
}

#[test]
fn a_space_after_pri_is_accepted() {
    let fields = line("<34> Nov 16 14:55:56 mymachine/10.1.1.16 OTHERPROGRAM: Freeform message");
    assert_eq!(fields["pri"], 34);
    assert_eq!(fields["facility"], "auth");
    assert_eq!(fields["severity"], "crit");
    assert_eq!(fields["timestamp"], "2024-11-16T14:55:56Z");
    assert_eq!(fields["message"], "Freeform message");
}

#[test]
fn a_word_without_a_colon_after_the_host_is_message_not_app_name() {
    let fields = line("Dec  6 15:56:27 mymachine No app name in this message, either");
    assert_eq!(fields["hostname"], "mymachine");
    assert_eq!(fields["app_name"], json!(null));
    assert_eq!(fields["message"], "No app name in this message, either");
}

#[test]
fn a_tag_without_a_host_is_the_app_name() {
    let fields = line("<166>Mar 17 18:24:37 mail_logs: Info: Start MID 6 ICID 5");
    assert_eq!(fields["hostname"], json!(null));
    assert_eq!(fields["app_name"], "mail_logs");
    assert_eq!(fields["message"], "Info: Start MID 6 ICID 5");
}

#[test]
fn a_procid_in_brackets_is_a_number() {
    let fields = line("Dec  6 15:56:37 mymachine PROCESS[123]: foobar");
    assert_eq!(fields["app_name"], "PROCESS");
    assert_eq!(fields["procid"], 123);
    assert_eq!(fields["message"], "foobar");
}

#[test]
fn cisco_asa_message_ids_are_split_out() {
    let path = data("cisco_asa_302013.raw");
    let items = read_all(open(&Input::Path(path), &syslog_options(2000)).unwrap());
    assert_eq!(items.len(), 1);
    assert_eq!(at(&items[0]), (1, 1, 0));
    let fields = &ok(&items[0]).fields;
    assert_eq!(
        fields["timestamp"], "2018-10-10T12:34:56Z",
        "the line's own year wins"
    );
    assert_eq!(fields["hostname"], "localhost");
    assert_eq!(fields["app_name"], "CiscoASA");
    assert_eq!(fields["procid"], 999);
    assert_eq!(
        fields["cisco"],
        json!({
            "facility": "ASA",
            "severity": 6,
            "message_id": "302013",
            "text": "Built outbound TCP connection 11757 for outside:100.66.205.104/80 \
                     (100.66.205.104/80) to inside:172.31.98.44/1772 (172.31.98.44/1772)"
        })
    );
}

#[test]
fn every_cisco_asa_sample_has_its_message_id() {
    for id in [
        "106023", "302013", "302014", "302015", "302016", "305011", "305012",
    ] {
        let path = data(&format!("cisco_asa_{id}.raw"));
        let items = read_all(open(&Input::Path(path), &syslog_options(2000)).unwrap());
        assert_eq!(ok(&items[0]).fields["cisco"]["message_id"], id);
    }
}

#[test]
fn cisco_ftd_after_a_lone_colon_has_its_message_id() {
    let fields =
        line("<164>Jan 18 2024 11:50:03 firepower : %FTD-4-419002: Duplicate TCP SYN from outside");
    assert_eq!(fields["hostname"], "firepower");
    assert_eq!(fields["app_name"], json!(null));
    assert_eq!(fields["cisco"]["facility"], "FTD");
    assert_eq!(fields["cisco"]["severity"], 4);
    assert_eq!(fields["cisco"]["message_id"], "419002");
}

#[test]
fn rfc5424_has_structured_data_msgid_and_drops_the_bom() {
    let fields = line(
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 \
         [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] \u{FEFF}An application event",
    );
    assert_eq!(fields["protocol"], "rfc5424");
    assert_eq!(fields["pri"], 165);
    assert_eq!(fields["timestamp"], "2003-10-11T22:14:15.003Z");
    assert_eq!(fields["hostname"], "mymachine.example.com");
    assert_eq!(fields["app_name"], "evntslog");
    assert_eq!(fields["procid"], json!(null));
    assert_eq!(fields["msgid"], "ID47");
    assert_eq!(
        fields["structured_data"],
        json!({"exampleSDID@32473": {"iut": "3", "eventSource": "Application"}})
    );
    assert_eq!(fields["message"], "An application event");
}

#[test]
fn a_line_without_a_header_keeps_its_pri_and_is_all_message() {
    let path = data("test-fortinet-7-2.log");
    let items = read_all(open(&Input::Path(path), &syslog_options(2024)).unwrap());
    assert_eq!(items.len(), 2);
    let fields = &ok(&items[0]).fields;
    assert_eq!(fields["pri"], 190);
    assert_eq!(fields["facility"], "local7");
    assert_eq!(fields["severity"], "info");
    assert_eq!(fields["timestamp"], json!(null));
    assert!(
        fields["message"]
            .as_str()
            .unwrap()
            .starts_with("date=2024-08-28 time=10:33:52")
    );
}

#[test]
fn the_year_option_applies_to_timestamps_without_one() {
    let fields = line("<34>Oct 11 22:14:15 mymachine su: 'su root' failed");
    assert_eq!(fields["timestamp"], "2024-10-11T22:14:15Z");
}

#[test]
fn the_utc_offset_applies_to_timestamps_without_one() {
    let options = SyslogOptions {
        year: Some(2024),
        utc_offset: "+02:00".parse().unwrap(),
        ..SyslogOptions::default()
    };
    let fields = parse_syslog_line("<34>Oct 11 22:14:15 mymachine su: x", &options);
    assert_eq!(fields["timestamp"], "2024-10-11T22:14:15+02:00");
}

#[test]
fn utc_offsets_parse_in_the_usual_spellings() {
    assert_eq!("Z".parse::<UtcOffset>().unwrap(), UtcOffset::UTC);
    assert_eq!("-0530".parse::<UtcOffset>().unwrap().seconds(), -19_800);
    assert_eq!("+05".parse::<UtcOffset>().unwrap().to_string(), "+05:00");
    assert!("05:00".parse::<UtcOffset>().is_err());
    assert!("+25:00".parse::<UtcOffset>().is_err());
}

#[test]
fn without_a_year_option_open_read_uses_the_current_year() {
    // open_read's reference date is today; Jan 1 is never more than a day after it.
    let options = ReaderOptions {
        format: Some(Format::Syslog),
        ..ReaderOptions::default()
    };
    let items = read_all(open_bytes("-", b"Jan  1 00:00:00 h a: x\n", &options));
    let timestamp = ok(&items[0]).fields["timestamp"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(timestamp.ends_with("-01-01T00:00:00Z"), "{timestamp}");
}

#[test]
fn the_esa_sample_reads_all_80_records() {
    let path = data("test-common-text-mail.log");
    let items = read_all(open(&Input::Path(path), &syslog_options(2024)).unwrap());
    assert_eq!(items.len(), 80);
    assert!(
        items
            .iter()
            .all(|i| ok(i).fields["app_name"] == "mail_logs")
    );
    assert_eq!(at(&items[79]).1, 80);
}

#[test]
fn invalid_utf8_is_an_error_for_that_line_only() {
    let items = syslog(b"<34>Oct 11 22:14:15 h a: ok\n<34>Oct 11 22:14:15 h a: \xff\n<34>x\n");
    assert_eq!(items.len(), 3);
    let bad = err(&items[1]);
    assert_eq!(at(&items[1]), (2, 2, 28));
    assert!(matches!(
        bad.kind,
        ReadErrorKind::InvalidUtf8 { column: 26 }
    ));
    assert_eq!(ok(&items[2]).fields["pri"], 34);
}

#[test]
fn a_line_over_the_limit_is_an_error_and_the_next_line_is_read() {
    let options = ReaderOptions {
        max_record_bytes: 30,
        ..syslog_options(2024)
    };
    let long = format!(
        "<34>Oct 11 22:14:15 h a: {}\nOct 11 22:14:15 h a: b\n",
        "x".repeat(100)
    );
    let items = read_all(open_bytes("in.log", long.as_bytes(), &options));
    assert!(matches!(
        err(&items[0]).kind,
        ReadErrorKind::RecordTooLong { limit: 30, .. }
    ));
    assert_eq!(at(&items[1]), (2, 2, 126));
}

#[test]
fn a_kv_body_parser_adds_body() {
    let options = ReaderOptions {
        syslog: SyslogOptions {
            body: Some(BodyParser::Kv),
            ..SyslogOptions::default()
        },
        ..syslog_options(2024)
    };
    let items = read_all(open(&Input::Path(data("test-fortinet-7-2.log")), &options).unwrap());
    let body = &ok(&items[0]).fields["body"];
    assert_eq!(body["devname"], "MYFWNAME");
    assert_eq!(body["srcport"], "59968");
    assert_eq!(body["msg"], "SNI and certificate info is mismatched");
    let body = &ok(&items[1]).fields["body"];
    assert_eq!(
        body["rawdata"],
        "Request-Content-Type=text/plain;charset=UTF-8"
    );
}

#[test]
fn a_body_that_does_not_match_is_an_error_with_its_position() {
    let regex = CaptureParser::new(r"^Info: MID (?P<mid>\d+)").unwrap();
    let options = ReaderOptions {
        syslog: SyslogOptions {
            body: Some(BodyParser::Regex(regex)),
            ..SyslogOptions::default()
        },
        ..syslog_options(2024)
    };
    let items = read_all(open(&Input::Path(data("test-common-text-mail.log")), &options).unwrap());
    assert_eq!(ok(&items[0]).fields["body"], json!({"mid": "111"}));
    let bad = err(&items[1]);
    assert_eq!((bad.pos.record, bad.pos.line), (2, 2));
    assert_eq!(bad.kind.code(), "body");
}

#[test]
fn sniffing_reads_a_log_file_with_pri_as_syslog() {
    let items = read_all(open_bytes(
        "x.log",
        b"<34>Oct 11 22:14:15 h su: x\n",
        &ReaderOptions::default(),
    ));
    assert_eq!(ok(&items[0]).fields["app_name"], "su");
}
