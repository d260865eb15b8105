//! JSON text in the exact shape Python's `json.dumps` gives by default (`", "` and `": "` separators,
//! non-ASCII escaped as `\uXXXX`), because event files and stream lines must be byte-compatible with
//! what the Python ansible-runner writes and reads.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};
use serde_json::Value;

/// Formatter reproducing `json.dumps(obj)` with default separators; `ensure_ascii` as in Python.
pub struct PythonFormatter {
    pub ensure_ascii: bool,
}

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        if !self.ensure_ascii || fragment.is_ascii() {
            return writer.write_all(fragment.as_bytes());
        }
        let mut units = [0u16; 2];
        for ch in fragment.chars() {
            if ch.is_ascii() {
                writer.write_all(&[ch as u8])?;
            } else {
                for unit in ch.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(&mut self, writer: &mut W, escape: CharEscape) -> io::Result<()> {
        let text: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"\\/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(writer, "\\u{byte:04x}"),
        };
        writer.write_all(text)
    }
}

/// Serialises `value` as Python's `json.dumps` would.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write(&mut out, value).unwrap_or_else(|_| unreachable!("writing JSON into a Vec cannot fail"));
    out
}

/// Serialises `value` as Python's `json.dumps` would, into any writer.
pub fn write<W: io::Write, T: Serialize + ?Sized>(writer: W, value: &T) -> io::Result<()> {
    let mut serializer = Serializer::with_formatter(writer, PythonFormatter { ensure_ascii: true });
    value.serialize(&mut serializer).map_err(io::Error::other)
}

/// As `json.dumps(value, ensure_ascii=False)`: non-ASCII text kept as UTF-8 (the `command` artifact).
pub fn to_vec_unicode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    let mut serializer = Serializer::with_formatter(&mut out, PythonFormatter { ensure_ascii: false });
    value.serialize(&mut serializer).unwrap_or_else(|_| unreachable!("writing JSON into a Vec cannot fail"));
    out
}

/// Serialises `value` as one Python-style JSON line (with the trailing `\n`).
pub fn to_line<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = to_vec(value);
    out.push(b'\n');
    out
}

/// Converts a value to text as Python's `str()` does, because the Python tool stringifies
/// `env/envvars` values that way and jobs depend on it (`True`, `None`, `2.5`).
pub fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => python_repr(other),
    }
}

fn python_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
            let mut out = String::with_capacity(s.len() + 2);
            out.push(quote);
            for ch in s.chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(items) => format!("[{}]", items.iter().map(python_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", python_repr(&Value::String(k.clone())), python_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_str_matches_python() {
        assert_eq!(python_str(&json!(1)), "1");
        assert_eq!(python_str(&json!(2.5)), "2.5");
        assert_eq!(python_str(&json!(null)), "None");
        assert_eq!(python_str(&json!(false)), "False");
        assert_eq!(python_str(&json!({"x": 1})), "{'x': 1}");
        assert_eq!(python_str(&json!(["a", "it's"])), "['a', \"it's\"]");
    }

    #[test]
    fn matches_python_separators_and_ascii_escaping() {
        let value = json!({"a": [1, 2], "b": "h\u{e9}llo \u{1f600}", "c": {"d": null}});
        assert_eq!(
            String::from_utf8(to_vec(&value)).unwrap(),
            r#"{"a": [1, 2], "b": "h\u00e9llo \ud83d\ude00", "c": {"d": null}}"#
        );
    }

    #[test]
    fn escapes_control_characters_like_python() {
        let value = json!("\u{1b}[0;32mok\r\n\t/");
        assert_eq!(String::from_utf8(to_vec(&value)).unwrap(), r#""\u001b[0;32mok\r\n\t/""#);
    }

    #[test]
    fn keeps_number_text_verbatim() {
        let value: serde_json::Value =
            serde_json::from_str(r#"{"d": 0.1, "e": 1e-05, "f": 12345678901234567890}"#).unwrap();
        assert_eq!(String::from_utf8(to_vec(&value)).unwrap(), r#"{"d": 0.1, "e": 1e-05, "f": 12345678901234567890}"#);
    }
}
