//! Reading and writing framed stream lines: JSON objects one per line, and `{"zipfile": N}` followed by N
//! base64-encoded zip bytes.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::de::IgnoredAny;
use serde::Serialize;
use serde_json::{Map, Value};

use super::head::{self, LineHead};
use super::zip_out::{pack_dir, PackError, PackedZip};
use crate::util::io::read_up_to;
use crate::util::pyjson;

/// Longest line the reader accepts; beyond this a line is an error rather than unbounded memory.
pub const MAX_LINE_BYTES: usize = 64 << 20;
/// Most JSON values one line may hold. Parsed, a value costs up to ~100 bytes whatever its size in
/// the text (`0,` is two), so a dense line under the byte cap could still take gigabytes; this
/// keeps a line to a few hundred megabytes while real events, whose values average far more than
/// 16 bytes, never come near it.
const MAX_LINE_VALUES: usize = 4 << 20;
/// Base64 characters decoded per step (a multiple of 4, so only the last step can hold padding).
const B64_CHUNK: usize = 64 * 1024;
/// Size of decoding buffers, and the line buffer kept between lines.
const OUT_BUF: usize = 64 * 1024;
/// Archive bytes base64-encoded per write to the stream (a multiple of 3).
const ENCODE_CHUNK: usize = 3 * 64 * 1024;
/// Characters of an offending line kept in an error (the reference quotes up to 1000).
const ERROR_LINE_CHARS: usize = 1000;
/// Characters of an offending line shown in an error message.
const SHOWN_LINE_CHARS: usize = 100;
/// Largest payload whose base64 length (4 per started 3 bytes) can still be counted in a `u64`.
const MAX_ZIP_BYTES: u64 = u64::MAX / 4 * 3;

/// Lenient on trailing bits like Python's decoder, strict on padding so a short payload is noticed.
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Writes frames to a stream, one whole frame per call, flushing after each.
///
/// To share it with a keepalive thread, wrap it in `Arc<Mutex<StreamWriter<W>>>`: every method writes a
/// complete frame, so holding the lock for one call keeps frames whole. Pack directories with
/// [`pack_dir`] *before* taking the lock and send the result with [`StreamWriter::write_zip`], so a slow
/// pack never holds up keepalives.
#[derive(Debug)]
pub struct StreamWriter<W: Write> {
    inner: W,
    last_write: Instant,
}

impl<W: Write> StreamWriter<W> {
    pub fn new(inner: W) -> Self {
        Self { inner, last_write: Instant::now() }
    }

    /// Writes `value` as one Python-`json.dumps`-style line.
    ///
    /// # Errors
    /// Write or flush failures of the underlying stream (a broken pipe included).
    pub fn write_json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        self.inner.write_all(&pyjson::to_line(value))?;
        self.inner.flush()?;
        self.last_write = Instant::now();
        Ok(())
    }

    /// Writes `{"zipfile": N}\n` and the padded base64 of the archive, with no newline after it
    /// (the reference's reader breaks on one). Returns N.
    ///
    /// # Errors
    /// Failures reading the archive file or writing the stream; after one the stream is mid-frame.
    pub fn write_zip(&mut self, zip: PackedZip) -> io::Result<u64> {
        let size = zip.size();
        let mut file = zip.into_file();
        self.inner.write_all(&pyjson::to_line(&serde_json::json!({ "zipfile": size })))?;
        let mut raw = vec![0u8; ENCODE_CHUNK];
        let mut encoded = vec![0u8; ENCODE_CHUNK / 3 * 4];
        let mut source = Read::by_ref(&mut file).take(size);
        let mut copied = 0u64;
        loop {
            // Whole chunks are multiples of 3 bytes, so only the last one can need padding.
            let n = read_up_to(&mut source, &mut raw)?;
            if n == 0 {
                break;
            }
            let len = STANDARD.encode_slice(&raw[..n], &mut encoded).map_err(io::Error::other)?;
            self.inner.write_all(&encoded[..len])?;
            copied += n as u64;
        }
        self.inner.flush()?;
        self.last_write = Instant::now();
        if copied != size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("zip archive shrank while being sent: {copied} of {size} bytes"),
            ));
        }
        Ok(size)
    }

    /// Packs `dir` (see [`pack_dir`] for order and `filter`) and writes it as one zip frame. Returns N.
    ///
    /// # Errors
    /// [`PackError`] from packing, or [`PackError::Write`] when the stream fails.
    pub fn write_zip_dir(&mut self, dir: &Path, filter: impl Fn(&Path) -> bool) -> Result<u64, PackError> {
        let packed = pack_dir(dir, filter)?;
        self.write_zip(packed).map_err(PackError::Write)
    }

    /// Time since the last frame was written (or since creation): what a keepalive timer needs.
    pub fn idle_for(&self) -> Duration {
        self.last_write.elapsed()
    }

    #[cfg(test)]
    pub fn into_inner(self) -> W {
        self.inner
    }
}

/// One unit read from a stream.
#[derive(Debug)]
pub enum Frame {
    /// A JSON object line (kwargs, status, event, eof, …), keys in stream order.
    Json(Map<String, Value>),
    /// The payload of a `{"zipfile": N}` line, decoded into an anonymous temp file (N bytes) and rewound.
    Zip { file: File },
}

/// One unit read by [`StreamReader::next_head`].
#[derive(Debug)]
pub enum HeadFrame<'a> {
    /// A JSON object line's head, borrowed from the reader.
    Line(LineHead<'a>),
    /// The payload of a `{"zipfile": N}` line, as in [`Frame::Zip`].
    Zip { file: File },
}

/// What was wrong with a stream.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("stream line is not valid JSON ({source}): {}", shorten(line))]
    NotJson {
        /// Start of the offending line (up to 1000 characters).
        line: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("stream line is not UTF-8 (invalid byte at {offset}): {}", shorten(line))]
    NotUtf8 { offset: usize, line: String },
    #[error("stream line is JSON but not an object: {}", shorten(line))]
    NotObject { line: String },
    #[error("stream ended in the middle of a line: {}", shorten(line))]
    TruncatedLine { line: String },
    #[error("stream line longer than {limit} bytes")]
    LineTooLong { limit: usize },
    #[error("stream line holds more than {limit} JSON values")]
    TooManyValues { limit: usize },
    #[error("zipfile size is not an integer from 0 to {MAX_ZIP_BYTES}: {value}")]
    BadZipSize { value: String },
    #[error("invalid base64 in zip payload near character {offset}: {detail}")]
    BadBase64 { offset: u64, detail: String },
    #[error("stream ended inside zip payload: expected {expected} base64 characters, got {got}")]
    TruncatedBase64 { expected: u64, got: u64 },
    #[error("zip payload decodes to {got} bytes, but the header announced {expected}")]
    SizeMismatch { expected: u64, got: u64 },
    #[error("cannot read the stream: {0}")]
    Io(#[from] io::Error),
}

impl StreamError {
    /// Whether the error is in a `zipfile` frame (its size or its payload) rather than in a line:
    /// the Python worker tells the two apart, as a failed extraction or an unparsable line.
    pub fn in_zip_payload(&self) -> bool {
        matches!(
            self,
            Self::BadZipSize { .. } | Self::BadBase64 { .. } | Self::TruncatedBase64 { .. } | Self::SizeMismatch { .. }
        )
    }
}

fn line_start(line: &[u8], chars: usize) -> String {
    String::from_utf8_lossy(line).chars().take(chars).collect()
}

fn shorten(line: &str) -> String {
    line_start(line.as_bytes(), SHOWN_LINE_CHARS)
}

#[derive(Clone, Copy)]
enum LineEnd {
    Complete,
    /// Bytes were read but the stream ended before a newline.
    Partial,
    Eof,
}

/// Reads frames from a stream. Memory stays bounded: lines are capped at [`MAX_LINE_BYTES`] and zip
/// payloads are decoded in fixed-size chunks straight into a temp file.
#[derive(Debug)]
pub struct StreamReader<R: BufRead> {
    inner: R,
    max_line: usize,
    max_values: usize,
    line: Vec<u8>,
    after_zip: bool,
}

impl<R: BufRead> StreamReader<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, max_line: MAX_LINE_BYTES, max_values: MAX_LINE_VALUES, line: Vec::new(), after_zip: false }
    }

    /// Lowers (or raises) the line cap.
    #[must_use]
    #[cfg(test)]
    pub fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    /// Lowers (or raises) the cap on values per line.
    #[must_use]
    #[cfg(test)]
    pub fn with_max_values(mut self, max_values: usize) -> Self {
        self.max_values = max_values;
        self
    }

    /// Next frame, or `None` at end of stream between frames.
    ///
    /// A line that is empty right after a zip payload is skipped (the reference writer never sends one,
    /// but tolerating it costs nothing). A last line without a newline is accepted if it is a whole JSON
    /// object, as Python's line iteration does.
    ///
    /// # Errors
    /// [`StreamError`] saying what was wrong; the stream cannot be resumed after one.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, StreamError> {
        let Some(end) = self.next_line()? else { return Ok(None) };
        let max_values = self.max_values;
        let map = self.complete(end, |line| parse_object(line, max_values))?;
        let Some(value) = map.get("zipfile") else { return Ok(Some(Frame::Json(map))) };
        let size = zip_size(value.as_u64(), || value.to_string())?;
        Ok(Some(Frame::Zip { file: self.read_zip(size)? }))
    }

    /// Like [`StreamReader::next_frame`], but a JSON line is handed to `handle` as its [`LineHead`]
    /// only, borrowed from the reader: for a reader that needs a few fields of each line and the
    /// line's text, not the parsed object. Lines are not held to the cap on values: nothing is
    /// built from them.
    ///
    /// # Errors
    /// As [`StreamReader::next_frame`].
    pub fn next_head<T>(&mut self, handle: impl FnOnce(HeadFrame<'_>) -> T) -> Result<Option<T>, StreamError> {
        let Some(end) = self.next_line()? else { return Ok(None) };
        let head = self.complete(end, parse_head)?;
        let Some(raw) = head.zipfile() else { return Ok(Some(handle(HeadFrame::Line(head)))) };
        let size = zip_size(head::as_u64(raw), || head::shown(Some(raw), usize::MAX))?;
        Ok(Some(handle(HeadFrame::Zip { file: self.read_zip(size)? })))
    }

    /// Bytes held for the current line, to check that memory stays bounded.
    #[cfg(test)]
    pub(super) fn line_capacity(&self) -> usize {
        self.line.capacity()
    }

    /// The next line into `self.line`, skipping one blank line right after a zip payload; `None` at
    /// the end of the stream.
    fn next_line(&mut self) -> Result<Option<LineEnd>, StreamError> {
        let mut end = self.read_line()?;
        if std::mem::take(&mut self.after_zip) && matches!(end, LineEnd::Complete) && self.line.trim_ascii().is_empty()
        {
            end = self.read_line()?;
        }
        Ok((!matches!(end, LineEnd::Eof)).then_some(end))
    }

    /// Parses the line just read; a last line without its newline that does not parse was cut.
    fn complete<'s, T>(
        &'s self,
        end: LineEnd,
        parse: impl FnOnce(&'s [u8]) -> Result<T, StreamError>,
    ) -> Result<T, StreamError> {
        let parsed = parse(&self.line);
        match end {
            LineEnd::Partial => {
                parsed.map_err(|_| StreamError::TruncatedLine { line: line_start(&self.line, ERROR_LINE_CHARS) })
            }
            LineEnd::Complete | LineEnd::Eof => parsed,
        }
    }

    /// Decodes the payload announced by a `zipfile` line.
    fn read_zip(&mut self, size: u64) -> Result<File, StreamError> {
        let file = self.read_base64(size)?;
        self.after_zip = true;
        Ok(file)
    }

    /// Reads up to and excluding the next `\n` into `self.line`.
    fn read_line(&mut self) -> Result<LineEnd, StreamError> {
        // A long line's buffer is not kept for the next ones.
        if self.line.capacity() > OUT_BUF * 16 {
            self.line = Vec::new();
        }
        self.line.clear();
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err.into()),
            };
            if buf.is_empty() {
                return Ok(if self.line.is_empty() { LineEnd::Eof } else { LineEnd::Partial });
            }
            let (take, done) = match memchr::memchr(b'\n', buf) {
                Some(pos) => (pos, true),
                None => (buf.len(), false),
            };
            if self.line.len() + take > self.max_line {
                return Err(StreamError::LineTooLong { limit: self.max_line });
            }
            self.line.extend_from_slice(&buf[..take]);
            self.inner.consume(if done { take + 1 } else { take });
            if done {
                return Ok(LineEnd::Complete);
            }
        }
    }

    /// Decodes exactly the `4·ceil(size/3)` base64 characters of a `size`-byte payload, skipping ASCII
    /// whitespace between them, into a temp file.
    fn read_base64(&mut self, size: u64) -> Result<File, StreamError> {
        let expected = size.div_ceil(3) * 4;
        let mut out = BufWriter::with_capacity(OUT_BUF, tempfile::tempfile()?);
        let mut chars: Vec<u8> = Vec::with_capacity(B64_CHUNK);
        let mut decoded_buf = vec![0u8; B64_CHUNK / 4 * 3];
        let mut got = 0u64;
        let mut decoded = 0u64;
        while got < expected {
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err.into()),
            };
            if buf.is_empty() {
                return Err(StreamError::TruncatedBase64 { expected, got });
            }
            let mut used = 0;
            for &byte in buf {
                if got == expected {
                    break;
                }
                used += 1;
                // Python's `string.whitespace`, which the reference strips from wrapped base64.
                if matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
                    continue;
                }
                chars.push(byte);
                got += 1;
                if chars.len() == B64_CHUNK {
                    decoded += decode_chunk(&chars, got, got < expected, &mut decoded_buf, &mut out)?;
                    chars.clear();
                }
            }
            self.inner.consume(used);
        }
        if !chars.is_empty() {
            decoded += decode_chunk(&chars, got, false, &mut decoded_buf, &mut out)?;
        }
        if decoded != size {
            return Err(StreamError::SizeMismatch { expected: size, got: decoded });
        }
        let mut file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.rewind()?;
        Ok(file)
    }
}

/// A line that must be one JSON object, parsed whole, refused before parsing if it holds more than
/// `max_values` values.
fn parse_object(line: &[u8], max_values: usize) -> Result<Map<String, Value>, StreamError> {
    if !values_within(line, max_values) {
        return Err(StreamError::TooManyValues { limit: max_values });
    }
    let value: Value = serde_json::from_slice(line)
        .map_err(|source| StreamError::NotJson { line: line_start(line, ERROR_LINE_CHARS), source })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(StreamError::NotObject { line: line_start(line, ERROR_LINE_CHARS) }),
    }
}

/// A JSON line (not more values than a stream line may hold), parsed whole: for a reader of
/// [`StreamReader::next_head`] that needs every field of some line after all.
///
/// # Errors
/// [`StreamError::NotJson`], [`StreamError::NotObject`] or [`StreamError::TooManyValues`].
pub fn parse_line_object(line: &str) -> Result<Map<String, Value>, StreamError> {
    parse_object(line.as_bytes(), MAX_LINE_VALUES)
}

/// The head of a line that must be one JSON object in UTF-8.
fn parse_head(line: &[u8]) -> Result<LineHead<'_>, StreamError> {
    let shown = || line_start(line, ERROR_LINE_CHARS);
    let text =
        std::str::from_utf8(line).map_err(|err| StreamError::NotUtf8 { offset: err.valid_up_to(), line: shown() })?;
    LineHead::parse(text).map_err(|err| {
        // A data error is JSON of another type, or text that is not JSON at all: tell them apart.
        if !err.is_data() {
            return StreamError::NotJson { line: shown(), source: err };
        }
        match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => StreamError::NotObject { line: shown() },
            Err(source) => StreamError::NotJson { line: shown(), source },
        }
    })
}

/// The size a `zipfile` line announces, when it is an integer the payload can have.
fn zip_size(size: Option<u64>, shown: impl FnOnce() -> String) -> Result<u64, StreamError> {
    size.filter(|size| *size <= MAX_ZIP_BYTES).ok_or_else(|| StreamError::BadZipSize { value: shown() })
}

impl<R: Read> StreamReader<BufReader<R>> {
    /// Whether input already read is waiting in the buffer: when not, the next frame may have to wait
    /// for the peer, and whatever was held back for batching should go out first.
    pub fn has_buffered_input(&self) -> bool {
        !self.inner.buffer().is_empty()
    }
}

/// Whether the JSON text holds at most `limit` values (object keys included), counted from the bytes
/// that open or separate values outside strings: an upper bound of what parsing it would build.
fn values_within(text: &[u8], limit: usize) -> bool {
    let mut count = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'[' | b'{' | b',' | b':' => {
                    count += 1;
                    if count > limit {
                        return false;
                    }
                }
                _ => {}
            }
        }
    }
    true
}

/// Decodes one run of base64 characters ending at character `end` of the payload.
fn decode_chunk(chars: &[u8], end: u64, more: bool, buf: &mut [u8], out: &mut impl Write) -> Result<u64, StreamError> {
    let start = end - chars.len() as u64;
    if more && chars.last() == Some(&b'=') {
        return Err(StreamError::BadBase64 { offset: end - 1, detail: "padding before the end of the payload".into() });
    }
    let n = DECODER
        .decode_slice(chars, buf)
        .map_err(|err| StreamError::BadBase64 { offset: start, detail: err.to_string() })?;
    out.write_all(&buf[..n])?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Cursor;
    use std::sync::{Arc, Mutex};

    fn zip_of(bytes: &[u8]) -> PackedZip {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        PackedZip::from_file(file).unwrap()
    }

    fn frames(input: &[u8]) -> Result<Vec<Frame>, StreamError> {
        let mut reader = StreamReader::new(Cursor::new(input.to_vec()));
        let mut out = Vec::new();
        while let Some(frame) = reader.next_frame()? {
            out.push(frame);
        }
        Ok(out)
    }

    fn zip_bytes(frame: Frame) -> Vec<u8> {
        match frame {
            Frame::Zip { mut file } => {
                let mut data = Vec::new();
                file.read_to_end(&mut data).unwrap();
                data
            }
            Frame::Json(map) => panic!("expected a zip frame, got {map:?}"),
        }
    }

    fn json_of(frame: Frame) -> Value {
        match frame {
            Frame::Json(map) => Value::Object(map),
            Frame::Zip { .. } => panic!("expected a JSON frame"),
        }
    }

    #[test]
    fn writes_the_exact_bytes_of_a_small_stream() {
        let mut writer = StreamWriter::new(Vec::new());
        writer.write_json(&json!({"kwargs": {"ident": "t\u{e9}", "forks": "5", "x": null}})).unwrap();
        assert_eq!(writer.write_zip(zip_of(b"hello")).unwrap(), 5);
        writer.write_json(&json!({"eof": true})).unwrap();
        assert_eq!(
            String::from_utf8(writer.into_inner()).unwrap(),
            "{\"kwargs\": {\"ident\": \"t\\u00e9\", \"forks\": \"5\", \"x\": null}}\n{\"zipfile\": 5}\naGVsbG8={\"eof\": true}\n"
        );
    }

    #[test]
    fn base64_length_is_four_per_started_triple_without_newline() {
        for len in [0usize, 1, 2, 3, 4, 100_000, 200_001] {
            let data: Vec<u8> = (0..=250u8).cycle().take(len).collect();
            let mut writer = StreamWriter::new(Vec::new());
            writer.write_zip(zip_of(&data)).unwrap();
            let out = writer.into_inner();
            let header = format!("{{\"zipfile\": {len}}}\n");
            assert!(out.starts_with(header.as_bytes()));
            let body = &out[header.len()..];
            assert_eq!(body.len(), len.div_ceil(3) * 4);
            assert_eq!(STANDARD.decode(body).unwrap(), data);
        }
    }

    #[test]
    fn reads_back_what_it_writes() {
        let data: Vec<u8> = (0..=252u8).cycle().take(300_000).collect();
        let mut writer = StreamWriter::new(Vec::new());
        writer.write_json(&json!({"kwargs": {"a": 1}})).unwrap();
        writer.write_zip(zip_of(&data)).unwrap();
        writer.write_zip(zip_of(b"")).unwrap();
        writer.write_json(&json!({"eof": true})).unwrap();
        let mut got = frames(&writer.into_inner()).unwrap().into_iter();
        assert_eq!(json_of(got.next().unwrap()), json!({"kwargs": {"a": 1}}));
        assert_eq!(zip_bytes(got.next().unwrap()), data);
        assert_eq!(zip_bytes(got.next().unwrap()), b"");
        assert_eq!(json_of(got.next().unwrap()), json!({"eof": true}));
        assert!(got.next().is_none());
    }

    #[test]
    fn accepts_base64_wrapped_with_whitespace() {
        let input = b"{\"zipfile\": 11}\naGVs\nbG8g\r\nd29y bGQ=\n{\"eof\": true}\n";
        let mut got = frames(input).unwrap().into_iter();
        assert_eq!(zip_bytes(got.next().unwrap()), b"hello world");
        assert_eq!(json_of(got.next().unwrap()), json!({"eof": true}));
        assert!(got.next().is_none());
    }

    #[test]
    fn tolerates_one_newline_after_base64_but_not_two() {
        let mut got = frames(b"{\"zipfile\": 5}\naGVsbG8=\n{\"eof\": true}\n").unwrap().into_iter();
        assert_eq!(zip_bytes(got.next().unwrap()), b"hello");
        assert_eq!(json_of(got.next().unwrap()), json!({"eof": true}));
        let err = frames(b"{\"zipfile\": 5}\naGVsbG8=\n\n{\"eof\": true}\n").unwrap_err();
        assert!(matches!(err, StreamError::NotJson { .. }), "{err}");
    }

    #[test]
    fn zip_at_end_of_stream_without_anything_after_it() {
        let mut got = frames(b"{\"zipfile\": 5}\naGVsbG8=").unwrap().into_iter();
        assert_eq!(zip_bytes(got.next().unwrap()), b"hello");
        assert!(got.next().is_none());
    }

    #[test]
    fn truncated_base64_reports_expected_and_got() {
        let err = frames(b"{\"zipfile\": 11}\naGVsbG8gd2").unwrap_err();
        assert!(matches!(err, StreamError::TruncatedBase64 { expected: 16, got: 10 }), "{err}");
        assert!(err.to_string().contains("expected 16"), "{err}");
    }

    #[test]
    fn a_next_line_inside_the_payload_is_bad_base64() {
        // Announced 11 bytes but only 5 were sent: the next JSON line is read as payload.
        let err = frames(b"{\"zipfile\": 11}\naGVsbG8={\"eof\": true}\n").unwrap_err();
        assert!(matches!(err, StreamError::BadBase64 { .. }), "{err}");
    }

    #[test]
    fn padding_that_does_not_match_the_size_is_refused() {
        let err = frames(b"{\"zipfile\": 6}\naGVsbG8=").unwrap_err();
        assert!(matches!(err, StreamError::SizeMismatch { expected: 6, got: 5 }), "{err}");
    }

    #[test]
    fn garbage_line_is_not_json_with_the_line_quoted() {
        let long = format!("garbage {}\n", "x".repeat(300));
        let err = frames(long.as_bytes()).unwrap_err();
        let StreamError::NotJson { line, .. } = &err else { panic!("{err}") };
        assert_eq!(line.len(), 308);
        let msg = err.to_string();
        assert!(msg.contains("garbage xxx") && !msg.contains(&"x".repeat(150)), "{msg}");
    }

    #[test]
    fn non_object_and_bad_size_are_typed_errors() {
        assert!(matches!(frames(b"[1, 2]\n").unwrap_err(), StreamError::NotObject { .. }));
        assert!(matches!(frames(b"{\"zipfile\": -1}\n").unwrap_err(), StreamError::BadZipSize { .. }));
        assert!(matches!(frames(b"{\"zipfile\": \"9\"}\n").unwrap_err(), StreamError::BadZipSize { .. }));
        let huge = frames(b"{\"zipfile\": 18446744073709551615}\nAAAA").unwrap_err();
        assert!(matches!(huge, StreamError::BadZipSize { .. }), "{huge}");
        let largest = frames(format!("{{\"zipfile\": {MAX_ZIP_BYTES}}}\nAAAA").as_bytes()).unwrap_err();
        assert!(matches!(largest, StreamError::TruncatedBase64 { got: 4, .. }), "{largest}");
    }

    #[test]
    fn end_of_stream_mid_line() {
        assert!(frames(b"").unwrap().is_empty());
        let err = frames(b"{\"status\": \"running\"}\n{\"event\": \"x\", \"cou").unwrap_err();
        assert!(matches!(err, StreamError::TruncatedLine { .. }), "{err}");
        // A whole object without its newline is still a line, as in Python.
        let got = frames(b"{\"eof\": true}").unwrap();
        assert_eq!(json_of(got.into_iter().next().unwrap()), json!({"eof": true}));
    }

    #[test]
    fn long_lines_pass_and_lines_over_the_cap_fail() {
        let big = "y".repeat(700_000);
        let line = pyjson::to_line(&json!({"event": "runner_on_ok", "stdout": big}));
        let got = frames(&line).unwrap();
        assert_eq!(json_of(got.into_iter().next().unwrap())["stdout"].as_str().unwrap().len(), 700_000);
        let mut reader = StreamReader::new(Cursor::new(line)).with_max_line(1000);
        assert!(matches!(reader.next_frame().unwrap_err(), StreamError::LineTooLong { limit: 1000 }));
    }

    #[test]
    fn dense_lines_are_refused_before_they_are_parsed() {
        let line = b"{\"a\": [0, 1, {\"b\": \"[,:{\\\"\"}]}\n";
        assert_eq!(frames(line).unwrap().len(), 1);
        let mut exact = StreamReader::new(Cursor::new(line.to_vec())).with_max_values(8);
        assert!(exact.next_frame().is_ok(), "brackets, commas and colons inside strings are not counted");
        let mut under = StreamReader::new(Cursor::new(line.to_vec())).with_max_values(7);
        assert!(matches!(under.next_frame().unwrap_err(), StreamError::TooManyValues { limit: 7 }));
        let dense = format!("{{\"a\": [{}0]}}\n", "0,".repeat(MAX_LINE_VALUES));
        assert!(matches!(frames(dense.as_bytes()).unwrap_err(), StreamError::TooManyValues { .. }));
    }

    #[test]
    fn keeps_key_order_and_number_text() {
        let got = frames(b"{\"z\": 1, \"a\": 1.50, \"m\": 1e-05}\n").unwrap();
        let value = json_of(got.into_iter().next().unwrap());
        assert_eq!(pyjson::to_line(&value), b"{\"z\": 1, \"a\": 1.50, \"m\": 1e-05}\n");
    }

    #[test]
    fn shared_writer_never_splits_frames() {
        let writer = Arc::new(Mutex::new(StreamWriter::new(Vec::new())));
        let payload: Vec<u8> = (0..=255u8).cycle().take(50_000).collect();
        let keepalive = {
            let writer = Arc::clone(&writer);
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let mut w = writer.lock().unwrap();
                    w.write_json(&json!({"event": "keepalive", "counter": 0, "uuid": 0})).unwrap();
                }
            })
        };
        for _ in 0..20 {
            writer.lock().unwrap().write_zip(zip_of(&payload)).unwrap();
        }
        keepalive.join().unwrap();
        let bytes = Arc::try_unwrap(writer).unwrap().into_inner().unwrap().into_inner();
        let got = frames(&bytes).unwrap();
        assert_eq!(got.len(), 220);
        let zips = got.into_iter().filter(|f| matches!(f, Frame::Zip { .. })).map(zip_bytes).collect::<Vec<_>>();
        assert_eq!(zips.len(), 20);
        assert!(zips.iter().all(|z| *z == payload));
    }

    #[test]
    fn idle_time_resets_on_write() {
        let mut writer = StreamWriter::new(Vec::new());
        std::thread::sleep(Duration::from_millis(30));
        assert!(writer.idle_for() >= Duration::from_millis(30));
        // Measured from the write, however long the machine takes to come back from it.
        let writing = Instant::now();
        writer.write_json(&json!({"a": 1})).unwrap();
        let idle = writer.idle_for();
        assert!(idle <= writing.elapsed(), "{idle:?}");
    }
}
