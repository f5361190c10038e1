//! Prints every record (or error) of the inputs as JSON lines: a manual check of the readers.
//!
//! ```text
//! cargo run -p ocsf-map-readers --example dump -- [--format NAME] INPUT...
//! ```

use std::error::Error;

use ocsf_map_readers::{ReaderOptions, expand_inputs, open};

fn main() -> Result<(), Box<dyn Error>> {
    let mut options = ReaderOptions::default();
    let mut args = Vec::new();
    let mut argv = std::env::args_os().skip(1);
    while let Some(arg) = argv.next() {
        if arg == "--format" {
            let name = argv.next().ok_or("--format needs a value")?;
            options.format = Some(name.to_str().ok_or("format is not UTF-8")?.parse()?);
        } else {
            args.push(arg);
        }
    }
    for input in expand_inputs(&args)? {
        let mut reader = open(&input, &options)?;
        while let Some(item) = reader.next_record() {
            match item {
                Ok(record) => println!("{} {}", record.pos, record.fields),
                Err(err) => println!("{}: error: {err} [{}]", err.pos, err.kind.code()),
            }
        }
    }
    Ok(())
}
