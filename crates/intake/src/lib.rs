//! Delivery of OCSF groups to the Cisco XDR Findings Intake API.
//!
//! # Brief overview
//! - [`IntakeConfig`] is what the command line says (region, endpoint, headers, budget, ...);
//!   [`IntakeConfig::validate`] checks it without I/O and gives a [`ValidatedIntake`].
//!   [`Credentials`] come from `XDR_CLIENT_ID`/`XDR_CLIENT_SECRET` or a file, never from argv,
//!   and never appear in `Debug`, errors or the dry run.
//! - [`IntakeSink`] implements [`ocsf_map_sinks::Sink`]: each `write_group` is one submission
//!   (one detection finding plus its evidence). It checks and queues the group and returns; a
//!   small tokio runtime sends it: OAuth2 client credentials (token cached, refreshed before
//!   expiry and once after a 401), paced to the hourly budget, retried on 429/5xx/timeouts/broken
//!   connections with backoff and `Retry-After`. Each group's [`Outcome`] goes to a callback.
//! - [`Checkpoint`] journals acknowledged finding uids (fsync before the outcome is reported);
//!   a sink given one never sends an acknowledged finding again. See its module for the exact
//!   guarantees.
//! - [`derive_finding_uid`] gives a finding the mapping left without a uid a deterministic one,
//!   so a re-sent request carries the same uid.
//! - [`project_custom`] / [`check_constraints`]: the `custom` endpoint's body and Cisco's
//!   published constraints, driven by a data table ([`CustomProjection`]).
//! - [`DryRunSink`] writes the requests instead of sending them.
//! - [`retry_decision`] is the single, pure place where answers become actions.
//!
//! # Example
//! ```no_run
//! use ocsf_map_intake::{Checkpoint, Credentials, IntakeConfig, IntakeSink, Outcome};
//! use ocsf_map_sinks::Sink;
//!
//! let cfg = IntakeConfig {
//!     module_instance_id: Some("0f3c…".into()),
//!     ..IntakeConfig::default()
//! }
//! .validate()?;
//! let checkpoint = Checkpoint::open("backfill.ckpt".as_ref())?;
//! let mut sink = IntakeSink::new(
//!     cfg,
//!     Credentials::from_env()?,
//!     Some(checkpoint),
//!     Box::new(|o: Outcome| {
//!         if let Some(why) = o.error_message() {
//!             eprintln!("{}: {why}", o.pos());
//!         }
//!     }),
//! )?;
//! // for each record: sink.write_group(&record.pos, &docs)?;
//! sink.finish()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checkpoint;
mod config;
mod credentials;
mod dry_run;
mod error;
mod pacer;
mod progress;
mod projection;
mod request;
mod retry;
mod sink;
mod token;
mod uid;

pub use checkpoint::{Ack, Checkpoint, CheckpointError};
pub use config::{
    BUNDLE_PATH, CUSTOM_PATH, ConfigError, IntakeConfig, IntakeMode, Region, ValidatedIntake,
};
pub use credentials::{CLIENT_ID_VAR, CLIENT_SECRET_VAR, Credentials, CredentialsError};
pub use dry_run::DryRunSink;
pub use error::IntakeError;
pub use pacer::paced_interval;
pub use progress::{Progress, ProgressSnapshot};
pub use projection::{
    CustomProjection, Projected, ProjectionTableError, Violation, check_constraints, project_custom,
};
pub use request::{build_bundle, gzip};
pub use retry::{
    Action, AttemptResult, RetryPolicy, RetryReason, backoff, parse_retry_after, retry_decision,
};
pub use sink::{IntakeSink, OnOutcome, Outcome, Summary};
pub use uid::{derive_finding_uid, finding_uid};
