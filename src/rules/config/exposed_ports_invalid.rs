use crate::check::DocCx;
use crate::check::Out;
use crate::declare_rule;
use crate::json;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// `config.ExposedPorts` is not an object (or null) mapping keys of the form `port`, `port/tcp` or `port/udp`
    /// (`sctp` is accepted too, as Docker writes it) to empty objects; ports are 0–65535.
    ///
    /// ## Why it matters
    /// Runtimes parse each key to publish the port; `"80:80"`, `"http"` or a list cannot be parsed, and the value
    /// must be an object because the field is a serialised set.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "ExposedPorts": { "8080:80": {} } }, … }
    /// ```
    ///
    /// ## How to fix
    /// Write `config.ExposedPorts` as an object whose keys are `port/tcp`, `port/udp` or `port` and whose values
    /// are `{}`; a list of numbers is the usual mistake.
    CFG014, "config-exposed-ports-invalid", Error,
    clauses: ["config-024"],
    schema: [
        "image-config.schema.json#/properties/config/properties/ExposedPorts/type",
        "image-config.schema.json#/properties/config/properties/ExposedPorts/additionalProperties/type",
    ],
    check: Check::Document(check),
}

/// What is wrong with an `ExposedPorts` key, if anything.
fn port_key_problem(k: &str) -> Option<String> {
    let (port, proto) = match k.split_once('/') {
        Some((p, proto)) => (p, Some(proto)),
        None => (k, None),
    };
    if port.is_empty() || !port.bytes().all(|c| c.is_ascii_digit()) {
        return Some(format!(
            "{:?} is not of the form port, port/tcp or port/udp",
            json::shorten(k, 80)
        ));
    }
    if port.len() > 5 || port.parse::<u32>().is_ok_and(|n| n > 65535) {
        return Some(format!(
            "{:?} names port {}, outside the port range 0-65535",
            json::shorten(k, 80),
            json::shorten(port, 20)
        ));
    }
    match proto {
        Some(p) if !matches!(p, "tcp" | "udp" | "sctp") => Some(format!(
            "{:?} names the protocol {:?}; it must be tcp or udp (or be left out for tcp)",
            json::shorten(k, 80),
            json::shorten(p, 20)
        )),
        _ => None,
    }
}

fn check(cx: &DocCx, out: &mut Out) {
    if cx.doc.kind != DocKind::Config {
        return;
    }
    let Some(ports) = cx
        .value()
        .and_then(|v| v.get("config"))
        .and_then(|c| c.get("ExposedPorts"))
    else {
        return;
    };
    for m in ports.effective_members() {
        if let Some(problem) = port_key_problem(&m.key) {
            out.at(&json::join("/config/ExposedPorts", &m.key), problem);
        }
    }
}
