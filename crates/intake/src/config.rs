//! Configuration: plain data ([`IntakeConfig`]) validated into a ready form ([`ValidatedIntake`]),
//! and the credentials, which live apart so that no config value ever holds a secret.

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};

use crate::projection::CustomProjection;
use crate::retry::RetryPolicy;

/// Path of the `custom` endpoint, appended to the endpoint base URL (SEEN).
pub const CUSTOM_PATH: &str = "/api/v1/custom_detection_findings";
/// Path of the `bundle` endpoint, appended to the endpoint base URL (SEEN).
pub const BUNDLE_PATH: &str = "/api/v1/detection_findings";

/// The XDR region, which picks the default intake host and token URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Region {
    /// United States (the only host Cisco publishes).
    #[default]
    Us,
    /// Europe (host INFERRED from other XDR services).
    Eu,
    /// Asia Pacific, Japan and China (host INFERRED).
    Apjc,
}

impl Region {
    /// The intake base URL: `https://findings.us.security.cisco.com` (SEEN); EU and APJC follow
    /// the pattern of other XDR services (INFERRED; override with `--endpoint`).
    pub fn default_endpoint(self) -> &'static str {
        match self {
            Region::Us => "https://findings.us.security.cisco.com",
            Region::Eu => "https://findings.eu.security.cisco.com",
            Region::Apjc => "https://findings.apjc.security.cisco.com",
        }
    }

    /// The OAuth2 token URL (SEEN for all three regions).
    pub fn default_token_url(self) -> &'static str {
        match self {
            Region::Us => "https://visibility.amp.cisco.com/iroh/oauth2/token",
            Region::Eu => "https://visibility.eu.amp.cisco.com/iroh/oauth2/token",
            Region::Apjc => "https://visibility.apjc.amp.cisco.com/iroh/oauth2/token",
        }
    }
}

impl FromStr for Region {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Region, ConfigError> {
        match s.to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "eu" => Ok(Region::Eu),
            "apjc" => Ok(Region::Apjc),
            _ => Err(ConfigError(format!(
                "unknown region `{s}`; expected us, eu or apjc"
            ))),
        }
    }
}

/// Which intake endpoint receives the groups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IntakeMode {
    /// `POST /api/v1/custom_detection_findings`: one group per request, projected onto Cisco's
    /// simplified shape and checked first.
    #[default]
    Custom,
    /// `POST /api/v1/detection_findings`: native OCSF bundles, gzip-compressed.
    Bundle,
}

impl FromStr for IntakeMode {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<IntakeMode, ConfigError> {
        match s {
            "custom" => Ok(IntakeMode::Custom),
            "bundle" => Ok(IntakeMode::Bundle),
            _ => Err(ConfigError(format!(
                "unknown intake `{s}`; expected custom or bundle"
            ))),
        }
    }
}

/// Everything the CLI flags say about the intake, as plain data. [`IntakeConfig::validate`]
/// checks it without touching the network or the file system.
#[derive(Clone, Debug)]
pub struct IntakeConfig {
    /// `--region` (default `us`).
    pub region: Region,
    /// `--endpoint URL`: the intake base URL; the endpoint paths are appended.
    pub endpoint: Option<String>,
    /// `--token-url URL`.
    pub token_url: Option<String>,
    /// `--module-instance-id ID`, sent as the `module-instance-id` header when given.
    pub module_instance_id: Option<String>,
    /// `--header NAME:VALUE`, as given (e.g. the workflow run id header, whose name Cisco does
    /// not publish).
    pub headers: Vec<String>,
    /// `--intake custom|bundle`.
    pub mode: IntakeMode,
    /// `--max-requests-per-hour` (default 8000, the organisation's limit).
    pub max_requests_per_hour: u32,
    /// Start slowing down when `X-Ratelimit-Org-Remaining` falls below this (default 800).
    pub slow_down_below: u64,
    /// Requests in flight at once (default 4).
    pub concurrency: usize,
    /// Groups per bundle request (default 1: Cisco's export shows one finding per bundle; more
    /// is INFERRED to work). Ignored by the custom endpoint, which takes one finding per request.
    pub bundle_max_groups: usize,
    /// TCP + TLS connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Whole-request timeout, sending to last byte of the answer (default 60 s).
    pub request_timeout: Duration,
    /// When to retry and how long to wait.
    pub retry: RetryPolicy,
}

impl Default for IntakeConfig {
    fn default() -> IntakeConfig {
        IntakeConfig {
            region: Region::Us,
            endpoint: None,
            token_url: None,
            module_instance_id: None,
            headers: Vec::new(),
            mode: IntakeMode::Custom,
            max_requests_per_hour: 8000,
            slow_down_below: 800,
            concurrency: 4,
            bundle_max_groups: 1,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}

/// A configuration value that cannot work; the message names the value and shows a good one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

/// A checked configuration, ready to build a sink from.
#[derive(Clone, Debug)]
pub struct ValidatedIntake {
    pub(crate) intake_url: Url,
    pub(crate) token_url: Url,
    pub(crate) mode: IntakeMode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) pace_interval: Duration,
    pub(crate) slow_down_below: u64,
    pub(crate) concurrency: usize,
    pub(crate) bundle_max_groups: usize,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) projection: Arc<CustomProjection>,
}

impl ValidatedIntake {
    /// The URL every intake request goes to.
    pub fn intake_url(&self) -> &Url {
        &self.intake_url
    }

    /// The OAuth2 token URL.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// The endpoint.
    pub fn mode(&self) -> IntakeMode {
        self.mode
    }

    /// The time between two request starts when the org has plenty of budget left.
    pub fn pace_interval(&self) -> Duration {
        self.pace_interval
    }

    /// Replaces the projection table (e.g. with one loaded from a file when Cisco publishes
    /// more of its model).
    pub fn with_projection(mut self, table: Arc<CustomProjection>) -> ValidatedIntake {
        self.projection = table;
        self
    }
}

/// Headers the sink sets itself; `--header` may not override them.
const RESERVED: &[&str] = &[
    "authorization",
    "content-type",
    "content-encoding",
    "content-length",
    "accept",
    "host",
    "module-instance-id",
];

impl IntakeConfig {
    /// Checks every value; does no I/O.
    pub fn validate(&self) -> Result<ValidatedIntake, ConfigError> {
        let base = self
            .endpoint
            .as_deref()
            .unwrap_or(self.region.default_endpoint());
        let base = checked_url("--endpoint", base, "https://findings.us.security.cisco.com")?;
        if base.query().is_some() || base.fragment().is_some() {
            return Err(ConfigError(format!(
                "--endpoint must be a base URL without query or fragment, e.g. \
                 https://findings.us.security.cisco.com; got `{base}`"
            )));
        }
        let path = match self.mode {
            IntakeMode::Custom => CUSTOM_PATH,
            IntakeMode::Bundle => BUNDLE_PATH,
        };
        let mut intake_url = base.clone();
        intake_url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
        let token_url = checked_url(
            "--token-url",
            self.token_url
                .as_deref()
                .unwrap_or(self.region.default_token_url()),
            "https://visibility.amp.cisco.com/iroh/oauth2/token",
        )?;

        let mut headers = Vec::new();
        if let Some(id) = &self.module_instance_id {
            let value = HeaderValue::from_str(id).map_err(|_| {
                ConfigError(format!(
                    "--module-instance-id must be printable ASCII; got `{id}`"
                ))
            })?;
            headers.push((HeaderName::from_static("module-instance-id"), value));
        }
        for h in &self.headers {
            headers.push(parse_header(h)?);
        }

        if self.max_requests_per_hour == 0 {
            return Err(ConfigError(
                "--max-requests-per-hour must be at least 1, e.g. 8000".to_owned(),
            ));
        }
        if self.concurrency == 0 || self.concurrency > 64 {
            return Err(ConfigError(format!(
                "concurrency must be between 1 and 64, e.g. 4; got {}",
                self.concurrency
            )));
        }
        if self.bundle_max_groups == 0 {
            return Err(ConfigError(
                "bundle_max_groups must be at least 1".to_owned(),
            ));
        }
        if self.retry.max_attempts == 0 {
            return Err(ConfigError(
                "retry.max_attempts must be at least 1".to_owned(),
            ));
        }
        let pace_interval = Duration::from_secs_f64(3600.0 / f64::from(self.max_requests_per_hour));
        Ok(ValidatedIntake {
            intake_url,
            token_url,
            mode: self.mode,
            headers,
            pace_interval,
            slow_down_below: self.slow_down_below,
            concurrency: self.concurrency,
            bundle_max_groups: self.bundle_max_groups,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            retry: self.retry.clone(),
            projection: CustomProjection::builtin(),
        })
    }
}

fn parse_header(h: &str) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let bad = || {
        ConfigError(format!(
            "--header must be NAME:VALUE, e.g. `X-Workflow-Run-Id: 01J...`; got `{h}`"
        ))
    };
    let (name, value) = h.split_once(':').ok_or_else(bad)?;
    let name = HeaderName::from_str(name.trim()).map_err(|_| bad())?;
    if RESERVED.contains(&name.as_str()) {
        return Err(ConfigError(format!(
            "--header cannot set `{name}`: the intake sink sets it (use --module-instance-id for \
             module-instance-id)"
        )));
    }
    let value = HeaderValue::from_str(value.trim()).map_err(|_| bad())?;
    Ok((name, value))
}

fn checked_url(flag: &str, s: &str, example: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(s).map_err(|e| {
        ConfigError(format!(
            "{flag} must be an absolute URL, e.g. {example}; got `{s}` ({e})"
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError(format!(
            "{flag} must not carry credentials; they come from XDR_CLIENT_ID/XDR_CLIENT_SECRET \
             or --credentials-file"
        )));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(ConfigError(format!(
            "{flag}: plain http is refused except to loopback (127.0.0.1, ::1, localhost); \
             use https, e.g. {example}; got `{s}`"
        ))),
        other => Err(ConfigError(format!(
            "{flag}: unsupported scheme `{other}`; use https, e.g. {example}"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut IntakeConfig)) -> Result<ValidatedIntake, ConfigError> {
        let mut c = IntakeConfig::default();
        f(&mut c);
        c.validate()
    }

    #[test]
    fn the_region_picks_the_host_and_the_token_url() {
        let v = with(|c| c.region = Region::Eu).unwrap();
        assert_eq!(
            v.intake_url().as_str(),
            "https://findings.eu.security.cisco.com/api/v1/custom_detection_findings"
        );
        assert_eq!(
            v.token_url().as_str(),
            "https://visibility.eu.amp.cisco.com/iroh/oauth2/token"
        );
    }

    #[test]
    fn the_endpoint_is_a_base_url_the_path_is_appended_to() {
        let v = with(|c| {
            c.endpoint = Some("https://proxy.example/xdr/".into());
            c.mode = IntakeMode::Bundle;
        })
        .unwrap();
        assert_eq!(
            v.intake_url().as_str(),
            "https://proxy.example/xdr/api/v1/detection_findings"
        );
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        assert!(with(|c| c.endpoint = Some("http://findings.example".into())).is_err());
        for ok in [
            "http://127.0.0.1:8080",
            "http://[::1]:9",
            "http://localhost",
        ] {
            assert!(with(|c| c.endpoint = Some(ok.into())).is_ok(), "{ok}");
        }
        assert!(with(|c| c.token_url = Some("http://10.0.0.1/token".into())).is_err());
    }

    #[test]
    fn credentials_in_a_url_are_refused() {
        let e =
            with(|c| c.endpoint = Some("https://id:secret@findings.example".into())).unwrap_err();
        assert!(!e.to_string().contains("secret@"), "{e}");
    }

    #[test]
    fn a_header_the_sink_sets_cannot_be_overridden() {
        assert!(with(|c| c.headers = vec!["Authorization: Bearer x".into()]).is_err());
        assert!(with(|c| c.headers = vec!["X-Run: 1".into()]).is_ok());
        assert!(with(|c| c.headers = vec!["no colon".into()]).is_err());
    }

    #[test]
    fn the_budget_sets_the_pace() {
        let v = with(|c| c.max_requests_per_hour = 8000).unwrap();
        assert_eq!(v.pace_interval(), Duration::from_millis(450));
        assert!(with(|c| c.max_requests_per_hour = 0).is_err());
    }

    #[test]
    fn regions_and_modes_parse() {
        assert_eq!("APJC".parse::<Region>().unwrap(), Region::Apjc);
        assert_eq!("bundle".parse::<IntakeMode>().unwrap(), IntakeMode::Bundle);
        assert!("mars".parse::<Region>().is_err());
    }
}
