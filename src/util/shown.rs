//! What of a value read from an input a message may show. A private data dir's `env/` file may be
//! a symlink to a file the runner (often root) can read and its author cannot, such as
//! `/etc/shadow`: a message names the file, the position and what is wrong, and quotes a value only
//! when it is plausibly the user's own — a name made of `[A-Za-z0-9_]` or a number, and short.

/// Longest value a message quotes.
const LONGEST: usize = 64;

/// Whether `text` may be quoted in a message: a short name of `[A-Za-z0-9_]`, or a number.
pub fn is_plain(text: &str) -> bool {
    let name = text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    !text.is_empty() && text.len() <= LONGEST && (name || text.parse::<f64>().is_ok())
}

/// `text` in backticks when it is plain, else a neutral stand-in that says only its length.
pub fn quoted(text: &str) -> String {
    if is_plain(text) {
        format!("`{text}`")
    } else {
        format!("a value of {} characters (not shown: not a name or a number)", text.chars().count())
    }
}

/// A value the user gave (a flag, a keyword), quoted, and cut to its first [`LONGEST`] characters
/// when longer: a message names it, it need not repeat 4 KiB of it.
pub fn clipped(text: &str) -> String {
    let count = text.chars().count();
    if count <= LONGEST {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(LONGEST).collect();
    format!("{head:?}… ({count} characters)")
}

/// A number as a person reads it: in full up to 16 digits, in scientific notation beyond.
pub fn number(value: f64) -> String {
    if value.abs() < 1e16 {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// A parser's message (serde_json, serde_yaml_ng) with the input it quotes taken out: every
/// `"…"` string and every `` `…` `` name that is not plain becomes `"…"`. What stays says what was
/// wrong and where (line, column, the type expected).
pub fn scrubbed(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['"', '`']) {
        out.push_str(&rest[..start]);
        let quote = rest.as_bytes()[start];
        let body = &rest[start + 1..];
        let Some(len) = closing(body, quote) else {
            out.push_str("\"…\"");
            return out;
        };
        let inner = &body[..len];
        if is_plain(inner) {
            out.push_str(&rest[start..=start + len + 1]);
        } else {
            out.push_str("\"…\"");
        }
        rest = &body[len + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the quote that opened `body` closes, backslash escapes skipped.
fn closing(body: &str, quote: u8) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            byte if byte == quote => return Some(at),
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_given_value_is_clipped_and_a_huge_number_is_short() {
        assert_eq!(clipped("a/b"), "\"a/b\"");
        let long = clipped(&"x".repeat(4096));
        assert!(long.starts_with(&format!("{:?}", "x".repeat(LONGEST))) && long.ends_with("… (4096 characters)"));
        assert_eq!(number(-5.0), "-5");
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(f64::NAN), "NaN");
    }

    #[test]
    fn names_and_numbers_are_shown_and_nothing_else() {
        for plain in ["idle_timeout", "job_timout", "600", "1.5e3", "-1"] {
            assert!(is_plain(plain), "{plain}");
        }
        for hidden in ["root:*:20228:0:99999:7::", "", "a b", "x".repeat(65).as_str(), "$6$salt$hash", "é"] {
            assert!(!is_plain(hidden), "{hidden}");
        }
        assert_eq!(quoted("root:$6$x"), "a value of 9 characters (not shown: not a name or a number)");
    }

    #[test]
    fn a_parser_message_keeps_its_reason_and_loses_the_input() {
        let serde = r#"invalid type: string "root:$6$salt\"y", expected u32 at line 1 column 30"#;
        assert_eq!(scrubbed(serde), r#"invalid type: string "…", expected u32 at line 1 column 30"#);
        let field = "unknown field `pa$$word`, expected one of `ident`, `playbook`";
        assert_eq!(scrubbed(field), "unknown field \"…\", expected one of `ident`, `playbook`");
        assert_eq!(scrubbed("cut \"short"), "cut \"…\"");
        assert_eq!(
            scrubbed("EOF while parsing a value at line 2 column 0"),
            "EOF while parsing a value at line 2 column 0"
        );
    }
}
