//! The rule catalogue as text (`ocicheck rules`), JSON (`ocicheck rules --format json`) and one rule's
//! documentation (`ocicheck explain CODE`).

use serde_json::json;

use crate::rule::{Gate, Rule};
use crate::{Spec, rules};

fn gate_name(g: Gate) -> &'static str {
    match g {
        Gate::All => "all",
        Gate::MainOnly => "main",
        Gate::V111Only => "v1.1.1",
    }
}

pub fn json() -> String {
    let v: Vec<serde_json::Value> = rules::all()
        .map(|r| {
            json!({
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "clauses": r.clauses,
                "spec_url": r.spec_url(Spec::V1_1_1),
                "summary": r.summary(),
                "spec": gate_name(r.gate),
                "default_enabled": r.default_enabled,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

pub fn table() -> String {
    let mut s = format!(
        "{:<7} {:<8} {:<44} {}\n",
        "CODE", "LEVEL", "NAME", "CLAUSES"
    );
    for r in rules::all() {
        let mut notes = Vec::new();
        match r.gate {
            Gate::MainOnly => notes.push("main only"),
            Gate::V111Only => notes.push("v1.1.1 only"),
            Gate::All => {}
        }
        if !r.default_enabled {
            notes.push("off by default");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        s.push_str(&format!(
            "{:<7} {:<8} {:<44} {}{notes}\n",
            r.code,
            r.severity.as_str(),
            r.name,
            r.clauses.join(",")
        ));
    }
    s
}

pub fn explain(r: &Rule) -> String {
    let mut s = format!("{} {} ({})\n\n", r.code, r.name, r.severity);
    s.push_str(&r.docs_text());
    s.push_str("\n\n## Clauses\n");
    for c in r.clauses {
        match crate::clauses::lookup(c) {
            Some(cl) => s.push_str(&format!(
                "- {c}: {} ({}), {}#{}\n",
                cl.keyword, cl.checkable, cl.doc, cl.section
            )),
            None => s.push_str(&format!("- {c}\n")),
        }
    }
    let mut notes = Vec::new();
    match r.gate {
        Gate::MainOnly => notes.push("Applies with --spec main only."),
        Gate::V111Only => notes.push("Applies with --spec v1.1.1 only."),
        Gate::All => {}
    }
    if !r.default_enabled {
        notes.push("Off by default: select it by code (--warn CODE) or with a profile.");
    }
    if !notes.is_empty() {
        s.push('\n');
        s.push_str(&notes.join("\n"));
        s.push('\n');
    }
    s.push_str(&format!("\nSpec: {}\n", r.spec_url(Spec::V1_1_1)));
    s
}
