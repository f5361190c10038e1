//! OAuth2 client credentials, hand-written: a form POST with HTTP Basic auth, the token cached
//! until shortly before `expires_in` runs out, and a new one fetched on demand after a 401.

use std::time::{Duration, SystemTime};

use reqwest::Url;
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::IntakeError;
use crate::credentials::Credentials;
use crate::progress::Progress;
use crate::retry::{Action, AttemptResult, RetryPolicy, retry_decision};

#[derive(Clone)]
struct Token {
    value: String,
    refresh_at: Instant,
    generation: u64,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: Option<String>,
    expires_in: Option<u64>,
}

/// Fetches and caches bearer tokens. Concurrent callers share one fetch.
pub(crate) struct TokenSource {
    client: reqwest::Client,
    url: Url,
    credentials: Credentials,
    policy: RetryPolicy,
    cache: Mutex<Option<Token>>,
    generation: std::sync::atomic::AtomicU64,
    fetches: std::sync::atomic::AtomicU64,
    /// Where failed attempts show, for the progress line.
    progress: Progress,
}

/// Refresh this long before expiry: 30 s, or a quarter of the lifetime if that is shorter.
fn margin(expires_in: Duration) -> Duration {
    Duration::from_secs(30).min(expires_in / 4)
}

impl TokenSource {
    pub(crate) fn new(
        client: reqwest::Client,
        url: Url,
        credentials: Credentials,
        policy: RetryPolicy,
        progress: Progress,
    ) -> TokenSource {
        TokenSource {
            client,
            url,
            credentials,
            policy,
            cache: Mutex::new(None),
            generation: Default::default(),
            fetches: Default::default(),
            progress,
        }
    }

    /// A valid token and its generation (to pass to [`TokenSource::invalidate`]).
    pub(crate) async fn get(&self) -> Result<(String, u64), IntakeError> {
        let mut cache = self.cache.lock().await;
        if let Some(t) = cache.as_ref()
            && Instant::now() < t.refresh_at
        {
            return Ok((t.value.clone(), t.generation));
        }
        let t = self.fetch().await?;
        let out = (t.value.clone(), t.generation);
        *cache = Some(t);
        Ok(out)
    }

    /// Drops the cached token if it is still generation `generation` (after a 401).
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|t| t.generation == generation) {
            *cache = None;
        }
    }

    /// How many tokens were fetched.
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn fetch(&self) -> Result<Token, IntakeError> {
        let url = self.url.to_string();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let sent = self
                .client
                .post(self.url.clone())
                .basic_auth(
                    self.credentials.client_id(),
                    Some(self.credentials.client_secret()),
                )
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await;
            let (response, failure) = match sent {
                Ok(r) => (Some(r), AttemptResult::Transport),
                Err(e) => (None, crate::sink::classify(&e)),
            };
            let result = response.as_ref().map_or(0, |r| r.status().as_u16());
            let retry_after = response
                .as_ref()
                .and_then(|r| r.headers().get(reqwest::header::RETRY_AFTER))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let attempt_result = match response {
                Some(_) => AttemptResult::Status {
                    status: result,
                    retry_after: retry_after.as_deref(),
                },
                None => failure,
            };
            let action = retry_decision(
                attempt_result,
                attempt,
                &self.policy,
                SystemTime::now(),
                crate::sink::jitter(),
            );
            self.progress
                .token_attempt(matches!(action, Action::Success));
            match action {
                Action::Success => {
                    let r = response.expect("a status came with a response");
                    // The body holds the token: it never goes into an error message.
                    let reply: TokenReply = r
                        .json()
                        .await
                        .map_err(|_| IntakeError::TokenResponse { url: url.clone() })?;
                    let value = reply
                        .access_token
                        .filter(|t| !t.is_empty())
                        .ok_or_else(|| IntakeError::TokenResponse { url: url.clone() })?;
                    let life = Duration::from_secs(reply.expires_in.unwrap_or(600));
                    self.fetches
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let generation = self
                        .generation
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                        + 1;
                    return Ok(Token {
                        value,
                        refresh_at: Instant::now() + life - margin(life),
                        generation,
                    });
                }
                Action::Retry { after, .. } => tokio::time::sleep(after).await,
                Action::GiveUp => {
                    return Err(IntakeError::TokenUnavailable {
                        url,
                        attempts: attempt,
                        last: if result == 0 {
                            "no answer".to_owned()
                        } else {
                            format!("HTTP {result}")
                        },
                    });
                }
                Action::RefreshToken | Action::Reject => {
                    let detail = match response {
                        Some(r) => oauth_error(r).await,
                        None => String::new(),
                    };
                    return Err(IntakeError::Auth {
                        url,
                        status: result,
                        detail,
                    });
                }
            }
        }
    }
}

/// The `error`/`error_description` of an OAuth2 error reply, and nothing else from the body.
async fn oauth_error(r: reqwest::Response) -> String {
    let Ok(v) = r.json::<serde_json::Value>().await else {
        return String::new();
    };
    let field = |k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .map(|s| s.chars().take(200).collect::<String>())
    };
    match (field("error"), field("error_description")) {
        (Some(e), Some(d)) => format!(": {e}: {d}"),
        (Some(e), None) => format!(": {e}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_margin_is_thirty_seconds_or_a_quarter_of_the_life() {
        assert_eq!(margin(Duration::from_secs(600)), Duration::from_secs(30));
        assert_eq!(margin(Duration::from_secs(4)), Duration::from_secs(1));
    }
}
