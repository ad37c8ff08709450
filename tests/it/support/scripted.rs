//! A tiny HTTP server that answers requests from a script, in order, for
//! tests that need exact sequences (503 then 200, a body cut short, a
//! connection dropped without an answer).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

/// A gate a reply waits behind: the server reads the request, then holds
/// its answer until the test opens the gate (or the test ends).
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Let every reply held behind this gate go.
    pub fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }

    fn pass(&self) {
        let (open, changed) = &*self.0;
        let mut is_open = open.lock().unwrap();
        while !*is_open {
            is_open = changed.wait(is_open).unwrap();
        }
    }
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    cut: bool,
    hang_up: bool,
    /// Answer only once this gate is open.
    gate: Option<Gate>,
    /// Send the body chunked (no Content-Length), this many times over.
    chunked_repeat: usize,
    /// Announce this Content-Length instead of the body's.
    claimed_length: Option<u64>,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            cut: false,
            hang_up: false,
            gate: None,
            chunked_repeat: 0,
            claimed_length: None,
        }
    }

    /// Send `body` `times` times in chunked encoding, with no Content-Length.
    pub fn chunked(mut self, times: usize) -> Reply {
        self.chunked_repeat = times;
        self
    }

    /// Announce a Content-Length of `n` (and send just the body).
    pub fn claim_length(mut self, n: u64) -> Reply {
        self.claimed_length = Some(n);
        self
    }

    /// A 200 page.
    pub fn page(body: &serde_json::Value) -> Reply {
        Reply::new(200, body.to_string())
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Announce the whole body but send only half of it, then close.
    pub fn cut_short(mut self) -> Reply {
        self.cut = true;
        self
    }

    /// Close the connection without answering.
    pub fn hang_up() -> Reply {
        let mut r = Reply::new(0, "");
        r.hang_up = true;
        r
    }

    /// Hold this reply until `gate` is open; the requests after it are
    /// answered meanwhile.
    pub fn after(mut self, gate: &Gate) -> Reply {
        self.gate = Some(gate.clone());
        self
    }
}

/// A running scripted server; the last reply repeats once the script is used up.
pub struct Scripted {
    pub url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    pub fn start(script: Vec<Reply>) -> Scripted {
        Scripted::listen(TcpListener::bind("127.0.0.1:0").unwrap(), script)
    }

    /// The same on a port of this machine chosen by the test.
    pub fn start_on(port: u16, script: Vec<Reply>) -> Scripted {
        Scripted::listen(TcpListener::bind(("127.0.0.1", port)).unwrap(), script)
    }

    fn listen(listener: TcpListener, script: Vec<Reply>) -> Scripted {
        assert!(!script.is_empty());
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            let mut next = 0;
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let reply = script[next.min(script.len() - 1)].clone();
                next += 1;
                if reply.gate.is_some() {
                    // Held on a thread of its own: the next connections
                    // are answered (and seen) meanwhile.
                    let seen = seen.clone();
                    std::thread::spawn(move || answer(stream, &reply, &seen));
                } else {
                    answer(stream, &reply, &seen);
                }
            }
        });
        Scripted { url, requests }
    }

    /// Request lines received so far (`GET /path?query HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.heads()
            .iter()
            .map(|h| h.lines().next().unwrap_or("").to_string())
            .collect()
    }

    /// Whole request heads (request line and headers) received so far.
    pub fn heads(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// The head of the next request on `stream` (request line and headers, up
/// to the blank line), read a byte at a time so nothing after it is taken;
/// `None` when the connection ends first.
pub fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

fn answer(mut stream: TcpStream, reply: &Reply, seen: &Mutex<Vec<String>>) {
    let Some(head) = read_head(&mut stream) else {
        return;
    };
    // Read the request body too (a token POST has one): closing a socket
    // with unread data resets the connection instead of ending it.
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let _ = std::io::copy(&mut (&mut stream).take(length), &mut std::io::sink());
    seen.lock().unwrap().push(head);
    if let Some(gate) = &reply.gate {
        gate.pass();
    }
    if reply.hang_up {
        return;
    }
    let mut out = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.chunked_repeat > 0 {
        out.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(out.as_bytes());
        let size = format!("{:x}\r\n", reply.body.len());
        for _ in 0..reply.chunked_repeat {
            let sent = stream
                .write_all(size.as_bytes())
                .and_then(|_| stream.write_all(&reply.body))
                .and_then(|_| stream.write_all(b"\r\n"));
            if sent.is_err() {
                return; // the client hung up, as it should on an oversized body
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n");
        return;
    }
    let length = reply.claimed_length.unwrap_or(reply.body.len() as u64);
    out.push_str(&format!(
        "Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ));
    let body = if reply.cut {
        &reply.body[..reply.body.len() / 2]
    } else {
        &reply.body[..]
    };
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}
