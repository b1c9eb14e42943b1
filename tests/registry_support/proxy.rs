//! A fault-injecting proxy between ocicheck and a real registry: each request is answered as a plan says, from
//! what the registry answered (changed or not) or without asking it at all. Every request is logged.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::http::{self, Req, Resp};

/// What to do with one request.
pub enum Fault {
    /// Forward it and pass the answer on.
    Pass,
    /// Forward it and change the answer.
    Edit(Box<dyn FnOnce(&mut Resp) + Send>),
    /// Answer without asking the registry.
    Reply(Resp),
    /// Forward it, send the headers as they came and only this many bytes of the body, then close.
    Cut(usize),
    /// Close the connection with a reset, no answer.
    Reset,
    /// Wait, then forward.
    Delay(Duration),
    /// Forward it, then send the headers without `Content-Length` and bytes without end.
    Endless,
    /// Forward it, send the headers as they came, then the body one byte at a time, this long apart (a minute
    /// at most).
    Drip(Duration),
}

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub range: Option<String>,
    pub authorization: bool,
}

/// The plan: the request, and how many requests with the same method and path came before it.
pub type Plan = Arc<dyn Fn(&Req, usize) -> Fault + Send + Sync>;

pub struct Proxy {
    pub port: u16,
    pub log: Arc<Mutex<Vec<Seen>>>,
}

impl Proxy {
    pub fn start(upstream: u16, plan: Plan) -> Proxy {
        let log: Arc<Mutex<Vec<Seen>>> = Arc::new(Mutex::new(Vec::new()));
        let counts: Arc<Mutex<HashMap<(String, String), usize>>> = Arc::default();
        let l = log.clone();
        let port = http::serve(Arc::new(move |req: Req, stream: &mut TcpStream| {
            let n = {
                let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
                let e = c
                    .entry((req.method.clone(), req.path().to_string()))
                    .or_insert(0);
                *e += 1;
                *e - 1
            };
            l.lock().unwrap_or_else(|p| p.into_inner()).push(Seen {
                method: req.method.clone(),
                path: req.path().to_string(),
                range: req.header("range").map(str::to_string),
                authorization: req.header("authorization").is_some(),
            });
            let head_only = req.method == "HEAD";
            let up = |req: &Req| {
                http::forward(upstream, req).unwrap_or_else(|e| Resp::new(502, e.to_string()))
            };
            match plan(&req, n) {
                Fault::Pass => {
                    let _ = http::write_response(stream, &up(&req), head_only);
                }
                Fault::Edit(f) => {
                    let mut r = up(&req);
                    f(&mut r);
                    let _ = http::write_response(stream, &r, head_only);
                }
                Fault::Reply(r) => {
                    let _ = http::write_response(stream, &r, head_only);
                }
                Fault::Cut(keep) => {
                    let r = up(&req);
                    let _ = stream.write_all(&r.head_bytes());
                    let _ = stream.write_all(&r.body[..keep.min(r.body.len())]);
                    let _ = stream.flush();
                }
                Fault::Reset => {
                    if let Ok(s) = stream.try_clone() {
                        http::reset(s);
                    }
                }
                Fault::Delay(d) => {
                    std::thread::sleep(d);
                    let _ = http::write_response(stream, &up(&req), head_only);
                }
                Fault::Endless => {
                    let mut r = up(&req);
                    r.remove("content-length");
                    let mut head = format!("HTTP/1.1 {} X\r\n", r.status);
                    for (k, v) in &r.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("Connection: close\r\n\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let chunk = vec![b'x'; 64 << 10];
                    // Until the client hangs up (or a minute, whichever comes first).
                    let until = std::time::Instant::now() + Duration::from_secs(60);
                    while std::time::Instant::now() < until && stream.write_all(&chunk).is_ok() {}
                }
                Fault::Drip(every) => {
                    let r = up(&req);
                    let _ = stream.write_all(&r.head_bytes());
                    let until = std::time::Instant::now() + Duration::from_secs(60);
                    for b in r.body.chunks(1) {
                        if std::time::Instant::now() > until
                            || stream.write_all(b).and_then(|()| stream.flush()).is_err()
                        {
                            break;
                        }
                        std::thread::sleep(every);
                    }
                }
            }
        }));
        Proxy { port, log }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
