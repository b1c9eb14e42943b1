//! The content graph of an input as plain data, for the HTML report: which file points at which (index →
//! manifests → configs, layers; referrers beside their subject), each node named by its file inside the input,
//! so findings attach to nodes by their location's file.

use std::collections::HashMap;

use serde::Serialize;

use crate::walk::{DocKind, Graph, Role};

/// The nodes, and the ones to draw from (documents no descriptor reached: `index.json`, `oci-layout`, or the
/// single document).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContentGraph {
    pub nodes: Vec<Node>,
    pub roots: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The file inside the input (`index.json`, `blobs/sha256/…`).
    pub file: String,
    /// `image index`, `image manifest`, `image config`, `layer`, `blob`, `oci-layout file`, …
    pub kind: String,
    /// The media type the first descriptor that reached it names.
    pub media_type: Option<String>,
    /// The size that descriptor gives.
    pub size: Option<i64>,
    /// Whether the blob is in the input (a sparse layout lacks some).
    pub present: bool,
    pub edges: Vec<Edge>,
}

/// A descriptor from one node to another, or a referrer beside its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// `manifest`, `index`, `config`, `layer N`, `subject`, `referrer`, `descriptor`.
    pub role: String,
    /// Where the descriptor is: `index.json#/manifests/0`.
    pub at: String,
    pub to: usize,
}

impl ContentGraph {
    /// Files named as the report shows them (inside an archive, under its directory), as the findings' locations
    /// are.
    pub fn relocate(&mut self, shown: impl Fn(&str) -> String) {
        for n in &mut self.nodes {
            n.file = shown(&n.file);
            for e in &mut n.edges {
                e.at = shown(&e.at);
            }
        }
    }

    pub fn node_of(&self, file: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.file == file)
    }
}

/// The content graph of a walked input.
pub fn of_graph(g: &Graph) -> ContentGraph {
    let mut out = ContentGraph::default();
    let mut by_file: HashMap<String, usize> = HashMap::new();
    let mut node = |out: &mut ContentGraph, file: &str, kind: &str| -> usize {
        *by_file.entry(file.to_string()).or_insert_with(|| {
            out.nodes.push(Node {
                file: file.to_string(),
                kind: kind.to_string(),
                media_type: None,
                size: None,
                present: true,
                edges: Vec::new(),
            });
            out.nodes.len() - 1
        })
    };
    let doc_nodes: Vec<usize> = g
        .docs
        .iter()
        .map(|d| node(&mut out, &d.file, d.kind.describe()))
        .collect();
    let mut referrers: Vec<(usize, usize, String)> = Vec::new();
    for d in &g.descs {
        let Some(path) = d.blob_path() else { continue };
        let target_kind = d.target_doc.map(|t| g.docs[t].kind);
        let kind = match (target_kind, d.role) {
            (Some(k), _) => k.describe(),
            (None, Role::Layer(_)) => "layer",
            (None, Role::Config) => "config blob",
            _ => "blob",
        };
        let to = match d.target_doc {
            Some(t) => doc_nodes[t],
            None => node(&mut out, &path, kind),
        };
        let n = &mut out.nodes[to];
        if n.media_type.is_none() {
            n.media_type = d.media_type(g).map(str::to_string);
            n.size = d.size(g);
            n.present = g.blobs.get(&*path).is_none_or(|b| b.present());
        }
        let from = doc_nodes[d.doc];
        let at = format!("{}#{}", g.docs[d.doc].file, d.pointer());
        let role = match d.role {
            Role::IndexEntry if target_kind == Some(DocKind::Index) => "index".to_string(),
            Role::IndexEntry => "manifest".to_string(),
            Role::Config => "config".to_string(),
            Role::Layer(i) => format!("layer {i}"),
            Role::Subject => {
                referrers.push((to, from, at.clone()));
                "subject".to_string()
            }
            Role::Root => "descriptor".to_string(),
        };
        out.nodes[from].edges.push(Edge { role, at, to });
    }
    for (subject, referrer, at) in referrers {
        out.nodes[subject].edges.push(Edge {
            role: "referrer".into(),
            at,
            to: referrer,
        });
    }
    out.roots = g
        .docs
        .iter()
        .zip(&doc_nodes)
        .filter(|(d, _)| d.referrer.is_none())
        .map(|(_, &n)| n)
        .collect();
    // The layout's own files first: oci-layout, then index.json.
    out.roots
        .sort_by_key(|&r| match out.nodes[r].file.as_str() {
            "oci-layout" => 0,
            "index.json" => 1,
            _ => 2,
        });
    out.roots.dedup();
    out
}
