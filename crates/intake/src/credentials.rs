//! OAuth2 client credentials: from the environment or a file, never from argv, never printed.

use std::fmt;
use std::path::Path;

/// Environment variable holding the client id.
pub const CLIENT_ID_VAR: &str = "XDR_CLIENT_ID";
/// Environment variable holding the client secret.
pub const CLIENT_SECRET_VAR: &str = "XDR_CLIENT_SECRET";

/// An API client's id and secret. `Debug` shows neither; there is no `Display`.
#[derive(Clone)]
pub struct Credentials {
    client_id: String,
    client_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &"<redacted>")
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Credentials that could not be read. Messages name variables, files and lines, never values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// Neither variable is set (or one is missing or empty).
    #[error(
        "no XDR API credentials: set {CLIENT_ID_VAR} and {CLIENT_SECRET_VAR}, or pass \
         --credentials-file (missing: {0})"
    )]
    MissingEnv(&'static str),
    /// The file could not be read.
    #[error("cannot read credentials file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is in neither accepted format, or lacks a key.
    #[error(
        "credentials file {path}: {reason} (expected JSON {{\"client_id\": …, \"client_secret\": …}} \
         or KEY=VALUE lines with {CLIENT_ID_VAR} and {CLIENT_SECRET_VAR})"
    )]
    Format {
        /// The file.
        path: String,
        /// What is wrong (never a value from the file).
        reason: String,
    },
}

impl Credentials {
    /// Credentials from their two parts.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Credentials {
        Credentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// From `XDR_CLIENT_ID` and `XDR_CLIENT_SECRET`.
    pub fn from_env() -> Result<Credentials, CredentialsError> {
        Credentials::from_lookup(|k| std::env::var(k).ok())
    }

    /// From any variable lookup (the environment, or a map in tests).
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials, CredentialsError> {
        let id = get(CLIENT_ID_VAR).filter(|s| !s.is_empty());
        let secret = get(CLIENT_SECRET_VAR).filter(|s| !s.is_empty());
        match (id, secret) {
            (Some(id), Some(secret)) => Ok(Credentials::new(id, secret)),
            (None, _) => Err(CredentialsError::MissingEnv(CLIENT_ID_VAR)),
            (_, None) => Err(CredentialsError::MissingEnv(CLIENT_SECRET_VAR)),
        }
    }

    /// From a file: either JSON `{"client_id": "…", "client_secret": "…"}`, or `KEY=VALUE` lines
    /// (`XDR_CLIENT_ID=…` and `XDR_CLIENT_SECRET=…`, or `client_id=…` and `client_secret=…`;
    /// blank lines and `#` comments ignored, values may be quoted).
    pub fn from_file(path: &Path) -> Result<Credentials, CredentialsError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::Io {
            path: name.clone(),
            source,
        })?;
        Credentials::parse(&text).map_err(|reason| CredentialsError::Format { path: name, reason })
    }

    fn parse(text: &str) -> Result<Credentials, String> {
        let mut id = None;
        let mut secret = None;
        if text.trim_start().starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| format!("invalid JSON at line {}", e.line()))?;
            id = v
                .get("client_id")
                .and_then(|s| s.as_str())
                .map(str::to_owned);
            secret = v
                .get("client_secret")
                .and_then(|s| s.as_str())
                .map(str::to_owned);
        } else {
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let line = line.strip_prefix("export ").unwrap_or(line);
                let Some((k, v)) = line.split_once('=') else {
                    return Err(format!("line {} is not KEY=VALUE", n + 1));
                };
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(v)
                    .to_owned();
                match k.trim() {
                    CLIENT_ID_VAR | "client_id" => id = Some(v),
                    CLIENT_SECRET_VAR | "client_secret" => secret = Some(v),
                    _ => {}
                }
            }
        }
        match (
            id.filter(|s| !s.is_empty()),
            secret.filter(|s| !s.is_empty()),
        ) {
            (Some(id), Some(secret)) => Ok(Credentials::new(id, secret)),
            (None, _) => Err("no client_id".to_owned()),
            (_, None) => Err("no client_secret".to_owned()),
        }
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(crate) fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let c = Credentials::new("my-id", "s3cr3t");
        let text = format!("{c:?}");
        assert!(
            !text.contains("s3cr3t") && !text.contains("my-id"),
            "{text}"
        );
    }

    #[test]
    fn a_json_file_is_read() {
        let c = Credentials::parse(r#"{"client_id": "a", "client_secret": "b"}"#).unwrap();
        assert_eq!((c.client_id(), c.client_secret()), ("a", "b"));
    }

    #[test]
    fn a_key_value_file_is_read() {
        let c = Credentials::parse("# xdr\nexport XDR_CLIENT_ID=a\nXDR_CLIENT_SECRET=\"b=c\"\n")
            .unwrap();
        assert_eq!((c.client_id(), c.client_secret()), ("a", "b=c"));
    }

    #[test]
    fn a_file_error_never_quotes_the_file() {
        let e = Credentials::parse("XDR_CLIENT_ID=a\nsupersecret\n").unwrap_err();
        assert!(!e.contains("supersecret"), "{e}");
    }

    #[test]
    fn the_environment_needs_both_variables() {
        let e =
            Credentials::from_lookup(|k| (k == CLIENT_ID_VAR).then(|| "a".to_owned())).unwrap_err();
        assert!(e.to_string().contains(CLIENT_SECRET_VAR));
    }
}
