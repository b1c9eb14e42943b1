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
    CFG014, "config-exposed-ports-invalid", Error,
    clauses: ["config-024"],
    schema: [
        "image-config.schema.json#/properties/config/properties/ExposedPorts/type",
        "image-config.schema.json#/properties/config/properties/ExposedPorts/additionalProperties/type",
    ],
    check: Check::Document(check),
}

fn port_key_ok(k: &str) -> bool {
    let (port, proto) = match k.split_once('/') {
        Some((p, proto)) => (p, Some(proto)),
        None => (k, None),
    };
    let port_ok = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|c| c.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|n| n <= 65535);
    port_ok && proto.is_none_or(|p| matches!(p, "tcp" | "udp" | "sctp"))
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
        if !port_key_ok(&m.key) {
            out.at(
                &json::join("/config/ExposedPorts", &m.key),
                format!("{:?} is not of the form port, port/tcp or port/udp", m.key),
            );
        }
    }
}
