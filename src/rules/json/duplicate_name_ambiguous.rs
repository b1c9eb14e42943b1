use crate::check::{DocCx, Out};
use crate::declare_rule;
use crate::rule::Check;

declare_rule! {
    /// ## What it checks
    /// A JSON object holds the same member name twice, under spec v1.1.1 (under `--spec main` this breaks a MUST
    /// and is JSN003's error; duplicate annotation keys are ANN004's in every version).
    ///
    /// ## Why it matters
    /// Decoders disagree about which of the two values wins (Go keeps the last, others the first, some refuse
    /// the document), so two tools can see two different images behind one digest: the parser differential
    /// behind CVE-2021-41190. A validator that read the first value would pass what a runtime reading the last
    /// one runs.
    ///
    /// ## Basis
    /// Hardening. v1.1.1 has no clause on duplicate names (RFC 8259 only says names should be unique; the I-JSON
    /// MUST came after v1.1.1), so nothing is broken; the rule protects consumers from the ambiguity. A warning
    /// by default, an error under `--profile strict` or `--deny hardening`.
    ///
    /// ## Example
    /// ```json
    /// { "schemaVersion": 2, "config": { … }, "layers": [ … ], "layers": [ … ] }
    /// ```
    ///
    /// ## How to fix
    /// Write every member name once per object. The producer's JSON encoder or a hand-made edit (a `jq` merge, a
    /// templated manifest) is the usual cause: decode the document, keep the value you mean, and encode it again;
    /// the digest changes, so update the descriptors that point at it.
    JSN009, "json-duplicate-name-ambiguous", Warning,
    basis: Hardening,
    clauses: [],
    section: "considerations.md#json",
    gate: V111Only,
    check: Check::Document(check),
}

fn check(cx: &DocCx, out: &mut Out) {
    super::duplicate_name::report_duplicates(cx, out);
}
