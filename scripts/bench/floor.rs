//! The filesystem floor for `process`: the least work that leaves the same event files on disk.
//!
//! Reads a worker stream and, for every event line (one that starts with `{"uuid": "`), writes the
//! line without its newline to `<counter>-<uuid>.json` in DIR the way an artifact is published:
//! a temp file created, written, closed, then renamed over the final name. One thread, one reused
//! buffer, names relative to DIR (no path walk), nothing else: parsing, checks and the `stdout`
//! artifact are left out, so no real tool can go below it.
//!
//! Built by `scripts/bench/stream` with `rustc -O`; usage: bench-floor STREAM DIR

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;

const PREFIX: &[u8] = b"{\"uuid\": \"";
const UUID_LEN: usize = 36;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: bench-floor STREAM DIR");
        std::process::exit(2);
    }
    let mut input = BufReader::with_capacity(1 << 16, File::open(&args[1]).expect("cannot open the stream"));
    fs::create_dir_all(&args[2]).expect("cannot create the output dir");
    std::env::set_current_dir(&args[2]).expect("cannot enter the output dir");
    let mut line = Vec::new();
    let mut counter = 0u64;
    let mut name = String::new();
    let mut tmp = String::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).expect("cannot read the stream") == 0 {
            break;
        }
        if !line.starts_with(PREFIX) || line.len() < PREFIX.len() + UUID_LEN {
            continue;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        counter += 1;
        let uuid = std::str::from_utf8(&line[PREFIX.len()..PREFIX.len() + UUID_LEN]).expect("uuid is not text");
        name.clear();
        tmp.clear();
        use std::fmt::Write as _;
        let _ = write!(name, "{counter}-{uuid}.json");
        let _ = write!(tmp, ".{name}.tmp");
        let mut file = OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp).expect("open");
        file.write_all(&line).expect("write");
        drop(file);
        fs::rename(&tmp, &name).expect("rename");
    }
    println!("{counter}");
}
