//! The input, read once from start to end: a file or stdin (`-`), gzip
//! data unpacked on the way (every member of a multi-member file), its
//! lines handed out one at a time as bytes, line end included, in one
//! buffer reused for every line. A line longer than [`MAX_LINE`] (as
//! `submit` refuses) ends the read before it is held.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use anyhow::Result;
use flate2::bufread::MultiGzDecoder;

use crate::exit::{usage, Class, Failure};
use crate::settings::MAX_LINE;

/// Read buffer: large reads, few syscalls.
const BUFFER: usize = 256 * 1024;

/// What every gzip stream starts with. No JSON text can start with these
/// bytes, so data that does is gzip whatever its name.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An opened input.
pub struct Input {
    reader: Box<dyn BufRead + Send>,
    /// How messages name it: the path, or `stdin`.
    pub name: String,
    /// Lines read so far.
    number: u64,
}

impl Input {
    /// Open `path` (`-`: stdin), unpacking gzip data. A name ending in
    /// `.gz` must hold gzip data.
    pub fn open(path: &Path) -> Result<Input> {
        let (raw, name): (Box<dyn Read + Send>, String) = if path == Path::new("-") {
            (Box::new(io::stdin()), "stdin".into())
        } else {
            let file = File::open(path).map_err(|e| {
                Failure::usage(format!("cannot read --input {}: {e}", path.display()))
            })?;
            (Box::new(file), path.display().to_string())
        };
        Input::from_reader(raw, name, path.extension().is_some_and(|e| e == "gz"))
    }

    /// An input over any reader; `gz_name` when its name ends in `.gz`.
    pub fn from_reader(raw: Box<dyn Read + Send>, name: String, gz_name: bool) -> Result<Input> {
        let mut buffered = BufReader::with_capacity(BUFFER, raw);
        let start = buffered
            .fill_buf()
            .map_err(|e| read_failure(&name, 0, &e))?;
        let gzip = start.starts_with(&GZIP_MAGIC);
        if gz_name && !gzip && !start.is_empty() {
            return usage(format!(
                "--input {name} ends in .gz but does not hold gzip data; rename it, or gunzip \
                 what it was made from"
            ));
        }
        let reader: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(
                BUFFER,
                MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        };
        Ok(Input {
            reader,
            name,
            number: 0,
        })
    }

    /// The next line into `line` (cleared first), its line end kept, and
    /// its 1-based number; `None` at the end. A line longer than
    /// [`MAX_LINE`] (its line end aside) is an error once that much of it
    /// has been read: no more of it is kept.
    pub fn next_line(&mut self, line: &mut Vec<u8>) -> Result<Option<u64>> {
        line.clear();
        let number = self.number + 1;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_failure(&self.name, number, &e)),
            };
            let (used, ended) = match memchr::memchr(b'\n', available) {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            if line.len() + used - usize::from(ended) > MAX_LINE {
                let mib = MAX_LINE / (1024 * 1024);
                // Its own hint: running the same command again will not help.
                let failure = Failure::usage(format!(
                    "{}:{number}: line longer than {mib} MiB",
                    self.name
                ))
                .with_hint(format!(
                    "no line of a bulk file is that long (submit refuses lines over {mib} MiB); \
                     check that --input is the file that was sent"
                ));
                return Err(failure.into());
            }
            let need = line.len() + used;
            if need > line.capacity() {
                // Grow as a Vec does, but never past the longest line.
                let grown = (line.capacity() * 2).clamp(need, MAX_LINE + 1);
                line.reserve_exact(grown.max(need) - line.len());
            }
            line.extend_from_slice(&available[..used]);
            self.reader.consume(used);
            if ended || used == 0 {
                break;
            }
        }
        if line.is_empty() {
            return Ok(None);
        }
        self.number = number;
        Ok(Some(number))
    }
}

/// A read that failed: the file went away, or gzip data is corrupt.
fn read_failure(name: &str, line: u64, e: &io::Error) -> anyhow::Error {
    let at = match line {
        0 => String::new(),
        n => format!(" at line {n}"),
    };
    Failure::new(Class::Other, format!("cannot read --input {name}{at}: {e}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines(input: &mut Input) -> Vec<String> {
        let mut out = Vec::new();
        let mut line = Vec::new();
        while input.next_line(&mut line).unwrap().is_some() {
            out.push(String::from_utf8(line.clone()).unwrap());
        }
        out
    }

    fn gzip(parts: &[&str]) -> Vec<u8> {
        let mut all = Vec::new();
        for part in parts {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part.as_bytes()).unwrap();
            all.extend(gz.finish().unwrap());
        }
        all
    }

    #[test]
    fn lines_keep_their_line_ends() {
        let raw = Box::new(io::Cursor::new(b"a\r\nb\n\nc".to_vec()));
        let mut input = Input::from_reader(raw, "t".into(), false).unwrap();
        assert_eq!(lines(&mut input), ["a\r\n", "b\n", "\n", "c"]);
    }

    #[test]
    fn gzip_data_is_unpacked_member_after_member() {
        let raw = Box::new(io::Cursor::new(gzip(&["a\nb", "\nc\n"])));
        let mut input = Input::from_reader(raw, "t".into(), false).unwrap();
        assert_eq!(lines(&mut input), ["a\n", "b\n", "c\n"]);
    }

    #[test]
    fn a_gz_name_without_gzip_data_is_refused() {
        let raw = Box::new(io::Cursor::new(b"{}\n".to_vec()));
        let err = Input::from_reader(raw, "u.jsonl.gz".into(), true)
            .err()
            .unwrap();
        assert!(
            format!("{err}").contains("does not hold gzip data"),
            "{err}"
        );
    }

    #[test]
    fn a_line_longer_than_submit_allows_is_refused_without_being_held() {
        let at_cap = io::repeat(b'x').take(MAX_LINE as u64).chain(&b"\n"[..]);
        let over = io::repeat(b'y')
            .take(MAX_LINE as u64)
            .chain(&b"z\n{}\n"[..]);
        let raw = Box::new(at_cap.chain(over));
        let mut input = Input::from_reader(raw, "big.jsonl".into(), false).unwrap();
        let mut line = Vec::new();
        assert_eq!(input.next_line(&mut line).unwrap(), Some(1));
        assert_eq!(line.len(), MAX_LINE + 1);
        let err = input.next_line(&mut line).unwrap_err();
        assert_eq!(err.to_string(), "big.jsonl:2: line longer than 16 MiB");
        assert_eq!(crate::exit::exit_code(&err), 2);
        assert!(line.capacity() <= MAX_LINE + 1, "{}", line.capacity());
    }

    #[test]
    fn corrupt_gzip_data_names_the_line() {
        let mut data = gzip(&["a\nb\n"]);
        let end = data.len() - 12;
        data.truncate(end);
        let raw = Box::new(io::Cursor::new(data));
        let mut input = Input::from_reader(raw, "u.gz".into(), true).unwrap();
        let mut line = Vec::new();
        let err = loop {
            match input.next_line(&mut line) {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("a cut gzip stream read to its end"),
                Err(e) => break e,
            }
        };
        assert!(
            format!("{err}").starts_with("cannot read --input u.gz at line"),
            "{err}"
        );
    }
}
