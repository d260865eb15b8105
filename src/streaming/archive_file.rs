//! The file a zip archive is built in, written through a buffer that can be seeked within.
//!
//! The zip writer goes back after each entry to fill in the CRC and sizes of its local header, then
//! returns to the end. Through a plain `BufWriter` every such seek flushes the buffer and moves the
//! file offset: several system calls per entry, which dominate packing thousands of small files.
//! Here a seek only moves a cursor; bytes still in the buffer are patched in place, and only
//! earlier ones (an entry larger than the buffer) are written to the file at their offset.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

/// Bytes held before they are written to the file.
const CAPACITY: usize = 256 * 1024;

#[derive(Debug)]
pub struct ArchiveFile {
    file: File,
    /// Bytes from offset `base` on, not yet in the file.
    buf: Vec<u8>,
    base: u64,
    /// Where the next write goes; never beyond the end.
    pos: u64,
}

impl ArchiveFile {
    pub fn new(file: File) -> Self {
        Self { file, buf: Vec::with_capacity(CAPACITY), base: 0, pos: 0 }
    }

    /// The file with every byte written to it.
    ///
    /// # Errors
    /// A failure writing the buffered bytes.
    pub fn into_file(mut self) -> io::Result<File> {
        self.flush()?;
        Ok(self.file)
    }

    fn end(&self) -> u64 {
        self.base + self.buf.len() as u64
    }
}

impl Write for ArchiveFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.pos < self.base {
            // A patch of bytes already in the file: written there, up to where the buffer starts.
            let room = usize::try_from(self.base - self.pos).unwrap_or(usize::MAX).min(data.len());
            self.file.write_all_at(&data[..room], self.pos)?;
            self.pos += room as u64;
            return Ok(room);
        }
        let at = usize::try_from(self.pos - self.base).map_err(io::Error::other)?;
        if at == self.buf.len() && self.buf.len() + data.len() > CAPACITY {
            self.flush()?;
            if data.len() >= CAPACITY {
                self.file.write_all_at(data, self.base)?;
                self.base += data.len() as u64;
                self.pos = self.base;
                return Ok(data.len());
            }
        }
        let at = usize::try_from(self.pos - self.base).map_err(io::Error::other)?;
        let overlap = (self.buf.len() - at).min(data.len());
        self.buf[at..at + overlap].copy_from_slice(&data[..overlap]);
        self.buf.extend_from_slice(&data[overlap..]);
        self.pos += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.write_all_at(&self.buf, self.base)?;
        self.base = self.end();
        self.buf.clear();
        Ok(())
    }
}

impl Seek for ArchiveFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.end().checked_add_signed(delta),
            SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
        };
        match target {
            Some(offset) if offset <= self.end() => {
                self.pos = offset;
                Ok(offset)
            }
            _ => Err(io::Error::new(io::ErrorKind::InvalidInput, "seek outside the archive written so far")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn contents(archive: ArchiveFile) -> Vec<u8> {
        let mut file = archive.into_file().unwrap();
        let mut out = Vec::new();
        file.rewind().unwrap();
        file.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn patches_in_the_buffer_and_in_the_file_land_where_they_belong() {
        let mut archive = ArchiveFile::new(tempfile::tempfile().unwrap());
        let mut want = Vec::new();
        // A header, a body larger than the buffer, then the header patched across the flush.
        archive.write_all(b"HEADER").unwrap();
        let body: Vec<u8> = (0..=255u8).cycle().take(CAPACITY + 1000).collect();
        archive.write_all(&body).unwrap();
        let end = archive.stream_position().unwrap();
        archive.seek(SeekFrom::Start(2)).unwrap();
        archive.write_all(b"ad").unwrap();
        archive.seek(SeekFrom::Start(end)).unwrap();
        // Small entries patched while still buffered, one patch running past the end.
        archive.write_all(b"tail-").unwrap();
        archive.seek(SeekFrom::Current(-3)).unwrap();
        archive.write_all(b"IL-x").unwrap();
        assert_eq!(archive.seek(SeekFrom::End(0)).unwrap(), end + 6);
        want.extend_from_slice(b"HEadER");
        want.extend_from_slice(&body);
        want.extend_from_slice(b"taIL-x");
        assert_eq!(contents(archive), want);
    }

    #[test]
    fn seeks_beyond_what_was_written_are_refused() {
        let mut archive = ArchiveFile::new(tempfile::tempfile().unwrap());
        archive.write_all(b"abc").unwrap();
        assert!(archive.seek(SeekFrom::Start(4)).is_err());
        assert!(archive.seek(SeekFrom::Current(-4)).is_err());
        assert_eq!(archive.seek(SeekFrom::End(-1)).unwrap(), 2);
    }
}
