//! The images a run validated, and what a layout offers when a selection matches nothing: queries over the walk's
//! graph. The selection itself (what `--ref`, `--platform` and `--digest` ask for, and the verdict on each index
//! entry during the walk) is `crate::selection`, re-exported here.

use std::sync::Arc;

use serde::Serialize;

use crate::digest::Digest;

pub use crate::selection::{
    CONTAINERD_NAME, Platform, REF_NAME, Selection, State, Verdict, decide,
};
use crate::walk::{DocKind, Graph, Role};

/// One image manifest the run validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// The manifest's blob path inside the layout. (This and the other texts that thousands of images share with
    /// the walk's records, or with one another, are shared copies: the list of a layout of 10,000 images is held
    /// with the records, at the run's peak.)
    pub file: Arc<str>,
    /// The digest of the descriptor that reached it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    #[serde(rename = "mediaType", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<Arc<str>>,
    /// The `org.opencontainers.image.ref.name` of the `index.json` entry it was reached from.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub ref_name: Option<String>,
    /// `os/arch[/variant]`, from the index entry that reached it, else from its config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(rename = "artifactType", skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<Arc<str>>,
    /// The chain of descriptors that first reached it, as in a finding's location.
    pub via: Vec<String>,
    /// In a registry's catalogue (`docker://HOST`): the repository it is in, and the tags that name it (or the
    /// index that holds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// Every image manifest the walk parsed, in walk order.
pub fn images(g: &Graph) -> Vec<ImageRef> {
    let manifests = || g.docs.iter().filter(|d| d.kind == DocKind::Manifest);
    let mut out = Vec::with_capacity(manifests().count());
    for doc in manifests() {
        let referrer = doc.referrer.map(|i| &g.descs[i]);
        // The index.json entry at the top of the chain, for the ref name.
        let mut top = referrer;
        let mut hops = 0;
        while let Some(d) = top {
            let holder = &g.docs[d.doc];
            if holder.is_index_json || hops > g.docs.len() {
                break;
            }
            top = holder.referrer.map(|i| &g.descs[i]);
            hops += 1;
        }
        let ref_name = top
            .filter(|d| g.docs[d.doc].is_index_json)
            .and_then(|d| d.ref_name().map(str::to_string));
        // What the walk recorded of the config, the index entry and the manifest (their trees are not kept).
        let config = g
            .config_of(doc.id)
            .map(|c| &c.facts)
            .filter(|f| f.has_value);
        let platform = referrer
            .filter(|d| d.role == Role::IndexEntry)
            .and_then(|d| d.platform().map(str::to_string))
            .or_else(|| config.and_then(|c| c.platform()));
        out.push(ImageRef {
            file: doc.file.clone(),
            digest: referrer.and_then(|d| d.digest.clone()),
            media_type: referrer
                .and_then(|d| d.media_type.clone())
                .or_else(|| doc.facts.media_type.clone()),
            ref_name,
            platform,
            artifact_type: doc.facts.artifact_type.clone(),
            via: g.via_of_doc(doc.id),
            repository: None,
            tags: Vec::new(),
        });
    }
    out
}

/// What `index.json` offers, for the message when a selection matches nothing.
pub fn available(g: &Graph) -> String {
    let Some(root) = g.docs.iter().find(|d| d.is_index_json) else {
        return "the layout has no readable index.json".into();
    };
    let mut refs = Vec::new();
    let mut platforms = Vec::new();
    for d in g.descs_of(root.id) {
        if let Some(r) = d.ref_name() {
            refs.push(r.to_string());
        }
    }
    for img in images(g) {
        if let Some(p) = img.platform
            && !platforms.contains(&p)
        {
            platforms.push(p);
        }
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "refs in index.json: {}; platforms: {}",
        list(&refs),
        list(&platforms)
    )
}
