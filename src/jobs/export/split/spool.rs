//! Where a range keeps the pages it read until it is taken over: an
//! unlinked file (`tempfile`, mode 0600, gone when closed or when the
//! process dies), beside `-o` when that is a regular file, else in
//! `$TMPDIR`. Each page is kept as its raw body and where its rows lie, so
//! it comes back as the same `Page`, with no second check or parse.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use bytes::Bytes;

use crate::page::json_text::Spans;
use crate::paginate::Page;

/// A range pauses (stops reading ahead) once its spool holds this much.
pub const PAUSE_AT: u64 = 256 << 20;

/// Pages written to an unlinked file, read back once, in order.
pub struct Spool {
    file: BufWriter<File>,
    /// Bytes written so far.
    pub bytes: u64,
    pub pages: usize,
}

impl Spool {
    /// A new, empty spool in `dir` (the system's temporary folder if none).
    pub fn new(dir: Option<&Path>) -> io::Result<Spool> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(Spool {
            file: BufWriter::new(file),
            bytes: 0,
            pages: 0,
        })
    }

    /// Keep `page`.
    pub fn push(&mut self, page: &Page) -> io::Result<()> {
        let mut record = Vec::with_capacity(page.body.len() + 64);
        put_bytes(&mut record, &page.body);
        let rows: Vec<_> = page.rows.ranges().collect();
        record.extend_from_slice(&(rows.len() as u64).to_le_bytes());
        for row in rows {
            record.extend_from_slice(&(row.start as u64).to_le_bytes());
            record.extend_from_slice(&(row.end as u64).to_le_bytes());
        }
        for cursor in [&page.sent, &page.next] {
            match cursor {
                Some(c) => {
                    record.push(1);
                    put_bytes(&mut record, c.as_bytes());
                }
                None => record.push(0),
            }
        }
        record.extend_from_slice(&page.number.to_le_bytes());
        self.file.write_all(&record)?;
        self.bytes += record.len() as u64;
        self.pages += 1;
        Ok(())
    }

    /// The pages kept, in the order they were pushed.
    pub fn pages(self) -> io::Result<Pages> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        Ok(Pages {
            file: BufReader::new(file),
            left: self.pages,
        })
    }
}

/// The pages of a spool, read back one at a time.
pub struct Pages {
    file: BufReader<File>,
    left: usize,
}

impl Iterator for Pages {
    type Item = io::Result<Page>;

    fn next(&mut self) -> Option<io::Result<Page>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(self.page())
    }
}

impl Pages {
    fn page(&mut self) -> io::Result<Page> {
        let body = Bytes::from(self.bytes()?);
        let count = self.number()?;
        let mut rows = Spans::default();
        for _ in 0..count {
            let (start, end) = (self.offset()?, self.offset()?);
            let row = body
                .get(start..end)
                .ok_or_else(|| broken("a row outside its page"))?;
            rows.push(row);
        }
        let sent = self.cursor()?;
        let next = self.cursor()?;
        let number = self.number()?;
        Ok(Page {
            number,
            sent,
            next,
            rows: rows.in_text(&body),
            body,
        })
    }

    fn number(&mut self) -> io::Result<u64> {
        let mut word = [0; 8];
        self.file.read_exact(&mut word)?;
        Ok(u64::from_le_bytes(word))
    }

    fn offset(&mut self) -> io::Result<usize> {
        usize::try_from(self.number()?).map_err(|_| broken("an offset too large"))
    }

    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; self.offset()?];
        self.file.read_exact(&mut bytes)?;
        Ok(bytes)
    }

    fn cursor(&mut self) -> io::Result<Option<String>> {
        let mut flag = [0];
        self.file.read_exact(&mut flag)?;
        if flag[0] == 0 {
            return Ok(None);
        }
        String::from_utf8(self.bytes()?)
            .map(Some)
            .map_err(|_| broken("a cursor that is not UTF-8"))
    }
}

fn put_bytes(record: &mut Vec<u8>, bytes: &[u8]) {
    record.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    record.extend_from_slice(bytes);
}

fn broken(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a --split spool file holds {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(number: u64, rows: &[&str], sent: Option<&str>, next: Option<&str>) -> Page {
        let text = format!(r#"{{"content":{{"results":[{}]}}}}"#, rows.join(","));
        let body = Bytes::from(text);
        let mut spans = Spans::default();
        for row in rows {
            let at = body
                .windows(row.len())
                .position(|w| w == row.as_bytes())
                .unwrap();
            spans.push(&body[at..at + row.len()]);
        }
        Page {
            number,
            sent: sent.map(Into::into),
            next: next.map(Into::into),
            rows: spans.in_text(&body),
            body,
        }
    }

    #[test]
    fn pages_come_back_as_they_were_kept() {
        let kept = [
            page(
                3,
                &[r#"{"id":"a"}"#, r#"{"id":"b","x":"é"}"#],
                Some("c0"),
                Some("b"),
            ),
            page(4, &[], Some("b"), Some("b2")),
            page(5, &[r#"{"id":"c"}"#], Some("b2"), None),
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::new(Some(dir.path())).unwrap();
        for p in &kept {
            spool.push(p).unwrap();
        }
        assert_eq!(spool.pages, 3);
        // Unlinked: nothing shows in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let back: Vec<Page> = spool.pages().unwrap().collect::<io::Result<_>>().unwrap();
        assert_eq!(back.len(), kept.len());
        for (got, want) in back.iter().zip(&kept) {
            assert_eq!(got.number, want.number);
            assert_eq!(got.sent, want.sent);
            assert_eq!(got.next, want.next);
            assert_eq!(got.body, want.body);
            assert!(got.raw_rows().eq(want.raw_rows()));
        }
    }
}
