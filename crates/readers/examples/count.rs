//! Reads inputs and counts their records and errors: a manual check of the readers (stdin with
//! `-`, throughput, memory) without the rest of the pipeline.
//!
//! ```text
//! cargo run --release -p ocsf-map-readers --example count -- [--format csv|jsonl] INPUT...
//! ```

use std::error::Error;
use std::io::Write;
use std::time::Instant;

use ocsf_map_readers::{Input, ReaderOptions, open};

fn main() -> Result<(), Box<dyn Error>> {
    let mut options = ReaderOptions::default();
    let mut inputs = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--format" {
            let name = args.next().ok_or("--format needs a value")?;
            options.format = Some(name.to_str().ok_or("format is not UTF-8")?.parse()?);
        } else {
            inputs.push(Input::from_arg(&arg));
        }
    }
    let mut out = std::io::stdout().lock();
    for input in &inputs {
        let started = Instant::now();
        let mut reader = open(input, &options)?;
        let (mut records, mut errors) = (0u64, 0u64);
        while let Some(item) = reader.next_record() {
            match item {
                Ok(_) => records += 1,
                Err(err) => {
                    errors += 1;
                    if errors <= 5 {
                        writeln!(out, "{}: {err}", err.pos)?;
                    }
                }
            }
        }
        let secs = started.elapsed().as_secs_f64();
        writeln!(
            out,
            "{input}: {records} records, {errors} errors in {secs:.3} s"
        )?;
    }
    Ok(())
}
