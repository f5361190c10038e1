//! Generates large benchmark inputs from the shipped samples, every record different.
//!
//! ```text
//! cargo run --release -p ocsf-map-pipeline --example bench_data -- KIND RECORDS OUT
//! ```
//!
//! `KIND` is `suricata` (EVE alerts, JSON lines), `zeek` (conn.log, JSON lines) or `csv` (the
//! same connections as CSV with a header row). Records cycle through the samples with their
//! addresses, ports, ids, times and counters replaced by pseudo-random values (a fixed seed, so
//! two runs write the same bytes).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, records, out] = args.as_slice() else {
        eprintln!("usage: bench_data suricata|zeek|csv RECORDS OUT");
        std::process::exit(2);
    };
    let Ok(records) = records.parse::<u64>() else {
        eprintln!("RECORDS must be a number, not `{records}`");
        std::process::exit(2);
    };
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out).expect("output file"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    match kind.as_str() {
        "suricata" => {
            let samples: Vec<Value> = samples("suricata/eve-alerts.log")
                .into_iter()
                .filter(|v| v["event_type"] == "alert")
                .collect();
            for i in 0..records {
                let v = suricata(&samples[i as usize % samples.len()], i, &mut rng);
                json_line(&mut w, &v);
            }
        }
        "zeek" => {
            let samples = samples("zeek/conn.log");
            for i in 0..records {
                let v = zeek(&samples[i as usize % samples.len()], i, &mut rng);
                json_line(&mut w, &v);
            }
        }
        "csv" => {
            let samples = samples("zeek/conn.log");
            w.write_all(CSV_COLUMNS.join(",").as_bytes())
                .expect("write");
            w.write_all(b"\n").expect("write");
            for i in 0..records {
                let v = zeek(&samples[i as usize % samples.len()], i, &mut rng);
                let cells: Vec<String> = CSV_COLUMNS.iter().map(|c| cell(&v[*c])).collect();
                w.write_all(cells.join(",").as_bytes()).expect("write");
                w.write_all(b"\n").expect("write");
            }
        }
        other => {
            eprintln!("unknown kind `{other}`: suricata, zeek or csv");
            std::process::exit(2);
        }
    }
    w.flush().expect("write");
}

const CSV_COLUMNS: [&str; 20] = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
];

/// A CSV cell: absent values empty, quoted when they hold a comma or a quote.
/// Writes `v` as one JSON line.
fn json_line(w: &mut impl Write, v: &Value) {
    serde_json::to_writer(&mut *w, v).expect("write");
    w.write_all(b"\n").expect("write");
}

fn cell(v: &Value) -> String {
    let text = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn samples(name: &str) -> Vec<Value> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("the samples are JSON lines"))
        .collect()
}

fn suricata(sample: &Value, i: u64, rng: &mut Rng) -> Value {
    let mut v = sample.clone();
    let o = v.as_object_mut().expect("an object");
    let (ts, start) = (rng.time(), rng.time());
    set(o, "timestamp", ts.into());
    set(o, "flow_id", (rng.next() >> 12).into());
    set(o, "src_ip", rng.ip().into());
    set(o, "src_port", (1024 + rng.below(64511)).into());
    if let Some(alert) = o.get_mut("alert").and_then(Value::as_object_mut) {
        set(
            alert,
            "signature_id",
            (2_000_000 + rng.below(100_000)).into(),
        );
        set(alert, "severity", (1 + rng.below(3)).into());
        set(
            alert,
            "signature",
            format!("ET BENCH signature {}", i % 5000).into(),
        );
    }
    if let Some(flow) = o.get_mut("flow").and_then(Value::as_object_mut) {
        for k in ["pkts_toserver", "pkts_toclient"] {
            set(flow, k, rng.below(10_000).into());
        }
        for k in ["bytes_toserver", "bytes_toclient"] {
            set(flow, k, rng.below(10_000_000).into());
        }
        set(flow, "start", start.into());
    }
    v
}

fn zeek(sample: &Value, i: u64, rng: &mut Rng) -> Value {
    let mut v = sample.clone();
    let o = v.as_object_mut().expect("an object");
    let ts = 1_600_000_000.0 + i as f64 * 0.001 + rng.below(1000) as f64 / 1e6;
    set(o, "ts", ts.into());
    set(o, "uid", rng.uid().into());
    set(o, "id.orig_h", rng.ip().into());
    set(o, "id.orig_p", (1024 + rng.below(64511)).into());
    for k in ["orig_bytes", "resp_bytes", "orig_ip_bytes", "resp_ip_bytes"] {
        if o.contains_key(k) {
            set(o, k, rng.below(1_000_000).into());
        }
    }
    for k in ["orig_pkts", "resp_pkts"] {
        set(o, k, rng.below(1000).into());
    }
    if o.contains_key("duration") {
        set(o, "duration", (rng.below(10_000_000) as f64 / 1e6).into());
    }
    v
}

fn set(o: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(slot) = o.get_mut(key) {
        *slot = value;
    }
}

/// xorshift64*: enough variety for benchmarks, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn ip(&mut self) -> String {
        let r = self.next();
        format!(
            "10.{}.{}.{}",
            r & 0xff,
            (r >> 8) & 0xff,
            1 + (r >> 16) % 254
        )
    }

    fn time(&mut self) -> String {
        let day = 1 + self.below(28);
        let secs = self.below(86_400);
        let micros = self.below(1_000_000);
        format!(
            "2024-03-{day:02}T{:02}:{:02}:{:02}.{micros:06}+0000",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }

    fn uid(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut s = String::from("C");
        for _ in 0..17 {
            s.push(ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char);
        }
        s
    }
}
