//! `--statistics`: how many findings each rule drew (listed or not), most first, as ruff prints them:
//! count, code, name.

use serde_json::json;

use super::Report;

/// Per code over every input: (code, name, severity, count), most first.
pub fn rows(reports: &[Report]) -> Vec<(&'static str, &'static str, crate::rule::Severity, usize)> {
    let mut all: std::collections::BTreeMap<
        &'static str,
        (&'static str, crate::rule::Severity, usize),
    > = std::collections::BTreeMap::new();
    for r in reports {
        for (code, name, sev, n) in r.counts_by_code() {
            all.entry(code).or_insert((name, sev, 0)).2 += n;
        }
    }
    let mut v: Vec<_> = all.into_iter().map(|(c, (n, s, k))| (c, n, s, k)).collect();
    v.sort_by(|a, b| b.3.cmp(&a.3).then(a.0.cmp(b.0)));
    v
}

pub fn text(reports: &[Report]) -> String {
    let rows = rows(reports);
    let width = rows
        .iter()
        .map(|r| r.3.to_string().len())
        .max()
        .unwrap_or(1);
    let mut s = String::new();
    for (code, name, sev, n) in &rows {
        s.push_str(&format!("{n:>width$}\t{code}\t{name}\t[{sev}]\n"));
    }
    let total: usize = rows.iter().map(|r| r.3).sum();
    s.push_str(&format!(
        "Found {total} finding{} of {} rule{}\n",
        if total == 1 { "" } else { "s" },
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    s
}

pub fn json(reports: &[Report]) -> String {
    let v: Vec<serde_json::Value> = rows(reports)
        .into_iter()
        .map(|(code, name, sev, count)| json!({ "code": code, "name": name, "severity": sev, "count": count }))
        .collect();
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
