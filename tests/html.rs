//! The HTML report in a real browser: Debian's headless Chromium, driven through ChromeDriver's WebDriver protocol
//! (plain HTTP on the loopback interface). The page must load with its script run, show every finding of the JSON
//! report of the same run, fetch nothing (no network: every resource is inline), and filter by severity and by
//! rule when a person clicks the controls. A screenshot is saved (`OCICHECK_SCREENSHOT`, default
//! `target/html-report.png`).
//!
//! Chromium is installed by `scripts/install-chromium.sh` when missing (`.ci/run` runs it first); when it cannot be
//! installed (no root, no package repository), the test says so and passes without running.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The browser's path, or why there is none.
fn chromium() -> Result<String, String> {
    let o = Command::new(root().join("scripts/install-chromium.sh"))
        .output()
        .map_err(|e| format!("scripts/install-chromium.sh: {e}"))?;
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
}

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One WebDriver request; the `value` of the answer.
fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("chromedriver listens");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    s.write_all(req.as_bytes()).expect("send");
    // Read the head, then exactly Content-Length bytes (the driver may keep the connection open).
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut buf).expect("answer");
        assert!(n > 0, "the driver closed the connection");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let body = match length {
        Some(len) => {
            while raw.len() < head_end + len {
                let n = s.read(&mut buf).expect("answer");
                assert!(n > 0, "the driver closed the connection");
                raw.extend_from_slice(&buf[..n]);
            }
            String::from_utf8_lossy(&raw[head_end..head_end + len]).into_owned()
        }
        None => {
            let _ = s.read_to_end(&mut raw);
            let text = String::from_utf8_lossy(&raw[head_end..]).into_owned();
            if head.contains("transfer-encoding: chunked") {
                dechunk(&text)
            } else {
                text
            }
        }
    };
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    if v["value"]["error"].is_string() {
        panic!("{method} {path}: {}", v["value"]);
    }
    v["value"].clone()
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n.min(after.len())]);
        rest = after.get(n + 2..).unwrap_or("");
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let d = Driver { child, port };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    d
}

/// The report of the run, as HTML and as JSON.
fn reports(dir: &Path, args: &[&str]) -> (PathBuf, Value) {
    let html = dir.join("report.html");
    let o = Command::new(env!("CARGO_BIN_EXE_ocicheck"))
        .args(args)
        .arg("--format")
        .arg("json")
        .arg("--output")
        .arg(format!("html={}", html.display()))
        .current_dir(root())
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    (html, v)
}

#[test]
fn the_html_report_loads_shows_every_finding_filters_and_works_offline() {
    let browser = match chromium() {
        Ok(b) => b,
        Err(why) => {
            println!("skipping the browser test: {why}");
            return;
        }
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let args = [
        "validate",
        "conformance/manifest/MAN001-schema-version-not-2/layout",
        "conformance/tools/umoci/layout",
        "--warn",
        "LAY008",
        "--warn",
        "JSN006",
        "--fail-on",
        "never",
    ];
    let (html, report) = reports(tmp.path(), &args);
    let findings: Vec<&Value> = report["inputs"]
        .as_array()
        .expect("two inputs")
        .iter()
        .flat_map(|r| {
            r["findings"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .leak()
                .iter()
        })
        .collect();
    assert!(
        findings.len() >= 3,
        "a report worth drawing: {}",
        findings.len()
    );
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert!(
        errors > 0 && errors < findings.len(),
        "errors and lesser findings to filter"
    );
    let codes: std::collections::BTreeSet<&str> =
        findings.iter().filter_map(|f| f["code"].as_str()).collect();

    let driver = start_driver();
    let profile = tmp.path().join("profile");
    let caps = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": browser,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", format!("--user-data-dir={}", profile.display()), "--window-size=1280,1800",
            ],
        },
    } } });
    let session = call(driver.port, "POST", "/session", Some(&caps));
    let id = session["sessionId"]
        .as_str()
        .expect("a session")
        .to_string();
    let p = driver.port;
    let url = format!("file://{}", html.display());
    call(
        p,
        "POST",
        &format!("/session/{id}/url"),
        Some(&json!({ "url": url })),
    );
    let js = |script: &str| {
        call(
            p,
            "POST",
            &format!("/session/{id}/execute/sync"),
            Some(&json!({ "script": script, "args": [] })),
        )
    };
    let state = || {
        js("return { ready: document.body.getAttribute('data-ready'), \
            all: document.querySelectorAll('li.finding').length, \
            visible: Array.from(document.querySelectorAll('li.finding')).filter(e => e.offsetParent !== null).length, \
            shown: document.getElementById('shown').textContent, \
            resources: performance.getEntriesByType('resource').length, \
            nodes: document.querySelectorAll('li.node').length };")
    };
    let s = state();
    assert_eq!(s["ready"], "1", "the page's script ran");
    assert_eq!(
        s["all"],
        findings.len(),
        "every finding is on the page once"
    );
    assert_eq!(s["visible"], findings.len(), "and shown");
    assert_eq!(s["resources"], 0, "nothing fetched: the page works offline");
    assert!(
        s["nodes"].as_u64().unwrap_or(0) >= 4,
        "the content graph is drawn: {s}"
    );
    // Each finding's message is there, under a node of its file.
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let page_text = norm(
        js("return document.body.textContent;")
            .as_str()
            .unwrap_or(""),
    );
    for f in &findings {
        let msg = norm(f["message"].as_str().unwrap_or(""));
        assert!(page_text.contains(&msg), "missing: {msg}");
    }
    let in_nodes = js(
        "return Array.from(document.querySelectorAll('li.finding')).every(f => f.closest('li.node'));",
    );
    assert_eq!(in_nodes, true);

    // Take the errors out: a click on the checkbox.
    let el = call(
        p,
        "POST",
        &format!("/session/{id}/element"),
        Some(&json!({ "using": "css selector", "value": "#sev-error" })),
    );
    let eid = el
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .expect("element")
        .to_string();
    call(
        p,
        "POST",
        &format!("/session/{id}/element/{eid}/click"),
        Some(&json!({})),
    );
    let s = state();
    assert_eq!(s["visible"], findings.len() - errors, "{s}");
    assert_eq!(
        s["shown"],
        format!(
            "Showing {} of {} findings",
            findings.len() - errors,
            findings.len()
        )
    );
    call(
        p,
        "POST",
        &format!("/session/{id}/element/{eid}/click"),
        Some(&json!({})),
    );
    assert_eq!(state()["visible"], findings.len());

    // One rule: pick it in the list.
    let code = codes.iter().next().copied().expect("a code");
    let want = findings.iter().filter(|f| f["code"] == code).count();
    let opt = call(
        p,
        "POST",
        &format!("/session/{id}/element"),
        Some(
            &json!({ "using": "css selector", "value": format!("#f-rule option[value='{code}']") }),
        ),
    );
    let oid = opt
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .expect("option")
        .to_string();
    call(
        p,
        "POST",
        &format!("/session/{id}/element/{oid}/click"),
        Some(&json!({})),
    );
    assert_eq!(state()["visible"], want, "only {code}");

    // A filter in the address, on a fresh load.
    call(
        p,
        "POST",
        &format!("/session/{id}/url"),
        Some(&json!({ "url": format!("{url}#severity=warning,info") })),
    );
    call(
        p,
        "POST",
        &format!("/session/{id}/refresh"),
        Some(&json!({})),
    );
    assert_eq!(state()["visible"], findings.len() - errors);
    call(
        p,
        "POST",
        &format!("/session/{id}/url"),
        Some(&json!({ "url": url })),
    );
    call(
        p,
        "POST",
        &format!("/session/{id}/refresh"),
        Some(&json!({})),
    );

    let shot = call(p, "GET", &format!("/session/{id}/screenshot"), None);
    let png = base64_decode(shot.as_str().expect("base64"));
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let out = std::env::var_os("OCICHECK_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/html-report.png"));
    std::fs::write(&out, &png).expect("screenshot written");
    println!("screenshot: {} ({} bytes)", out.display(), png.len());
    call(p, "DELETE", &format!("/session/{id}"), None);
}
