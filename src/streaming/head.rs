//! The few fields of a stream line that say what the line is and where its event goes, read without
//! building the line's JSON tree. `process` stores each event line as it came, so it needs only
//! `eof`, `status`, `zipfile`, `event`, `counter`, `uuid`, `stdout` and whether `event_data` is
//! there; the rest of the line is checked to be JSON and skipped, allocating nothing.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

/// Longest field text re-printed as compact JSON in an error; longer ones are quoted as they came.
const COMPACT_LIMIT: usize = 4096;

/// A line's fields, each the JSON text of its value borrowed from the line. A repeated key keeps its
/// last value, as Python's `json.loads` does.
#[derive(Debug, Default)]
pub struct LineHead<'a> {
    line: &'a str,
    eof: bool,
    event_data: bool,
    zipfile: Option<&'a RawValue>,
    status: Option<&'a RawValue>,
    job_explanation: Option<&'a RawValue>,
    event: Option<&'a RawValue>,
    counter: Option<&'a RawValue>,
    uuid: Option<&'a RawValue>,
    stdout: Option<&'a RawValue>,
}

impl<'a> LineHead<'a> {
    /// Reads the head of a line that must be one JSON object.
    ///
    /// # Errors
    /// serde_json's error for text that is not JSON, or a data error for JSON that is not an object.
    pub fn parse(line: &'a str) -> serde_json::Result<Self> {
        let mut head: Self = serde_json::from_str(line)?;
        head.line = line;
        Ok(head)
    }

    /// The whole line, without its newline.
    pub fn line(&self) -> &'a str {
        self.line
    }

    pub fn is_eof(&self) -> bool {
        self.eof
    }

    pub fn has_event_data(&self) -> bool {
        self.event_data
    }

    pub fn zipfile(&self) -> Option<&'a RawValue> {
        self.zipfile
    }

    pub fn status(&self) -> Option<Cow<'a, str>> {
        self.status.and_then(as_str)
    }

    pub fn job_explanation(&self) -> Option<Cow<'a, str>> {
        self.job_explanation.and_then(as_str)
    }

    pub fn event(&self) -> Option<Cow<'a, str>> {
        self.event.and_then(as_str)
    }

    pub fn stdout(&self) -> Option<Cow<'a, str>> {
        self.stdout.and_then(as_str)
    }

    pub fn counter(&self) -> Option<&'a RawValue> {
        self.counter
    }

    pub fn uuid(&self) -> Option<&'a RawValue> {
        self.uuid
    }
}

/// A field's text when it is a JSON string: borrowed when it holds no escapes.
pub fn as_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        // Valid JSON (the line parsed) without escapes: the characters between the quotes are the string.
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

/// The value as an unsigned integer, when it is one (`7`, not `7.0`, `"7"` or `-7`).
pub fn as_u64(raw: &RawValue) -> Option<u64> {
    raw.get().parse().ok()
}

/// Python truthiness of a field, as the Python tool tests `counter` and `uuid`: an absent field,
/// `null`, `false`, zero, `""`, `[]` and `{}` are false.
pub fn truthy(raw: Option<&RawValue>) -> bool {
    let Some(raw) = raw else { return false };
    let text = raw.get();
    match text.as_bytes().first() {
        None | Some(b'n' | b'f') => false,
        Some(b't') => true,
        Some(b'"') => text.len() > 2,
        Some(b'[' | b'{') => !text[1..text.len() - 1].trim_ascii().is_empty(),
        // Numbers: zero in any spelling is false; one too large for a float is not zero.
        Some(_) => text.parse::<f64>() != Ok(0.0),
    }
}

/// A field's value as error messages quote it: compact JSON, at most `chars` characters.
pub fn shown(raw: Option<&RawValue>, chars: usize) -> String {
    let Some(raw) = raw else { return String::new() };
    let text = raw.get();
    let compact = (text.len() <= COMPACT_LIMIT).then(|| serde_json::from_str::<Value>(text).ok()).flatten();
    match compact {
        Some(value) => value.to_string().chars().take(chars).collect(),
        None => text.chars().take(chars).collect(),
    }
}

/// The keys the head keeps; any other is skipped.
enum Key {
    Eof,
    EventData,
    Zipfile,
    Status,
    JobExplanation,
    Event,
    Counter,
    Uuid,
    Stdout,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "eof" => Key::Eof,
            "event_data" => Key::EventData,
            "zipfile" => Key::Zipfile,
            "status" => Key::Status,
            "job_explanation" => Key::JobExplanation,
            "event" => Key::Event,
            "counter" => Key::Counter,
            "uuid" => Key::Uuid,
            "stdout" => Key::Stdout,
            _ => Key::Other,
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for LineHead<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(HeadVisitor)
    }
}

struct HeadVisitor;

impl<'de> Visitor<'de> for HeadVisitor {
    type Value = LineHead<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut head = LineHead::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Eof | Key::EventData | Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    head.eof |= matches!(key, Key::Eof);
                    head.event_data |= matches!(key, Key::EventData);
                    continue;
                }
                Key::Zipfile => &mut head.zipfile,
                Key::Status => &mut head.status,
                Key::JobExplanation => &mut head.job_explanation,
                Key::Event => &mut head.event,
                Key::Counter => &mut head.counter,
                Key::Uuid => &mut head.uuid,
                Key::Stdout => &mut head.stdout,
            };
            *slot = Some(map.next_value()?);
        }
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn reads_the_fields_and_skips_the_rest() {
        let line = r#"{"uuid" : "u-1", "counter":  7 , "x": {"stdout": "inner", "eof": 1}, "stdout": "a\u001b[0m\"b", "event_data": {}, "event": "runner_on_ok"}"#;
        let head = LineHead::parse(line).unwrap();
        assert_eq!(head.uuid().map(RawValue::get), Some("\"u-1\""));
        assert_eq!(head.counter().and_then(as_u64), Some(7));
        assert_eq!(head.stdout().as_deref(), Some("a\u{1b}[0m\"b"));
        assert!(matches!(head.event(), Some(Cow::Borrowed("runner_on_ok"))));
        assert!(head.has_event_data() && !head.is_eof() && head.zipfile().is_none() && head.status().is_none());
        assert_eq!(head.line(), line);
    }

    #[test]
    fn escaped_and_repeated_keys_count_as_json_reads_them() {
        let head = LineHead::parse(r#"{"\u0065of": 0, "counter": 1, "counter": "two"}"#).unwrap();
        assert!(head.is_eof());
        assert_eq!(head.counter().map(RawValue::get), Some("\"two\""));
    }

    #[test]
    fn refuses_what_is_not_one_json_object() {
        for bad in ["", "[1, 2]", "{\"a\": 1} x", "{\"a\": 01}", "{\"a\": \"\u{1}\"}", "{\"a\": tru}", "{\"a\": [1,]}"]
        {
            assert!(LineHead::parse(bad).is_err(), "{bad:?}");
        }
        assert!(LineHead::parse("[1, 2]").unwrap_err().is_data());
    }

    #[test]
    fn truthiness_follows_python() {
        for falsy in ["null", "false", "0", "0.0", "-0", "0e7", "\"\"", "[]", "[ ]", "{}", "{ \n}"] {
            assert!(!truthy(Some(&raw(falsy))), "{falsy}");
        }
        for true_ in ["true", "1", "-1", "0.5", "1e400", "\" \"", "\"0\"", "[0]", "{\"a\": 0}"] {
            assert!(truthy(Some(&raw(true_))), "{true_}");
        }
        assert!(!truthy(None));
    }

    #[test]
    fn integers_only_and_quoted_compactly() {
        for (text, want) in [("7", Some(7)), ("7.0", None), ("-7", None), ("\"7\"", None), ("1e2", None)] {
            assert_eq!(as_u64(&raw(text)), want, "{text}");
        }
        assert_eq!(shown(Some(&raw("[1, {\"a\": \"\\u00e9\"}]")), 100), "[1,{\"a\":\"\u{e9}\"}]");
        assert_eq!(shown(Some(&raw("\"abcdef\"")), 3), "\"ab");
        assert_eq!(shown(None, 10), "");
    }
}
