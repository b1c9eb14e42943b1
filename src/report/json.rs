//! The JSON report (its shape is documented in `schema/report.schema.json`).

use super::Report;

pub fn render(report: &Report) -> String {
    // Serialising plain data cannot fail; fall back to an empty object rather than panic.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
