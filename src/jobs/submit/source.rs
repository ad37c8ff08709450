//! FILE made ready to send: a regular file is checked where it is and sent
//! from there; stdin (`-`), a pipe or a device can be read only once, so it
//! is copied to an unnamed temporary file as it is checked (the system
//! removes it when the process ends, however it ends), and sent from that.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};

use super::validate::{self, Checked, SHOWN};
use crate::api::Upload;
use crate::exit::Failure;
use crate::{sanitize, ui};

/// How FILE is named for stdin.
const STDIN: &str = "<stdin>";

/// The reading buffer: large reads keep checking fast.
const BUFFER: usize = 256 * 1024;

/// FILE, checked and ready to send.
pub struct Prepared {
    pub upload: Upload,
    /// Lines counted by the checks (`None` with `--no-validate`).
    pub lines: Option<u64>,
}

/// Check FILE (`None`: stdin) unless `validate` is off, and open what is
/// to be sent. Bad lines are listed on stderr and end the run with exit 2
/// before any request.
pub fn prepare(path: Option<&Path>, validate: bool) -> Result<Prepared> {
    let name = path.map_or_else(
        || STDIN.to_string(),
        |p| sanitize::message(&p.display().to_string()).into_owned(),
    );
    let cannot_read = || format!("cannot read {name}");
    let (file, checked) = match path {
        Some(path) => {
            let file = File::open(path).with_context(cannot_read)?;
            if file.metadata().with_context(cannot_read)?.is_file() {
                let checked = validate
                    .then(|| validate::check(BufReader::with_capacity(BUFFER, &file)))
                    .transpose()
                    .with_context(cannot_read)?;
                (file, checked)
            } else {
                spool(file, validate).with_context(cannot_read)?
            }
        }
        None => spool(io::stdin().lock(), validate).with_context(cannot_read)?,
    };
    if let Some(checked) = &checked {
        refuse_bad_lines(&name, checked)?;
    }
    let len = match &checked {
        Some(checked) => checked.bytes,
        None => file.metadata().with_context(cannot_read)?.len(),
    };
    if len == 0 {
        return Err(Failure::usage(format!("{name} is empty: there is nothing to submit")).into());
    }
    Ok(Prepared {
        upload: Upload::new(file, len, name),
        lines: checked.map(|c| c.lines),
    })
}

/// Copy `input` to an unnamed temporary file, checking it on the way.
fn spool(input: impl Read, validate: bool) -> io::Result<(File, Option<Checked>)> {
    let file = tempfile::tempfile()?;
    let mut copy = BufWriter::with_capacity(BUFFER, &file);
    let checked = if validate {
        let tee = Tee {
            input,
            copy: &mut copy,
        };
        Some(validate::check(BufReader::with_capacity(BUFFER, tee))?)
    } else {
        let mut input = input;
        io::copy(&mut input, &mut copy)?;
        None
    };
    copy.flush()?;
    drop(copy);
    Ok((file, checked))
}

/// A reader that writes a copy of everything read from `input` to `copy`.
struct Tee<R, W> {
    input: R,
    copy: W,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// List the first bad lines as `FILE:LINE: why` and fail with exit 2.
fn refuse_bad_lines(name: &str, checked: &Checked) -> Result<()> {
    if checked.bad == 0 {
        return Ok(());
    }
    for (line, problem) in &checked.shown {
        ui::always(format_args!("{name}:{line}: {problem}"));
    }
    let listed = if checked.bad > SHOWN as u64 {
        format!("the first {SHOWN} are listed above")
    } else {
        "listed above".to_string()
    };
    let lines = |n: u64| if n == 1 { "line" } else { "lines" };
    Err(Failure::usage(format!(
        "{} of {} {} in {name} cannot be sent ({listed}); nothing was sent",
        checked.bad,
        checked.lines,
        lines(checked.lines)
    ))
    .with_hint("fix those lines and submit again, or pass --no-validate to send the file as it is")
    .into())
}
