//! Secrets kept out of artifacts and streams: environment values whose names say they are secret.

use indexmap::IndexMap;

/// Environment names whose values are kept out of artifacts and streams.
pub fn is_secret_name(name: &str) -> bool {
    // `PASS` covers `PASSWORD`, `PASSWD` and a bare `DB_PASS`; `PRIVATE` covers `PRIVATE_KEY`.
    const MARKERS: [&str; 9] =
        ["PASS", "SECRET", "TOKEN", "PRIVATE", "API_KEY", "APIKEY", "ACCESS_KEY", "CREDENTIAL", "AUTH"];
    let upper = name.to_ascii_uppercase();
    MARKERS.iter().any(|marker| upper.contains(marker)) && upper != "SSH_AUTH_SOCK"
}

/// The marker that replaces a secret value in artifacts and streams.
pub const REDACTED: &str = "**********";

/// A copy of `env` safe to write to disk or a stream: secret-looking values replaced by a marker.
pub fn redact_env(env: &IndexMap<String, String>) -> IndexMap<String, String> {
    env.iter()
        .map(|(key, value)| {
            let shown = if is_secret_name(key) && !value.is_empty() { REDACTED.to_owned() } else { value.clone() };
            (key.clone(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_redacted() {
        let env: IndexMap<String, String> =
            [("AWS_SECRET_ACCESS_KEY", "x"), ("HOME", "/root"), ("MY_PASSWORD", "p"), ("GITHUB_TOKEN", "t")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let shown = redact_env(&env);
        assert_eq!(shown["HOME"], "/root");
        assert_eq!(shown["MY_PASSWORD"], REDACTED);
        assert_eq!(shown["GITHUB_TOKEN"], REDACTED);
        assert_eq!(shown["AWS_SECRET_ACCESS_KEY"], REDACTED);
        for name in ["DB_PASS", "LDAP_PASSWD", "GCP_CREDENTIALS", "MY_PRIVATE_PEM"] {
            assert!(is_secret_name(name), "{name}");
        }
    }
}
