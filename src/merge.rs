//! `ocicheck merge A.json B.json …`: the JSON reports of the shards of one run (`validate --shard I/N --format
//! json`) joined into the report of the whole run.
//!
//! Findings are deduplicated (a blob that images of two shards share is checked in both, with the same result)
//! and sorted as an unsharded run sorts them: by the file's place in the walk (each shard report carries it in
//! `shard.order`), then file, chain, line, column, pointer, tar entry, code and message. The summary is counted
//! again, `images`, `not_validated` and the limits of `incomplete` are unioned (the merged report is incomplete
//! when any shard's is). The reports must be the shards `0/N` … `N-1/N` of one input,
//! each once.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value, json};

/// Why reports do not merge.
#[derive(Debug)]
pub struct MergeError(pub String);

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MergeError {}

fn err<T>(m: impl Into<String>) -> Result<T, MergeError> {
    Err(MergeError(m.into()))
}

/// Merge shard reports (`(name, parsed JSON)`, the name for messages) into one report.
pub fn merge(reports: &[(String, Value)]) -> Result<Value, MergeError> {
    let Some((first_name, first)) = reports.first() else {
        return err("nothing to merge: give the JSON reports of the shards");
    };
    let mut count = None;
    let mut seen = BTreeMap::new();
    let mut order: BTreeMap<String, u64> = BTreeMap::new();
    for (name, r) in reports {
        if r.get("inputs").is_some() {
            return err(format!(
                "{name}: a report of several inputs; merge the shards of one input at a time"
            ));
        }
        let Some(shard) = r.get("shard") else {
            return err(format!(
                "{name}: not the report of a shard (made by `ocicheck validate --shard I/N --format json`)"
            ));
        };
        let (Some(i), Some(n)) = (
            shard.get("index").and_then(Value::as_u64),
            shard.get("count").and_then(Value::as_u64),
        ) else {
            return err(format!("{name}: `shard` has no index and count"));
        };
        if *count.get_or_insert(n) != n {
            return err(format!(
                "{name}: shard {i}/{n}, but {first_name} is one of {} shards",
                count.unwrap_or(n)
            ));
        }
        if let Some(other) = seen.insert(i, name.clone()) {
            return err(format!("{name} and {other} are both shard {i}/{n}"));
        }
        for key in ["spec", "input"] {
            let same = match key {
                // The same input may be mounted at different paths on different machines: its kind must agree.
                "input" => r.pointer("/input/kind") == first.pointer("/input/kind"),
                _ => r.get(key) == first.get(key),
            };
            if !same {
                return err(format!("{name}: its {key} differs from {first_name}'s"));
            }
        }
        if let Some(m) = shard.get("order").and_then(Value::as_object) {
            for (f, rank) in m {
                if let Some(rank) = rank.as_u64() {
                    order.entry(f.clone()).or_insert(rank);
                }
            }
        }
    }
    let n = count.unwrap_or(0);
    let missing: Vec<String> = (0..n)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return err(format!(
            "shard{} {} missing: the merged report would not cover the whole input",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    let rank = |f: &Value| -> (u64, String) {
        let file = f.as_str().unwrap_or_default().to_string();
        (order.get(&file).copied().unwrap_or(u64::MAX), file)
    };

    let mut findings = union(reports, "findings");
    findings.sort_by(|a, b| finding_order(a, b, &rank));
    let mut notes = union(reports, "not_listed");
    notes.sort_by(|a, b| {
        (rank(&a["file"]), a["code"].as_str(), a["limit"].as_str()).cmp(&(
            rank(&b["file"]),
            b["code"].as_str(),
            b["limit"].as_str(),
        ))
    });
    let mut images = union(reports, "images");
    images.sort_by(|a, b| {
        (rank(&a["file"]), via(&a["via"])).cmp(&(rank(&b["file"]), via(&b["via"])))
    });

    let mut out: Map<String, Value> = first.as_object().cloned().unwrap_or_default();
    out.remove("shard");
    out.insert("summary".into(), summary(&findings, &notes));
    out.insert("findings".into(), Value::Array(findings));
    if notes.is_empty() {
        out.remove("not_listed");
    } else {
        out.insert("not_listed".into(), Value::Array(notes));
    }
    let validated = images.len();
    out.insert("images".into(), Value::Array(images));
    match not_validated(reports, validated) {
        Some(nv) => out.insert("not_validated".into(), nv),
        None => out.remove("not_validated"),
    };
    match incomplete(reports) {
        Some(i) => out.insert("incomplete".into(), json!(i)),
        None => out.remove("incomplete"),
    };
    if let Some(s) = out.get_mut("settings").and_then(Value::as_object_mut) {
        s.remove("shard");
    }
    out.insert("merged".into(), json!({ "shards": n }));
    Ok(Value::Object(out))
}

/// A limit hit as a JSON report gives it, read back (its code and option must be ones this build knows).
pub fn limit_of(v: &Value) -> Option<crate::report::LimitHit> {
    let code = v["code"].as_str()?;
    let code = crate::rules::all().find(|r| r.code == code)?.code;
    let raise = v["raise"].as_str().and_then(|r| {
        crate::options::LIMIT_OPTIONS
            .iter()
            .copied()
            .find(|o| *o == r)
    });
    Some(crate::report::LimitHit {
        code,
        file: v["file"].as_str().unwrap_or_default().to_string(),
        raise,
        message: v["message"].as_str().unwrap_or_default().to_string(),
    })
}

/// The shards' limits together: each distinct one once, counted again (a limit two shards both hit, such as one of
/// the layout, is one); accepted only if every shard that hit one was run with `--allow-incomplete`.
fn incomplete(reports: &[(String, Value)]) -> Option<crate::report::Incomplete> {
    let listed = union(reports, "/incomplete/limits");
    let all_listed: usize = reports
        .iter()
        .filter_map(|(_, r)| r.pointer("/incomplete/limits").and_then(Value::as_array))
        .map(Vec::len)
        .sum();
    let counted: usize = reports
        .iter()
        .filter_map(|(_, r)| r.pointer("/incomplete/count").and_then(Value::as_u64))
        .map(|n| n as usize)
        .sum();
    let limits: Vec<_> = listed.iter().filter_map(limit_of).collect();
    let count = counted
        .saturating_sub(all_listed - listed.len())
        .max(limits.len());
    let allowed = reports
        .iter()
        .filter_map(|(_, r)| r.get("incomplete"))
        .all(|i| i["allowed"] == true);
    let mut i = crate::report::Incomplete::of(limits, count)?;
    i.allowed = allowed;
    Some(i)
}

/// The members `key` of every report, each distinct value once, in the order first met.
fn union(reports: &[(String, Value)], key: &str) -> Vec<Value> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (_, r) in reports {
        // A member, or a JSON pointer (`/incomplete/limits`).
        let member = if key.starts_with('/') {
            r.pointer(key)
        } else {
            r.get(key)
        };
        for v in member.and_then(Value::as_array).into_iter().flatten() {
            if seen.insert(v.to_string()) {
                out.push(v.clone());
            }
        }
    }
    out
}

fn via(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// `None` before any number, as `Option` sorts in the run itself.
fn num(v: &Value) -> Option<u64> {
    v.as_u64()
}

/// The order of an unsharded run's findings (see `sort_findings` in the crate root).
fn finding_order(a: &Value, b: &Value, rank: &dyn Fn(&Value) -> (u64, String)) -> Ordering {
    let (la, lb) = (&a["location"], &b["location"]);
    let entry = |l: &Value| {
        l.get("entry").map(|e| {
            (
                num(&e["offset"]),
                e["path"].as_str().unwrap_or_default().to_string(),
            )
        })
    };
    (
        rank(&la["file"]),
        via(&la["via"]),
        num(&la["line"]),
        num(&la["column"]),
    )
        .cmp(&(
            rank(&lb["file"]),
            via(&lb["via"]),
            num(&lb["line"]),
            num(&lb["column"]),
        ))
        .then_with(|| la["pointer"].as_str().cmp(&lb["pointer"].as_str()))
        .then_with(|| entry(la).cmp(&entry(lb)))
        .then_with(|| a["code"].as_str().cmp(&b["code"].as_str()))
        .then_with(|| a["message"].as_str().cmp(&b["message"].as_str()))
}

/// The summary of the merged findings and notes, counted as a run counts them.
fn summary(findings: &[Value], notes: &[Value]) -> Value {
    let mut by = BTreeMap::from([("error", 0u64), ("warning", 0), ("info", 0)]);
    for f in findings {
        if let Some(n) = f["severity"].as_str().and_then(|s| by.get_mut(s)) {
            *n += 1;
        }
    }
    let mut not_listed = 0;
    for note in notes {
        let k = note["count"].as_u64().unwrap_or(0);
        if let Some(n) = note["severity"].as_str().and_then(|s| by.get_mut(s)) {
            *n += k;
        }
        not_listed += k;
    }
    let mut s = json!({ "errors": by["error"], "warnings": by["warning"], "infos": by["info"] });
    if not_listed > 0 {
        s["not_listed"] = json!(not_listed);
    }
    s
}

/// The union of the shards' `not_validated`, counted again; `images_validated` is the number of images merged.
fn not_validated(reports: &[(String, Value)], images_validated: usize) -> Option<Value> {
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for (_, r) in reports {
        let list = r.pointer("/not_validated/items").and_then(Value::as_array);
        for i in list.into_iter().flatten() {
            if seen.insert((i["kind"].to_string(), i["file"].to_string())) {
                items.push(i.clone());
            }
        }
    }
    if items.is_empty() {
        return None;
    }
    let count = |k: &str| items.iter().filter(|i| i["kind"] == k).count();
    Some(json!({
        "images_validated": images_validated,
        "images_not_validated": count("image"),
        "blobs_not_validated": count("blob"),
        "items": items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(i: u64, n: u64, findings: Value) -> (String, Value) {
        (
            format!("s{i}.json"),
            json!({
                "tool": {"name": "ocicheck", "version": "0"},
                "spec": "v1.1.1",
                "input": {"path": "x", "kind": "layout"},
                "findings": findings,
                "summary": {"errors": 0, "warnings": 0, "infos": 0},
                "shard": {"index": i, "count": n, "order": {"a": 2, "b": 1}},
            }),
        )
    }

    fn finding(file: &str, code: &str, sev: &str) -> Value {
        json!({"code": code, "severity": sev, "message": "m", "location": {"file": file, "via": []}})
    }

    #[test]
    fn findings_are_deduplicated_sorted_by_walk_order_and_counted() {
        let a = finding("a", "MAN001", "error");
        let b = finding("b", "CFG001", "warning");
        let m = merge(&[
            shard(0, 2, json!([a.clone(), b.clone()])),
            shard(1, 2, json!([a.clone()])),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m["findings"], json!([b, a]));
        assert_eq!(
            m["summary"],
            json!({"errors": 1, "warnings": 1, "infos": 0})
        );
        assert!(m.get("shard").is_none());
    }

    #[test]
    fn a_missing_or_repeated_shard_is_an_error() {
        assert!(merge(&[shard(0, 3, json!([])), shard(1, 3, json!([]))]).is_err());
        assert!(merge(&[shard(0, 2, json!([])), shard(0, 2, json!([]))]).is_err());
        assert!(merge(&[shard(0, 2, json!([])), shard(1, 3, json!([]))]).is_err());
    }
}
