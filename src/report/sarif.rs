//! SARIF 2.1.0 (`--format sarif`), for GitHub code scanning and other SARIF viewers.
//!
//! One run. `tool.driver.rules` is the rule table the caller passes in (the whole catalogue); rules whose level in
//! this run differs from their default are listed in `invocations[0].ruleConfigurationOverrides`. One result per
//! finding:
//!
//! - `physicalLocation.artifactLocation`: the file inside the input (`blobs/sha256/…`, `index.json`), relative to
//!   the base id `INPUT`, which `run.originalUriBaseIds` resolves to the input directory (a layout), the directory
//!   holding the document (a single document) or holding the archive (an archive: the artifact is the archive and
//!   the member is a logical location). `region` gives line and column (in Unicode code points) when known.
//! - `logicalLocations`: the JSON pointer (`kind` `value`) and the tar entry of a layer (`kind` `resource`, with its
//!   header offset in `properties`).
//! - `partialFingerprints["ocicheck/v1"]`: a SHA-256 over the rule code and where the finding is in the content
//!   graph, not over digests: the chain of descriptor pointers from `index.json` (so a rebuilt image whose blobs
//!   changed digest keeps its fingerprints), the file when it is not a blob reached by a descriptor, the JSON
//!   pointer and the tar entry; identical keys are told apart by their order in the (sorted) report.
//! - `properties`: clause ids, spec link and the via chain as the human report shows it.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use sha2::Digest as _;

use super::{Finding, Report, RuleInfo};
use crate::rule::Severity;

/// The schema the output follows (the OASIS errata01 schema).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "ocicheck/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(report: &Report, rules: &[RuleInfo]) -> String {
    render_all(std::slice::from_ref(report), rules)
}

/// One run over several inputs: each input has a base id of its own (`INPUT` for one input, `INPUT1`, `INPUT2` …
/// for several), so each result's artifact resolves under its input.
pub fn render_all(reports: &[Report], rules: &[RuleInfo]) -> String {
    let mut s = serde_json::to_string_pretty(&to_value_all(reports, rules))
        .unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// The SARIF log as a JSON value.
pub fn to_value(report: &Report, rules: &[RuleInfo]) -> Value {
    to_value_all(std::slice::from_ref(report), rules)
}

/// The fingerprint of each finding of `report`, in order (what `--write-baseline` records).
pub fn fingerprints(report: &Report) -> Vec<String> {
    if let Some(fps) = report
        .fingerprints
        .as_ref()
        .filter(|f| f.len() == report.findings.len())
    {
        return fps.clone();
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let key = fingerprint_key(f);
            let n = seen.entry(key.clone()).or_insert(0);
            let fp = fingerprint(&key, *n);
            *n += 1;
            fp
        })
        .collect()
}

fn input_value(report: &Report) -> Value {
    let mut input = json!({ "path": report.input.path, "kind": report.input.kind });
    if let Some(mt) = &report.input.media_type {
        input["mediaType"] = mt.as_str().into();
    }
    if let Some(src) = report.input.media_type_source {
        input["mediaTypeSource"] = src.into();
    }
    input
}

/// The SARIF log of several inputs as a JSON value.
pub fn to_value_all(reports: &[Report], rules: &[RuleInfo]) -> Value {
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
    let driver_rules = rules_table(rules);
    let overrides: Vec<Value> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.severity != r.default_enabled.then_some(r.default_severity))
        .map(|(i, r)| {
            let mut conf = Map::new();
            conf.insert("enabled".into(), Value::Bool(r.severity.is_some()));
            if let Some(s) = r.severity {
                conf.insert("level".into(), level(s).into());
            }
            json!({ "descriptor": { "id": r.code, "index": i }, "configuration": conf })
        })
        .collect();
    let mut invocation = json!({ "executionSuccessful": true });
    if !overrides.is_empty() {
        invocation["ruleConfigurationOverrides"] = Value::Array(overrides);
    }
    let mut notes = Vec::new();
    for r in reports {
        if let Some(inc) = &r.incomplete {
            // Limits kept parts of the input from being checked: the run did not do all of its job.
            if !inc.allowed {
                invocation["executionSuccessful"] = Value::Bool(false);
            }
            notes.push(json!({
                "level": if inc.allowed { "warning" } else { "error" },
                "message": { "text": inc.message },
                "properties": { "input": r.input.path, "limits": inc.count, "raise": inc.raise },
            }));
        }
        if let Some(sk) = &r.skipped {
            // `--fast`: what was not checked, where SARIF viewers show the run's own notices.
            notes.push(json!({ "level": "note", "message": { "text": sk.message } }));
        }
        for n in &r.not_listed {
            // Counted in the summary, not listed: a notice of the run, not a result.
            notes.push(json!({
                "level": "note",
                "message": { "text": format!("{}: {}", n.file, n.message) },
                "associatedRule": { "id": n.code },
                "properties": { "count": n.count, "limit": n.limit, "input": r.input.path },
            }));
        }
    }
    if !notes.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notes);
    }

    let several = reports.len() > 1;
    let mut bases = Map::new();
    let mut results: Vec<Value> = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        let id = if several {
            format!("INPUT{}", i + 1)
        } else {
            "INPUT".to_string()
        };
        let base = Base::of(report, id.clone());
        bases.insert(id, base.original());
        for (f, fp) in report.findings.iter().zip(fingerprints(report)) {
            let mut r = result(f, index.get(f.code).copied(), &base, fp);
            if several {
                r["properties"]["input"] = report.input.path.as_str().into();
            }
            results.push(r);
        }
    }

    let mut properties = match reports {
        [one] => json!({
            "spec": one.spec,
            "input": input_value(one),
            "summary": one.summary,
        }),
        _ => json!({
            "spec": reports.first().map_or("", |r| r.spec),
            "inputs": reports.iter().map(|r| json!({ "input": input_value(r), "summary": r.summary })).collect::<Vec<_>>(),
            "summary": super::Summary::sum(reports.iter().map(|r| &r.summary)),
        }),
    };
    if let Some(set) = reports.first().and_then(|r| r.settings.as_ref()) {
        properties["settings"] = json!(set);
    }
    let suppressed: Vec<Value> = reports
        .iter()
        .filter_map(|r| {
            r.suppressed
                .as_ref()
                .map(|x| json!({ "input": r.input.path, "suppressed": x }))
        })
        .collect();
    if !suppressed.is_empty() {
        properties["suppressed"] = Value::Array(suppressed);
    }
    let tool = reports.first().map_or(crate::TOOL, |r| r.tool.clone());
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": tool.name,
                    "version": tool.version,
                    "semanticVersion": tool.version,
                    "rules": driver_rules,
                }
            },
            "invocations": [invocation],
            "originalUriBaseIds": bases,
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": properties,
        }],
    })
}

/// `tool.driver.rules`: one reporting descriptor per rule, in the order given (results' `ruleIndex` points into it).
pub fn rules_table(rules: &[RuleInfo]) -> Value {
    Value::Array(rules.iter().map(rule).collect())
}

fn rule(r: &RuleInfo) -> Value {
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "help": { "text": r.help, "markdown": r.help },
        "helpUri": r.help_uri,
        "defaultConfiguration": {
            "enabled": r.default_enabled,
            "level": level(r.default_severity),
        },
        "properties": { "clauses": r.clauses, "basis": r.basis },
    })
}

/// Where `INPUT` points, and how a finding's file is named relative to it.
struct Base {
    /// The base directory as a URI reference (ending in `/`), absolute (`file:///…`) or relative to `%SRCROOT%`.
    uri: String,
    absolute: bool,
    /// For an archive: the archive's file name (the artifact every finding is in).
    archive: Option<String>,
    /// The base id (`INPUT`).
    id: String,
}

impl Base {
    fn of(report: &Report, id: String) -> Base {
        let path = report.input.path.as_str();
        let (dir, archive) = match report.input.kind {
            "layout" => (path.trim_end_matches('/').to_string(), None),
            kind => {
                let (dir, name) = match path.rfind('/') {
                    Some(i) => (&path[..i], &path[i + 1..]),
                    None => ("", path),
                };
                let dir = if dir.is_empty() && path.starts_with('/') {
                    "/"
                } else {
                    dir
                };
                (
                    dir.to_string(),
                    (kind != "document").then(|| name.to_string()),
                )
            }
        };
        let absolute = dir.starts_with('/');
        let uri = if dir.is_empty() || dir == "." {
            "./".to_string()
        } else if absolute {
            format!("file://{}/", encode(dir.trim_end_matches('/')))
        } else {
            format!("{}/", encode(&dir))
        };
        Base {
            uri,
            absolute,
            archive,
            id,
        }
    }

    fn original(&self) -> Value {
        let mut v = json!({
            "uri": self.uri,
            "description": { "text": "The directory of the input ocicheck validated." },
        });
        if !self.absolute {
            v["uriBaseId"] = "%SRCROOT%".into();
        }
        v
    }

    fn artifact(&self, file: &str) -> Value {
        let name = self.archive.as_deref().unwrap_or(file);
        json!({ "uri": encode(name), "uriBaseId": self.id })
    }
}

fn result(f: &Finding, rule_index: Option<usize>, base: &Base, fingerprint: String) -> Value {
    let loc = &f.location;
    let mut physical = json!({ "artifactLocation": base.artifact(&loc.file) });
    if let Some(line) = loc.line {
        let mut region = json!({ "startLine": line });
        if let Some(col) = loc.column {
            region["startColumn"] = col.into();
        }
        physical["region"] = region;
    }
    let mut logical = Vec::new();
    if base.archive.is_some() {
        logical.push(json!({
            "name": loc.file.rsplit('/').next().unwrap_or(&loc.file),
            "fullyQualifiedName": loc.file,
            "kind": "resource",
        }));
    }
    if let Some(p) = &loc.pointer {
        let name = if p.is_empty() {
            "/"
        } else {
            p.rsplit('/').next().unwrap_or(p)
        };
        logical.push(json!({
            "name": name,
            "fullyQualifiedName": if p.is_empty() { "/" } else { p.as_str() },
            "kind": "value",
        }));
    }
    if let Some(e) = &loc.entry {
        logical.push(json!({
            "name": e.path.trim_end_matches('/').rsplit('/').next().unwrap_or(&e.path),
            "fullyQualifiedName": e.path,
            "kind": "resource",
            "properties": { "headerOffset": e.offset },
        }));
    }
    let mut location = json!({ "physicalLocation": physical });
    if !logical.is_empty() {
        location["logicalLocations"] = Value::Array(logical);
    }
    let mut props = json!({
        "name": f.name,
        "clauses": f.clauses,
        "specUrl": f.spec_url,
        "file": loc.file,
    });
    if !loc.via.is_empty() {
        props["via"] = json!(loc.via);
    }
    let mut r = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [location],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
        "properties": props,
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = i.into();
    }
    r
}

/// The part of a via element that does not depend on digests: a blob's name is dropped, the pointer kept.
fn logical_step(via: &str) -> &str {
    match via.split_once('#') {
        Some((file, _)) if file.starts_with("blobs/") => &via[file.len()..],
        _ => via,
    }
}

fn fingerprint_key(f: &Finding) -> String {
    let loc = &f.location;
    let mut key = String::from(f.code);
    for v in &loc.via {
        key.push('\u{1f}');
        key.push_str(logical_step(v));
    }
    key.push('\u{1e}');
    if loc.via.is_empty() || !loc.file.starts_with("blobs/") {
        key.push_str(&loc.file);
    }
    key.push('\u{1e}');
    if let Some(p) = &loc.pointer {
        key.push_str(p);
    }
    key.push('\u{1e}');
    if let Some(e) = &loc.entry {
        key.push_str(&e.path);
    }
    key
}

fn fingerprint(key: &str, occurrence: usize) -> String {
    let mut h = sha2::Sha256::new();
    h.update(key.as_bytes());
    h.update(b"\x1d");
    h.update(occurrence.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encode a path for a URI reference: unreserved characters and `/` stay, everything else is encoded
/// byte by byte.
fn encode(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_a_uri_cannot_hold() {
        assert_eq!(encode("blobs/sha256/ab"), "blobs/sha256/ab");
        assert_eq!(encode("my image/x:y"), "my%20image/x%3Ay");
        assert_eq!(encode("é"), "%C3%A9");
    }

    fn finding(file: &str, via: &[&str], pointer: &str) -> Finding {
        Finding {
            code: "MAN001",
            name: "manifest-schema-version-not-2",
            severity: Severity::Error,
            clauses: vec!["manifest-002"],
            spec_url: String::new(),
            location: crate::report::Location {
                file: file.into(),
                pointer: Some(pointer.into()),
                entry: None,
                via: via.iter().map(|v| v.to_string()).collect(),
                line: None,
                column: None,
            },
            message: "schemaVersion is 3; it must be 2".into(),
        }
    }

    #[test]
    fn fingerprints_follow_the_content_graph_not_digests() {
        let a = finding(
            "blobs/sha256/aaaa",
            &["index.json#/manifests/0", "blobs/sha256/1111#/manifests/1"],
            "/schemaVersion",
        );
        let rebuilt = finding(
            "blobs/sha256/bbbb",
            &["index.json#/manifests/0", "blobs/sha256/2222#/manifests/1"],
            "/schemaVersion",
        );
        assert_eq!(fingerprint_key(&a), fingerprint_key(&rebuilt));
        let elsewhere = finding(
            "blobs/sha256/aaaa",
            &["index.json#/manifests/1", "blobs/sha256/1111#/manifests/1"],
            "/schemaVersion",
        );
        assert_ne!(fingerprint_key(&a), fingerprint_key(&elsewhere));
        // An unreferenced blob has no chain: its name is what identifies it.
        assert_ne!(
            fingerprint_key(&finding("blobs/sha256/aaaa", &[], "")),
            fingerprint_key(&finding("blobs/sha256/bbbb", &[], ""))
        );
        assert_ne!(
            fingerprint(&fingerprint_key(&a), 0),
            fingerprint(&fingerprint_key(&a), 1)
        );
    }

    #[test]
    fn via_steps_drop_blob_names() {
        assert_eq!(
            logical_step("index.json#/manifests/0"),
            "index.json#/manifests/0"
        );
        assert_eq!(logical_step("blobs/sha256/abc#/layers/2"), "#/layers/2");
    }
}
