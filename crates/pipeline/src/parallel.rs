//! The ordered parallel run: one reader thread, N mapper threads, the caller's thread writing.
//!
//! ```text
//!  reader thread          mapper threads (N)               caller's thread (writer)
//!  open, next_record  →   step(): map, validate     →      reorder by seq, deliver():
//!  batches of records     (seq, steps + documents)         sink, dead letters, observer
//!        ↑                                                        │
//!        └──────────── credits: one per batch written ────────────┘
//! ```
//!
//! The reader numbers its batches (`seq` 0, 1, 2, ...) and needs a credit to send one; the writer
//! hands a credit back each time it has written a batch. So at most [`window`] batches exist at
//! once — read but not yet written — whatever the speed of each stage: memory is bounded by
//! `window × batch_size` records and their documents, and a slow sink slows the reader down. The
//! writer keeps the batches that arrive early in a map keyed by `seq` and writes them in `seq`
//! order, so the sink, the dead-letter file and the observer see exactly what the sequential run
//! shows them, in the same order, from the same (caller's) thread.
//!
//! Memory is freed by the thread that allocated it, and reused while it is still in that core's
//! cache: the writer hands each batch of records back to the reader once written (their
//! positions are what it writes with), and each batch's output buffers back to the mapper that
//! filled them. With a sink that takes JSON lines, a mapper serialises each record's documents
//! as soon as they are checked and frees them at once, so the next record's documents are built
//! in the same memory; only the lines travel to the writer. A deferred JSON line is parsed on
//! the mapper, its fields put in place of the line while the record is mapped, then freed there.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use ocsf_map_mapping::{CompiledMapping, Mapper};
use ocsf_map_readers::{Input, OpenError, ReadError, ReaderOptions, parse_deferred_fields};
use ocsf_map_record::Record;
use ocsf_map_sinks::write_lines;
use serde_json::Value;

use crate::step::{Deliver, Group, Step, position, step};
use crate::{PipelineError, Stats, Validation};

/// Batches that may exist at once (read, being mapped, or waiting to be written).
pub(crate) fn window(threads: usize) -> usize {
    2 * threads + 2
}

/// A batch of what the reader read. `true` marks a record handed over unparsed (a JSON line,
/// parsed on the mapper thread with [`parse_deferred`]: parsing is a large share of the work, and
/// a record parsed on the core that maps it stays in that core's cache).
type Records = Vec<(bool, Result<Record, ReadError>)>;

/// What the reader sends.
enum Work {
    Records(Records),
    /// An input could not be opened: the run ends here, after the batches before it.
    OpenFailed(OpenError),
}

/// What a mapper sends back for one batch.
enum Done {
    /// One step per record, in order; the documents of the `Mapped` ones, in order, in `values`
    /// (or, with a sink that takes JSON lines, only serialised in `lines`);
    /// `mapper` is the index of the mapper thread that built them.
    Steps {
        /// The batch's records, for their positions; the writer hands them back to the reader.
        records: Records,
        steps: Vec<Step>,
        values: Vec<Value>,
        /// With a sink that takes JSON lines: each step's documents serialised, and where each
        /// step's lines end in `lines`.
        lines: Vec<u8>,
        ends: Vec<usize>,
        mapper: usize,
    },
    OpenFailed(OpenError),
}

pub(crate) fn run(
    inputs: &[Input],
    reader_options: &ReaderOptions,
    mapping: &CompiledMapping,
    validation: Validation,
    mut out: Deliver<'_, '_>,
    threads: usize,
    batch_size: usize,
) -> Result<Stats, PipelineError> {
    let window = window(threads);
    let batch_size = batch_size.max(1);
    let (work_tx, work_rx) = sync_channel::<(u64, Work)>(window);
    let (done_tx, done_rx) = sync_channel::<(u64, Done)>(window);
    let (credit_tx, credit_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        credit_tx
            .send(())
            .expect("the receiver is alive and the channel has room");
    }
    let work_rx = Mutex::new(work_rx);
    let reader_options = &ReaderOptions {
        defer_json_lines: true,
        ..reader_options.clone()
    };
    // Serialising is a tenth of the work: done by the mappers, the writer only writes.
    let serialize = out.sink.takes_lines();
    // Spent batches going back to the thread that allocated them (bounded by the credits).
    let (records_tx, records_rx) = channel::<Records>();
    let (values_tx, values_rx): (Vec<_>, Vec<_>) = (0..threads).map(|_| channel()).unzip();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            read(
                inputs,
                reader_options,
                batch_size,
                &work_tx,
                &credit_rx,
                &records_rx,
            );
        });
        for (index, spent) in values_rx.into_iter().enumerate() {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || {
                let mapper = Mapper::new(mapping);
                map(
                    &mapper, index, validation, serialize, work_rx, &done_tx, &spent,
                );
            });
        }
        drop(done_tx);
        let written = write(&mut out, &done_rx, &credit_tx, &records_tx, &values_tx);
        drop(values_tx);
        // On an error, dropping the receiver and the credit sender stops the other threads at
        // their next send or credit; the scope then joins them.
        drop(done_rx);
        drop(credit_tx);
        written
    })?;
    out.finish()
}

/// The reader thread: reads every input in order into numbered batches.
fn read(
    inputs: &[Input],
    options: &ReaderOptions,
    batch_size: usize,
    work: &SyncSender<(u64, Work)>,
    credits: &Receiver<()>,
    spent: &Receiver<Records>,
) {
    let mut seq = 0u64;
    // Sends one batch once the writer allows it; false when the run is over.
    let mut send = |batch: Work| -> bool {
        if credits.recv().is_err() || work.send((seq, batch)).is_err() {
            return false;
        }
        seq += 1;
        true
    };
    // A batch to fill: a spent one (its records freed here, where they were allocated) or new.
    let empty = || match spent.try_recv() {
        Ok(mut records) => {
            records.clear();
            records
        }
        Err(_) => Vec::with_capacity(batch_size),
    };
    let mut batch = Vec::with_capacity(batch_size);
    for input in inputs {
        let mut reader = match ocsf_map_readers::open(input, options) {
            Ok(reader) => reader,
            Err(e) => {
                if !batch.is_empty() && !send(Work::Records(std::mem::take(&mut batch))) {
                    return;
                }
                send(Work::OpenFailed(e));
                return;
            }
        };
        let deferred = reader.deferred();
        while let Some(next) = reader.next_record() {
            batch.push((deferred, next));
            if batch.len() == batch_size {
                let full = std::mem::replace(&mut batch, empty());
                if !send(Work::Records(full)) {
                    return;
                }
            }
        }
    }
    if !batch.is_empty() {
        send(Work::Records(batch));
    }
}

/// A batch's output buffers, written: back to the mapper that filled them, to be cleared and
/// filled again. Reusing them matters for `lines`: a fresh buffer of a few hundred KB per batch
/// is fresh pages from the OS, zeroed by the kernel, each time.
#[derive(Default)]
struct Spent {
    values: Vec<Value>,
    lines: Vec<u8>,
    ends: Vec<usize>,
}

/// A mapper thread: maps and validates batches until the reader is done.
#[allow(clippy::too_many_arguments)]
fn map(
    mapper: &Mapper<'_>,
    index: usize,
    validation: Validation,
    serialize: bool,
    work: &Mutex<Receiver<(u64, Work)>>,
    done: &SyncSender<(u64, Done)>,
    spent: &Receiver<Spent>,
) {
    let mut docs = Vec::new();
    loop {
        // The lock is held only while waiting for the next batch; mapping runs unlocked.
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return, // another mapper panicked; the scope reports it
        };
        let Ok((seq, work)) = next else { return };
        let result = match work {
            Work::OpenFailed(e) => Done::OpenFailed(e),
            Work::Records(mut records) => {
                let mut steps = Vec::with_capacity(records.len());
                // Documents the writer is done with are freed here, where they were built.
                let Spent {
                    mut values,
                    mut lines,
                    mut ends,
                } = spent.try_recv().unwrap_or_default();
                values.clear();
                lines.clear();
                ends.clear();
                for (deferred, next) in &mut records {
                    let before = values.len();
                    // A deferred line's fields go in place of the line while it is mapped.
                    let mut line = None;
                    let mut unreadable = None;
                    if *deferred && let Ok(record) = next {
                        match parse_deferred_fields(record) {
                            Ok(fields) => {
                                line = Some(std::mem::replace(&mut record.fields, fields))
                            }
                            Err(e) => unreadable = Some(Err(e)),
                        }
                    }
                    let next_step = step(
                        mapper,
                        validation,
                        unreadable.as_ref().unwrap_or(next),
                        &mut docs,
                        &mut values,
                    );
                    steps.push(next_step);
                    // The line back; the parsed fields are freed here, where they were built
                    // (unless a dead letter keeps them).
                    if let (Some(line), Ok(record)) = (line, next) {
                        record.fields = line;
                    }
                    if serialize {
                        // Writing JSON into a Vec cannot fail.
                        write_lines(&mut lines, &values[before..]).expect("serialise to memory");
                        ends.push(lines.len());
                        // Freed now, so that the next record's documents reuse memory that is
                        // still in this core's cache: the writer needs only the lines.
                        values.truncate(before);
                    }
                }
                Done::Steps {
                    records,
                    steps,
                    values,
                    lines,
                    ends,
                    mapper: index,
                }
            }
        };
        if done.send((seq, result)).is_err() {
            return;
        }
    }
}

/// The writer (the caller's thread): delivers batches in `seq` order.
fn write(
    out: &mut Deliver<'_, '_>,
    done: &Receiver<(u64, Done)>,
    credits: &SyncSender<()>,
    records_back: &Sender<Records>,
    spent: &[Sender<Spent>],
) -> Result<(), PipelineError> {
    let mut early: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0u64;
    // Ends when every mapper has finished and dropped its sender.
    for (seq, batch) in done {
        early.insert(seq, batch);
        while let Some(batch) = early.remove(&next) {
            match batch {
                Done::OpenFailed(e) => return Err(e.into()),
                Done::Steps {
                    records,
                    steps,
                    values,
                    lines,
                    ends,
                    mapper,
                } => {
                    let mut rest = values.as_slice();
                    let mut start = 0;
                    for (i, (step, (_, read))) in steps.into_iter().zip(&records).enumerate() {
                        let group = match ends.get(i) {
                            Some(&end) => {
                                let own = &lines[start..end];
                                start = end;
                                Group::Lines(own)
                            }
                            None => {
                                let n = match &step {
                                    Step::Mapped { docs, .. } => *docs,
                                    _ => 0,
                                };
                                let (group, tail) = rest.split_at(n);
                                rest = tail;
                                Group::Docs(group)
                            }
                        };
                        out.deliver(step, position(read), group)?;
                    }
                    // Back to the reader, which allocated them, to be freed there (or here if
                    // it has finished).
                    let _ = records_back.send(records);
                    // Back to the mapper that built them, to be freed or reused there (or
                    // freed here if it has finished).
                    let _ = spent[mapper].send(Spent {
                        values,
                        lines,
                        ends,
                    });
                }
            }
            next += 1;
            // The reader may be gone (it has read everything); that is fine.
            let _ = credits.send(());
        }
    }
    Ok(())
}
