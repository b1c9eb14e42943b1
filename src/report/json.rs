//! The JSON report (its shape is documented in `schema/report.schema.json`): for one input, the report itself;
//! for several, `{"tool", "settings", "summary", "inputs": [report, …]}` with the counts of all of them.

use serde_json::json;

use super::{Report, Summary};

pub fn render(report: &Report) -> String {
    render_all(std::slice::from_ref(report))
}

pub fn render_all(reports: &[Report]) -> String {
    // Serialising plain data cannot fail; fall back to an empty object rather than panic.
    let mut s = match reports {
        [one] => serde_json::to_string_pretty(one),
        _ => serde_json::to_string_pretty(&json!({
            "tool": crate::TOOL,
            "settings": reports.first().and_then(|r| r.settings.as_ref()),
            "summary": Summary::sum(reports.iter().map(|r| &r.summary)),
            "inputs": reports,
        })),
    }
    .unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// The object printed on stdout instead of a report when `--format json` fails with exit status 2.
pub fn error(message: &str) -> String {
    let mut s = serde_json::to_string_pretty(&json!({ "error": message, "exit_status": 2 }))
        .unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
