//! Errors that end a run. Per-group failures are [`crate::Outcome`]s, not errors.

use ocsf_map_record::SourcePos;

use crate::checkpoint::CheckpointError;

/// Why an intake run cannot go on. Messages never contain credentials or tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeError {
    /// The HTTP client could not be built (TLS roots, ...).
    #[error("cannot set up the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// The async runtime or a thread could not be started.
    #[error("cannot start the delivery runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The token endpoint refused the credentials.
    #[error("the token endpoint {url} refused the credentials (HTTP {status}{detail})")]
    Auth {
        /// Token URL.
        url: String,
        /// Its answer.
        status: u16,
        /// The OAuth2 `error` (and description), when given.
        detail: String,
    },
    /// The token endpoint answered 2xx without a usable token.
    #[error("the token endpoint {url} answered without an access token")]
    TokenResponse {
        /// Token URL.
        url: String,
    },
    /// The token endpoint could not be reached.
    #[error("cannot get a token from {url} after {attempts} attempts ({last})")]
    TokenUnavailable {
        /// Token URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The intake answered 401 again right after a new token was fetched.
    #[error(
        "the intake answered 401 Unauthorized to a freshly fetched token; check that the API \
         client may write findings"
    )]
    Unauthorized,
    /// A request kept failing with retryable errors.
    #[error(
        "gave up on the finding {uid} from {pos} after {attempts} attempts ({last}); \
             run the same command again to resume"
    )]
    RetriesExhausted {
        /// Where the group came from (the first of the request's groups).
        pos: SourcePos,
        /// Its finding uid.
        uid: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The checkpoint could not be written.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// An earlier error stopped the delivery; `finish` returns it.
    #[error("delivery stopped after an earlier error")]
    Stopped,
}

impl From<IntakeError> for ocsf_map_sinks::SinkError {
    fn from(e: IntakeError) -> ocsf_map_sinks::SinkError {
        ocsf_map_sinks::SinkError::Io {
            path: "intake".to_owned(),
            source: std::io::Error::other(e),
        }
    }
}
