//! The embedded JSON Schemas (`schema/*.schema.json`), compiled once, and the mapping of every schema error to the
//! rule that owns its keyword location.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Retrieve, Uri, ValidationError, Validator};
use serde_json::Value as J;

use crate::walk::DocKind;

pub const BASE: &str = "https://schema.ocicheck.invalid/";

/// Every schema file, embedded.
pub const FILES: &[(&str, &str)] = &[
    (
        "defs.schema.json",
        include_str!("../schema/defs.schema.json"),
    ),
    (
        "content-descriptor.schema.json",
        include_str!("../schema/content-descriptor.schema.json"),
    ),
    (
        "oci-layout.schema.json",
        include_str!("../schema/oci-layout.schema.json"),
    ),
    (
        "image-index.schema.json",
        include_str!("../schema/image-index.schema.json"),
    ),
    (
        "image-manifest.schema.json",
        include_str!("../schema/image-manifest.schema.json"),
    ),
    (
        "image-config.schema.json",
        include_str!("../schema/image-config.schema.json"),
    ),
];

/// Serves the embedded files to the validator; nothing is ever fetched.
struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(&self, uri: &Uri<String>) -> Result<J, Box<dyn std::error::Error + Send + Sync>> {
        let s = uri.as_str();
        let name = s.strip_prefix(BASE).unwrap_or(s);
        let name = name.split('#').next().unwrap_or(name);
        match FILES.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => Ok(serde_json::from_str(text)?),
            None => Err(format!("no embedded schema {s}").into()),
        }
    }
}

fn parse_file(name: &str) -> J {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, t)| serde_json::from_str(t).ok())
        .unwrap_or(J::Null)
}

struct Compiled {
    validators: HashMap<&'static str, Validator>,
    /// Parsed schema documents, to read `description` next to a failing keyword.
    docs: HashMap<&'static str, J>,
}

fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let mut validators = HashMap::new();
        let mut docs = HashMap::new();
        for (name, _) in FILES {
            let schema = parse_file(name);
            docs.insert(*name, schema.clone());
            if *name == "defs.schema.json" {
                continue;
            }
            // The schemas are part of the binary and covered by tests; failing to compile one is a build defect.
            let v = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .with_retriever(Embedded)
                .build(&schema)
                .unwrap_or_else(|e| panic!("embedded schema {name} does not compile: {e}"));
            validators.insert(*name, v);
        }
        Compiled { validators, docs }
    })
}

/// One schema error, mapped to a keyword location.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaError {
    /// `file#/pointer/to/keyword` (plus `/property` for `required`).
    pub location: String,
    /// JSON pointer into the instance.
    pub pointer: String,
    pub message: String,
}

/// Schema errors taken from one document at most (a hostile document with a million bad items would otherwise
/// cost a million errors; the findings are capped further down anyway).
pub const MAX_ERRORS: usize = 20_000;

/// Validate an instance against the schema of `kind` and return every error (up to [`MAX_ERRORS`]).
pub fn validate(kind: DocKind, instance: &J) -> Vec<SchemaError> {
    validate_part(kind, instance, None, MAX_ERRORS)
}

/// Items of a long top-level array validated at once by [`validate_document`].
pub const PART_ITEMS: usize = 256;

/// Validate a parsed document against the schema of `kind`, as [`validate`] does its whole serde copy, without
/// ever holding that copy whole: an index of 10,000 images would cost 20 MB as `serde_json` values. A top-level
/// array longer than [`PART_ITEMS`] (an index's `manifests`, a manifest's `layers`, a config's `history`) goes in
/// parts: the document with the first part of each, then every further part alone under its key, its errors
/// placed at their index in the whole array. The schemas give such arrays only `items` (no `minItems`,
/// `uniqueItems`, `contains` or conditionals on siblings), so an item's errors do not depend on the others and the
/// parts find exactly what the whole would. `adjust` edits the document's copy (the first part) before it is
/// validated.
pub fn validate_document(
    kind: DocKind,
    v: &crate::json::Value,
    adjust: &dyn Fn(&mut J),
) -> Vec<SchemaError> {
    let long: Vec<(&str, &[crate::json::Value])> = match &v.kind {
        crate::json::Kind::Object(_) => v
            .effective_members()
            .into_iter()
            .filter_map(|m| Some((&*m.key, m.value.as_array()?)))
            .filter(|(_, items)| items.len() > PART_ITEMS)
            .collect(),
        _ => Vec::new(),
    };
    let part = |items: &[crate::json::Value]| {
        J::Array(items.iter().map(crate::json::Value::to_serde).collect())
    };
    let mut first = match &v.kind {
        crate::json::Kind::Object(_) => {
            let mut map = serde_json::Map::new();
            for m in v.effective_members() {
                let value = match long.iter().find(|(k, _)| *k == &*m.key) {
                    Some((_, items)) => part(&items[..PART_ITEMS]),
                    None => m.value.to_serde(),
                };
                map.insert(m.key.to_string(), value);
            }
            J::Object(map)
        }
        _ => v.to_serde(),
    };
    adjust(&mut first);
    let mut out = validate_part(kind, &first, None, MAX_ERRORS);
    drop(first);
    for (key, items) in long {
        for start in (PART_ITEMS..items.len()).step_by(PART_ITEMS) {
            let left = MAX_ERRORS.saturating_sub(out.len());
            if left == 0 {
                return out;
            }
            let end = (start + PART_ITEMS).min(items.len());
            let mut map = serde_json::Map::new();
            map.insert(key.to_string(), part(&items[start..end]));
            out.extend(validate_part(
                kind,
                &J::Object(map),
                Some((key, start)),
                left,
            ));
        }
    }
    out
}

/// The pointer of an error found in a part that holds `key`'s items from `start` on, as a pointer into the whole
/// document; `None` for an error outside those items (the first part reported it).
fn in_whole(pointer: &str, key: &str, start: usize) -> Option<String> {
    let prefix = format!("/{}/", crate::json::escape_token(key));
    let rest = pointer.strip_prefix(&prefix)?;
    let (index, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let index: usize = index.parse().ok()?;
    Some(format!("{prefix}{}{tail}", index + start))
}

/// [`validate`] of one part: with `part`, only the errors in `key`'s items, each placed at its index in the whole
/// array; at most `limit` errors.
fn validate_part(
    kind: DocKind,
    instance: &J,
    part: Option<(&str, usize)>,
    limit: usize,
) -> Vec<SchemaError> {
    let c = compiled();
    let Some(v) = c.validators.get(kind.schema_file()) else {
        return Vec::new();
    };
    let mut out: Vec<SchemaError> = Vec::new();
    // (instance pointer, subschema location) with a type error
    let mut typed: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    let mut mapped: Vec<(SchemaError, String, bool)> = Vec::new();
    // One error at a time, its texts cut to what a finding keeps before the next: an error's instance path
    // repeats every key above it, and a hostile key may be megabytes long.
    for e in v.iter_errors(instance).take(limit) {
        let e = &e;
        let abs = e
            .absolute_keyword_location()
            .map(|u| u.as_str().to_string())
            .unwrap_or_default();
        let rel = abs.strip_prefix(BASE).unwrap_or(&abs).to_string();
        let pointer = match part {
            None => e.instance_path().as_str().to_string(),
            Some((key, start)) => match in_whole(e.instance_path().as_str(), key, start) {
                Some(p) => p,
                None => continue,
            },
        };
        let (location, is_type) = match e.kind() {
            ValidationErrorKind::Required { property } => {
                let p = property.as_str().unwrap_or_default();
                (format!("{rel}/{}", crate::json::escape_token(p)), false)
            }
            ValidationErrorKind::Type { .. } => (rel.clone(), true),
            _ => (rel.clone(), false),
        };
        let parent = rel
            .rsplit_once('/')
            .map_or(rel.as_str(), |(p, _)| p)
            .to_string();
        let mut message = describe(e, &pointer, &rel, c);
        let mut pointer = pointer;
        crate::finding::clip(&mut pointer, crate::finding::MAX_POINTER);
        crate::finding::clip(&mut message, crate::finding::MAX_MESSAGE);
        if is_type {
            typed.insert((pointer.clone(), parent.clone()));
        }
        mapped.push((
            SchemaError {
                location,
                pointer,
                message,
            },
            parent,
            is_type,
        ));
    }
    for (err, parent, is_type) in mapped {
        // When a value has the wrong type, the other keywords of the same subschema (const, pattern …) add nothing.
        if !is_type && typed.contains(&(err.pointer.clone(), parent.clone())) {
            continue;
        }
        out.push(err);
    }
    out
}

/// The subschema that holds the failing keyword.
fn subschema<'c>(c: &'c Compiled, rel: &str) -> Option<&'c J> {
    let (file, frag) = rel.split_once('#')?;
    let doc = c.docs.get(file)?;
    let parent = frag.rsplit_once('/').map_or("", |(p, _)| p);
    doc.pointer(parent)
}

/// Read the `description` of the subschema that holds the failing keyword.
fn description(c: &Compiled, rel: &str) -> Option<String> {
    subschema(c, rel)?
        .get("description")?
        .as_str()
        .map(str::to_string)
}

fn show(v: &J) -> String {
    let s = v.to_string();
    crate::json::shorten(&s, 80)
}

fn json_type(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

fn name_of(pointer: &str) -> String {
    if pointer.is_empty() {
        "the document".to_string()
    } else {
        format!("`{pointer}`")
    }
}

fn describe(e: &ValidationError, pointer: &str, rel: &str, c: &Compiled) -> String {
    let inst = e.instance();
    let what = name_of(pointer);
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            format!(
                "required property `{}` is missing from {}",
                property.as_str().unwrap_or_default(),
                if pointer.is_empty() {
                    "the document".to_string()
                } else {
                    format!("`{pointer}`")
                }
            )
        }
        ValidationErrorKind::Type { kind } => {
            // A subschema that also says `not: {type: null}` does not really accept null (another rule reports
            // null), so null is not offered as an alternative.
            let forbids_null = subschema(c, rel)
                .and_then(|s| s.get("not"))
                .and_then(|n| n.get("type"))
                .is_some_and(|t| t == "null");
            let words: Vec<String> = match kind {
                jsonschema::error::TypeKind::Single(t) => vec![type_word(&t.to_string())],
                jsonschema::error::TypeKind::Multiple(ts) => {
                    ts.iter().map(|t| type_word(&t.to_string())).collect()
                }
            };
            let expected: Vec<String> = words
                .into_iter()
                .filter(|w| !(forbids_null && w == "null"))
                .collect();
            let expected = expected.join(" or ");
            match inst.as_ref() {
                J::Null | J::Array(_) | J::Object(_) => {
                    format!("{what} is {}; expected {expected}", json_type(inst))
                }
                _ => format!(
                    "{what} is {} ({}); expected {expected}",
                    json_type(inst),
                    show(inst)
                ),
            }
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!(
                "{what} is {}; it must be {}",
                show(inst),
                show(expected_value)
            )
        }
        ValidationErrorKind::Pattern { .. } => match description(c, rel) {
            Some(d) => format!("{what} is {}, which is not {d}", show(inst)),
            None => format!(
                "{what} is {}, which does not have the required form",
                show(inst)
            ),
        },
        ValidationErrorKind::Minimum { limit } => {
            format!("{what} is {}; it must be at least {limit}", show(inst))
        }
        ValidationErrorKind::Not { .. } => match description(c, rel) {
            Some(d) => format!("{what} is {}; expected {d}", show(inst)),
            None => format!("{what} is {}, which is not allowed here", show(inst)),
        },
        _ => format!("{what}: {e}"),
    }
}

fn type_word(t: &str) -> String {
    match t {
        "object" => "an object",
        "array" => "an array",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        "null" => "null",
        _ => t,
    }
    .to_string()
}

/// Every assertion keyword location of every embedded schema, in the form rules use to claim them.
pub fn keyword_locations() -> Vec<String> {
    const ASSERTIONS: &[&str] = &[
        "type",
        "const",
        "enum",
        "pattern",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "format",
        "not",
        "uniqueItems",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ];
    const SUBSCHEMA_MAPS: &[&str] = &["properties", "$defs", "patternProperties"];
    const SUBSCHEMAS: &[&str] = &["items", "additionalProperties", "propertyNames", "contains"];
    fn walk(file: &str, ptr: &str, v: &J, out: &mut Vec<String>) {
        let Some(obj) = v.as_object() else { return };
        for k in ASSERTIONS {
            if obj.contains_key(*k) {
                out.push(format!("{file}#{ptr}/{k}"));
            }
        }
        if let Some(req) = obj.get("required").and_then(J::as_array) {
            for r in req.iter().filter_map(J::as_str) {
                out.push(format!(
                    "{file}#{ptr}/required/{}",
                    crate::json::escape_token(r)
                ));
            }
        }
        for k in SUBSCHEMA_MAPS {
            if let Some(m) = obj.get(*k).and_then(J::as_object) {
                for (name, sub) in m {
                    walk(
                        file,
                        &format!("{ptr}/{k}/{}", crate::json::escape_token(name)),
                        sub,
                        out,
                    );
                }
            }
        }
        for k in SUBSCHEMAS {
            if let Some(sub) = obj.get(*k) {
                walk(file, &format!("{ptr}/{k}"), sub, out);
            }
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            if let Some(arr) = obj.get(k).and_then(J::as_array) {
                for (i, sub) in arr.iter().enumerate() {
                    walk(file, &format!("{ptr}/{k}/{i}"), sub, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (name, _) in FILES {
        walk(name, "", &parse_file(name), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of 1,000 entries, bad ones among them at the edges of the parts and inside them, and errors outside
    /// `manifests` too: validated in parts it gives exactly the errors (pointers and messages) of the whole.
    #[test]
    fn a_long_array_validated_in_parts_gives_the_errors_of_the_whole() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        let good = serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": 5});
        let mut items: Vec<J> = (0..1000).map(|_| good.clone()).collect();
        items[0]["size"] = serde_json::json!("5");
        items[PART_ITEMS - 1]["platform"] = serde_json::json!({"os": 1});
        items[PART_ITEMS]["mediaType"] = serde_json::json!("not a media type");
        items[2 * PART_ITEMS + 7]
            .as_object_mut()
            .map(|o| o.remove("digest"));
        items[999]["annotations"] = serde_json::json!({"k": 5});
        let doc = serde_json::json!({"schemaVersion": "2", "manifests": items, "annotations": []});
        let text = doc.to_string();
        let parsed = crate::json::parse_limited(text.as_bytes(), 1 << 20);
        let v = parsed.value.expect("it parses");
        let key = |e: &SchemaError| (e.pointer.clone(), e.location.clone(), e.message.clone());
        let mut whole: Vec<_> = validate(DocKind::Index, &v.to_serde())
            .iter()
            .map(key)
            .collect();
        let mut parts: Vec<_> = validate_document(DocKind::Index, &v, &|_| {})
            .iter()
            .map(key)
            .collect();
        whole.sort();
        parts.sort();
        assert!(whole.len() >= 6, "{whole:#?}");
        assert!(
            whole.iter().any(|(p, _, _)| p == "/manifests/519"),
            "{whole:#?}"
        );
        assert_eq!(parts, whole);
    }

    #[test]
    fn all_schemas_compile_and_locations_are_absolute() {
        let errs = validate(
            DocKind::Manifest,
            &serde_json::json!({"schemaVersion": 2, "config": {"mediaType": 5, "size": "1"}}),
        );
        let locs: Vec<&str> = errs.iter().map(|e| e.location.as_str()).collect();
        assert!(
            locs.contains(&"defs.schema.json#/$defs/mediaType/type"),
            "{locs:?}"
        );
        assert!(
            locs.contains(&"defs.schema.json#/$defs/descriptor/required/digest"),
            "{locs:?}"
        );
        assert!(
            locs.contains(&"defs.schema.json#/$defs/size/type"),
            "{locs:?}"
        );
        for e in &errs {
            assert!(
                keyword_locations().contains(&e.location),
                "{} not enumerated",
                e.location
            );
        }
    }

    #[test]
    fn type_errors_hide_const_errors_on_the_same_value() {
        let errs = validate(
            DocKind::Config,
            &serde_json::json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": 5, "diff_ids": []}}),
        );
        let locs: Vec<&str> = errs.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            locs,
            ["image-config.schema.json#/properties/rootfs/properties/type/type"]
        );
    }
}
