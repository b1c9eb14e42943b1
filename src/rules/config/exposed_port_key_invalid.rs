use crate::check::DocCx;
use crate::check::Out;
use crate::declare_rule;
use crate::json;
use crate::rule::Check;
use crate::walk::DocKind;

declare_rule! {
    /// ## What it checks
    /// A key of `config.ExposedPorts` is not of the form the spec gives, `port`, `port/tcp` or `port/udp`: the
    /// port is not a decimal number from 0 to 65535, or the protocol is none of `tcp`, `udp` and `sctp` (which
    /// Docker writes too). The protocol is compared without regard to case: `80/TCP` is fine.
    ///
    /// ## Why it matters
    /// Runtimes parse each key to publish the port; Docker refuses to create a container from a config whose
    /// key is `"80:80"` or `"http"`, other runtimes drop the port.
    ///
    /// ## Basis
    /// Exception. The spec only says the keys "can be in the format of" `port/tcp`, `port/udp` and `port`
    /// (config.md, `ExposedPorts`), with no keyword, so no clause is broken. But it gives no other format, and a
    /// key outside it is one no runtime can publish, so a warning rather than silence; never an error.
    ///
    /// ## Example
    /// ```json
    /// { "config": { "ExposedPorts": { "8080:80": {} } }, … }
    /// ```
    ///
    /// ## How to fix
    /// Use `port`, `port/tcp` or `port/udp` keys (`"8080/tcp": {}`). A host mapping such as `8080:80` belongs to
    /// the runtime's command line (`-p`), not to the image; a service name must be replaced by its number.
    CFG035, "config-exposed-port-key-invalid", Warning,
    basis: Exception,
    clauses: ["config-024"],
    section: "config.md#properties",
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
        Some(p)
            if !["tcp", "udp", "sctp"]
                .iter()
                .any(|known| p.eq_ignore_ascii_case(known)) =>
        {
            Some(format!(
                "{:?} names the protocol {:?}; runtimes know tcp, udp and sctp (tcp when it is left out)",
                json::shorten(k, 80),
                json::shorten(p, 20)
            ))
        }
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

#[cfg(test)]
mod tests {
    use super::port_key_problem;

    #[test]
    fn keys() {
        for ok in [
            "80",
            "80/tcp",
            "80/TCP",
            "53/udp",
            "9000/sctp",
            "0",
            "65535/Udp",
        ] {
            assert_eq!(port_key_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "http",
            "80:80",
            "80/quic",
            "65536",
            "123456/tcp",
            "/tcp",
            "-1",
        ] {
            assert!(port_key_problem(bad).is_some(), "{bad}");
        }
    }
}
