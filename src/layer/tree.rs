//! Applying the layers of an image in order over an in-memory tree of paths: names, kinds and link targets only,
//! never contents. This shows what no single layer can: whiteouts of paths that do not exist below, hard links
//! whose target is neither earlier in the layer nor a file below, and entries written through a symbolic link
//! that leads outside the root.
//!
//! Semantics (layer.md § Applying Changesets, § Whiteouts): a layer's opaque whiteouts are applied first, then
//! its explicit whiteouts (which only apply to what lower layers hold), then its entries in archive order; an
//! entry that replaces a directory with something else removes what was below it.

use std::collections::{BTreeMap, HashMap};

use super::tar::{Kind, flag};
use super::{LayerFacts, tar};

/// Whiteout forms (layer.md § Whiteouts, § Opaque Whiteout).
pub const WHITEOUT_PREFIX: &str = ".wh.";
pub const OPAQUE: &str = ".wh..wh..opq";
/// Prefix of names reserved for whiteout metadata (AUFS used `.wh..wh.plnk`, `.wh..wh.aufs`, `.wh..wh.orph`).
pub const META_PREFIX: &str = ".wh..wh.";

/// What a basename means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whiteout<'a> {
    /// Not a whiteout.
    No,
    /// `.wh..wh..opq`: hides everything below its directory in lower layers.
    Opaque,
    /// `.wh.` followed by the name to delete.
    Explicit(&'a str),
    /// `.wh.` alone: no name to delete.
    Empty,
    /// `.wh..wh.` followed by something other than `.opq`: no meaning in the spec.
    Unknown,
}

pub fn classify(base: &str) -> Whiteout<'_> {
    if base == OPAQUE {
        Whiteout::Opaque
    } else if base.starts_with(META_PREFIX) {
        Whiteout::Unknown
    } else if let Some(rest) = base.strip_prefix(WHITEOUT_PREFIX) {
        if rest.is_empty() {
            Whiteout::Empty
        } else {
            Whiteout::Explicit(rest)
        }
    } else {
        Whiteout::No
    }
}

/// Join a parent path and a name (`""` is the root).
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

/// A finding of the replay: layer index (in the manifest), entry index (in that layer's facts) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub layer: usize,
    pub entry: usize,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// An explicit whiteout names a path that no lower layer holds (after the layer's opaque whiteouts).
    WhiteoutTargetMissing { target: String },
    /// A hard link's target is not an earlier entry of the layer nor a file in a lower layer.
    HardlinkTargetMissing { target: String },
    /// A hard link points at a directory.
    HardlinkToDirectory { target: String },
    /// The entry's path (or, for a whiteout, the path it deletes) goes through a symbolic link whose target leads
    /// outside the root.
    ThroughSymlink(Escape),
    /// The entry (or whiteout) is below a path that, when it is met, is not a directory: a regular file, device,
    /// FIFO … made by `parent_layer` (the same layer or a lower one).
    BelowNonDirectory {
        parent: String,
        kind: Kind,
        parent_layer: usize,
    },
}

/// A path that leaves the root through a symbolic link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escape {
    /// The symbolic link's path and target, and the layer that made it.
    pub link: String,
    pub target: String,
    pub link_layer: usize,
    /// Where the path leads when the link is followed: an absolute path on the host (`/etc/passwd`), or a path
    /// relative to the root that climbs above it (`../../etc/passwd`).
    pub leads_to: String,
    /// What the entry is, when it is a whiteout (then it deletes what it leads to).
    pub whiteout: Option<WhiteoutForm>,
}

/// The two whiteout forms, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteoutForm {
    Explicit,
    Opaque,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    kind: Kind,
    /// The entry that made it, as (layer, entry) indices: where a symbolic link's target is read from. Eight
    /// bytes a node, with the kind.
    layer: u16,
    entry: u32,
}

/// The replay of one image.
#[derive(Debug, Default)]
pub struct Stack {
    pub events: Vec<Event>,
    /// Layers replayed (the replay stops before the first layer whose entry list is missing or incomplete, since
    /// everything above it would be judged against a wrong tree).
    pub replayed: usize,
    /// Why the replay stopped early, when a limit stopped it (the node limit, the run's time limit; not when a
    /// layer was missing): the layers from `replayed` on were not checked against the ones below.
    pub stopped: Option<String>,
}

impl Stack {
    /// The events of `layers[layer]` (events are in layer order).
    pub fn events_of(&self, layer: usize) -> &[Event] {
        let lo = self.events.partition_point(|e| e.layer < layer);
        let hi = self.events.partition_point(|e| e.layer <= layer);
        &self.events[lo..hi]
    }
}

/// Lexically resolve a symbolic link at `at` with `target` as an extractor that follows it would: `None` if it
/// leads outside the root (an absolute target, or `..` above the root), else the normalised path.
fn resolve(at: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = tar::parent(at)
        .split('/')
        .filter(|c| !c.is_empty())
        .collect();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// Where `rest`, below the symbolic link at `at` whose `target` leaves the root, ends up: an absolute path, or a
/// path relative to the root that starts with the `..` that climb above it.
fn leads_to(at: &str, target: &str, rest: &str) -> String {
    let absolute = target.starts_with('/');
    let mut parts: Vec<&str> = if absolute {
        Vec::new()
    } else {
        tar::parent(at)
            .split('/')
            .filter(|c| !c.is_empty())
            .collect()
    };
    let mut above = 0usize;
    for c in target.split('/').chain(rest.split('/')) {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() && !absolute {
                    above += 1;
                }
            }
            c => parts.push(c),
        }
    }
    let tail = parts.join("/");
    if absolute {
        format!("/{tail}")
    } else {
        let mut s = "../".repeat(above);
        s.push_str(&tail);
        s.trim_end_matches('/').to_string()
    }
}

/// What a whiteout named `base` deletes, given where its own path leads (`/etc/.wh.passwd` → `/etc/passwd`; an
/// opaque whiteout `/etc/.wh..wh..opq` → everything in `/etc`, given as `/etc`).
fn deleted(leads_to: &str, base: &str) -> String {
    let dir = match leads_to.rsplit_once('/') {
        Some(("", _)) if leads_to.starts_with('/') => "/",
        Some((d, _)) => d,
        None => "",
    };
    match classify(base) {
        Whiteout::Explicit(name) if dir == "/" => format!("/{name}"),
        Whiteout::Explicit(name) => join(dir, name),
        _ => dir.to_string(),
    }
}

/// The most nodes (paths, with the parent directories they imply) a replay holds: a bound on its memory (about
/// 40 bytes a node) whatever the layers, past which the replay stops and says so (see [`Stack::stopped`]).
pub const MAX_NODES: usize = 4_000_000;

/// How [`Stack::stopped`] begins when the run's time limit stopped the replay.
pub const TIME_STOP: &str = "the run's time limit stopped the replay of the layers";

/// The tree of paths, one node per path component, so that walking a path costs its length whatever its depth
/// (looking up every prefix of a path as a string costs the square of its length, which a layer of a few very deep
/// names turns into hours). Component names are interned and borrowed from the layers' name arenas.
struct Tree<'a> {
    /// Node 0 is the root.
    nodes: Vec<Node>,
    /// Interned component names.
    names: HashMap<&'a str, u32>,
    /// (parent node, name) → child node.
    children: BTreeMap<(u32, u32), u32>,
    layers: &'a [Option<&'a LayerFacts>],
    /// [`MAX_NODES`], lowered in tests.
    max_nodes: usize,
}

const ROOT: u32 = 0;

/// What a walk down a path found: the node of the path, or where the walk stopped.
enum Walk {
    /// The node of the path itself.
    Found(u32),
    /// Some component does not exist.
    Missing,
}

impl<'a> Tree<'a> {
    fn new(layers: &'a [Option<&'a LayerFacts>]) -> Tree<'a> {
        Tree {
            nodes: vec![Node {
                kind: Kind::Dir,
                layer: 0,
                entry: u32::MAX,
            }],
            names: HashMap::new(),
            children: BTreeMap::new(),
            layers,
            max_nodes: MAX_NODES,
        }
    }

    fn child(&self, parent: u32, name: &str) -> Option<u32> {
        let n = *self.names.get(name)?;
        self.children.get(&(parent, n)).copied()
    }

    /// The node of `path`, following no link.
    fn walk(&self, path: &str) -> Walk {
        if path.is_empty() {
            return Walk::Found(ROOT);
        }
        let mut at = ROOT;
        for c in path.split('/') {
            match self.child(at, c) {
                Some(n) => at = n,
                None => return Walk::Missing,
            }
        }
        Walk::Found(at)
    }

    fn get(&self, path: &str) -> Option<&Node> {
        match self.walk(path) {
            Walk::Found(n) if n != ROOT => self.nodes.get(n as usize),
            _ => None,
        }
    }

    fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Remove the children of a node, and theirs.
    fn drop_children(&mut self, node: u32) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            let kids: Vec<((u32, u32), u32)> = self
                .children
                .range((n, 0)..=(n, u32::MAX))
                .map(|(k, v)| (*k, *v))
                .collect();
            for (k, v) in kids {
                self.children.remove(&k);
                stack.push(v);
            }
        }
    }

    /// Remove `path` and everything below it.
    fn remove_all(&mut self, path: &str) {
        if path.is_empty() {
            self.drop_children(ROOT);
            return;
        }
        let (parent, name) = match path.rsplit_once('/') {
            Some((p, n)) => (p, n),
            None => ("", path),
        };
        let (Walk::Found(p), Some(&n)) = (self.walk(parent), self.names.get(name)) else {
            return;
        };
        if let Some(node) = self.children.remove(&(p, n)) {
            self.drop_children(node);
        }
    }

    /// Remove everything below `path` (not `path` itself). The root is `""`.
    fn remove_below(&mut self, path: &str) {
        if let Walk::Found(n) = self.walk(path) {
            self.drop_children(n);
        }
    }

    /// Make `path` the given node, with the directories above it that do not exist yet. `false` when the tree
    /// is full ([`MAX_NODES`]).
    fn set(&mut self, path: &'a str, node: Node) -> bool {
        let mut at = ROOT;
        for c in path.split('/') {
            let name = match self.names.get(c) {
                Some(&n) => n,
                None => {
                    let Ok(n) = u32::try_from(self.names.len()) else {
                        return false;
                    };
                    self.names.insert(c, n);
                    n
                }
            };
            at = match self.children.get(&(at, name)) {
                Some(&n) => n,
                None => {
                    if self.nodes.len() >= self.max_nodes {
                        return false;
                    }
                    let Ok(n) = u32::try_from(self.nodes.len()) else {
                        return false;
                    };
                    self.nodes.push(Node {
                        kind: Kind::Dir,
                        layer: 0,
                        entry: u32::MAX,
                    });
                    self.children.insert((at, name), n);
                    n
                }
            };
        }
        if let Some(slot) = self.nodes.get_mut(at as usize) {
            *slot = node;
        }
        true
    }

    /// The first ancestor of `path` that is a symbolic link leading outside the root, following symbolic links
    /// on the way (at most 40, like the kernel).
    fn escaping_ancestor(&self, path: &str) -> Option<Escape> {
        self.follow(path).err()
    }

    /// `path` with the symbolic links among its ancestors followed (at most 40, like the kernel), or where it
    /// leaves the root.
    fn follow<'p>(&self, path: &'p str) -> Result<std::borrow::Cow<'p, str>, Escape> {
        // The common case allocates nothing: only a symbolic link on the way makes a new path to continue from.
        let mut current = std::borrow::Cow::Borrowed(path);
        for _ in 0..40 {
            let mut at = ROOT;
            let mut redirected = None;
            let mut start = 0;
            // Every component but the last: a link there is followed.
            while let Some(len) = current[start..].find('/') {
                let end = start + len;
                let Some(n) = self.child(at, &current[start..end]) else {
                    break;
                };
                let node = &self.nodes[n as usize];
                if node.kind == Kind::Symlink {
                    let prefix = &current[..end];
                    let target = self.link_of(node);
                    let rest = &current[end + 1..];
                    match resolve(prefix, target) {
                        None => {
                            return Err(Escape {
                                link: prefix.to_string(),
                                target: target.to_string(),
                                link_layer: usize::from(node.layer),
                                leads_to: leads_to(prefix, target, rest),
                                whiteout: None,
                            });
                        }
                        Some(r) => {
                            redirected = Some(join(&r, rest));
                            break;
                        }
                    }
                }
                at = n;
                start = end + 1;
            }
            match redirected {
                Some(next) if next != *current => current = std::borrow::Cow::Owned(next),
                _ => break,
            }
        }
        Ok(current)
    }

    /// The topmost ancestor of `path` that is neither a directory nor a symbolic link (whose target decides), as
    /// the tree holds it now.
    fn non_directory_ancestor(&self, path: &str) -> Option<(String, Node)> {
        let mut at = ROOT;
        let mut start = 0;
        while let Some(len) = path[start..].find('/') {
            let end = start + len;
            let n = self.child(at, &path[start..end])?;
            let node = &self.nodes[n as usize];
            match node.kind {
                Kind::Dir => {}
                // Beyond a symbolic link, the lexical ancestors say nothing.
                Kind::Symlink => return None,
                _ => return Some((path[..end].to_string(), node.clone())),
            }
            at = n;
            start = end + 1;
        }
        None
    }

    /// The target of the symbolic link a node was made by.
    fn link_of(&self, node: &Node) -> &'a str {
        let layers: &'a [Option<&'a LayerFacts>] = self.layers;
        layers
            .get(usize::from(node.layer))
            .copied()
            .flatten()
            .and_then(|f| {
                let t: &'a tar::TarFacts = &f.tar;
                t.entries.get(node.entry as usize).map(|e| t.link(e))
            })
            .unwrap_or_default()
    }
}

/// Apply the layers in order. `layers[i]` is `None` when layer `i` has no facts (blob missing, not a layer
/// media type this tool reads, unreadable).
pub fn replay(layers: &[Option<&LayerFacts>]) -> Stack {
    replay_until(layers, None)
}

/// [`replay`], stopping before the next layer once `deadline` has passed (a manifest may name a large layer
/// thousands of times).
pub fn replay_until(layers: &[Option<&LayerFacts>], deadline: Option<std::time::Instant>) -> Stack {
    replay_limited(layers, MAX_NODES, deadline)
}

fn replay_limited(
    layers: &[Option<&LayerFacts>],
    max_nodes: usize,
    deadline: Option<std::time::Instant>,
) -> Stack {
    let mut tree = Tree::new(layers);
    tree.max_nodes = max_nodes;
    let mut stack = Stack::default();
    for (li, facts) in layers.iter().enumerate() {
        let Some(facts) = *facts else { break };
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            stack.stopped = Some(format!("{TIME_STOP} before layers[{li}]"));
            break;
        }
        if let Err(why) = replay_layer(&mut tree, &mut stack, li, facts) {
            stack.stopped = Some(why);
            break;
        }
        stack.replayed = li + 1;
        if !facts.complete() {
            break;
        }
    }
    stack
}

/// Apply one layer: its whiteouts against what the lower layers hold, then its entries in archive order.
fn replay_layer<'a>(
    tree: &mut Tree<'a>,
    stack: &mut Stack,
    li: usize,
    facts: &'a LayerFacts,
) -> Result<(), String> {
    let t: &'a tar::TarFacts = &facts.tar;
    let usable = |e: &tar::Entry| !e.has(flag::ESCAPES);
    let whiteout_form = |p: &str| match classify(tar::basename(p)) {
        Whiteout::Explicit(_) => Some(WhiteoutForm::Explicit),
        Whiteout::Opaque => Some(WhiteoutForm::Opaque),
        _ => None,
    };
    // Whiteouts that lead outside the root (or, further down, entries below a non-directory), by entry index:
    // reported once, and never applied.
    let mut escaped: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let escape = |stack: &mut Stack,
                  escaped: &mut std::collections::HashSet<usize>,
                  ei: usize,
                  esc: Escape,
                  p: &str| {
        let form = match classify(tar::basename(p)) {
            Whiteout::Opaque => WhiteoutForm::Opaque,
            _ => WhiteoutForm::Explicit,
        };
        escaped.insert(ei);
        stack.events.push(Event {
            layer: li,
            entry: ei,
            what: What::ThroughSymlink(Escape {
                whiteout: Some(form),
                leads_to: deleted(&esc.leads_to, tar::basename(p)),
                ..esc
            }),
        });
    };
    // 1. Explicit whiteouts name what the lower layers hold (before this layer's opaque whiteouts, which may hide
    //    the same path: redundant, not wrong), through the symbolic links the lower layers made.
    let mut hidden: Vec<String> = Vec::new();
    let mut opaque: Vec<String> = Vec::new();
    // Whiteouts of nothing, reported after the entries unless the whiteout turns out to be worse (through a link
    // that leaves the root, or below a non-directory), which explains why its target is not there.
    let mut missing: Vec<Event> = Vec::new();
    for (ei, e) in t.entries.iter().enumerate().filter(|(_, e)| usable(e)) {
        let p = t.path(e);
        match classify(tar::basename(p)) {
            Whiteout::Explicit(name) => match tree.follow(p) {
                Err(esc) => escape(stack, &mut escaped, ei, esc, p),
                Ok(resolved) => {
                    let target = join(tar::parent(&resolved), name);
                    if tree.contains(&target) {
                        hidden.push(target);
                    } else {
                        missing.push(Event {
                            layer: li,
                            entry: ei,
                            what: What::WhiteoutTargetMissing {
                                target: join(tar::parent(p), name),
                            },
                        });
                    }
                }
            },
            Whiteout::Opaque => match tree.follow(p) {
                Err(esc) => escape(stack, &mut escaped, ei, esc, p),
                Ok(resolved) => opaque.push(tar::parent(&resolved).to_string()),
            },
            _ => {}
        }
    }
    // 2. Opaque whiteouts, whatever their position in the archive, then the explicit ones.
    for dir in opaque {
        tree.remove_below(&dir);
    }
    for target in hidden {
        tree.remove_all(&target);
    }
    // 3. The entries, in order; whiteouts are checked at their place too (an unpacker that applies them as it
    //    meets them goes through what the layer made before them), but change nothing.
    for (ei, e) in t.entries.iter().enumerate().filter(|(_, e)| usable(e)) {
        let p = t.path(e);
        if p.is_empty() {
            continue;
        }
        let form = whiteout_form(p);
        if classify(tar::basename(p)) != Whiteout::No && form.is_none() {
            continue;
        }
        if let Some(esc) = tree.escaping_ancestor(p) {
            match form {
                Some(_) if !escaped.contains(&ei) => escape(stack, &mut escaped, ei, esc, p),
                Some(_) => {}
                None => stack.events.push(Event {
                    layer: li,
                    entry: ei,
                    what: What::ThroughSymlink(esc),
                }),
            }
            continue;
        }
        if let Some((parent, node)) = tree.non_directory_ancestor(p) {
            escaped.insert(ei);
            stack.events.push(Event {
                layer: li,
                entry: ei,
                what: What::BelowNonDirectory {
                    parent,
                    kind: node.kind,
                    parent_layer: usize::from(node.layer),
                },
            });
        }
        if form.is_some() {
            continue;
        }
        if e.kind == Kind::Hardlink && !e.has(flag::MISSING_LINK) && !e.has(flag::LINK_ESCAPES) {
            let target = t.link_path(e);
            match tree.get(target) {
                Some(n) if n.kind == Kind::Dir => stack.events.push(Event {
                    layer: li,
                    entry: ei,
                    what: What::HardlinkToDirectory {
                        target: target.to_string(),
                    },
                }),
                Some(_) => {}
                None => stack.events.push(Event {
                    layer: li,
                    entry: ei,
                    what: What::HardlinkTargetMissing {
                        target: target.to_string(),
                    },
                }),
            }
        }
        let kind = match e.kind {
            // A hard link is another name for its target: a file of the same kind.
            Kind::Hardlink => tree.get(t.link_path(e)).map_or(Kind::File, |n| n.kind),
            k => k,
        };
        let replaces_dir = tree
            .get(p)
            .is_some_and(|n| n.kind == Kind::Dir && kind != Kind::Dir);
        if replaces_dir {
            tree.remove_below(p);
        }
        // A symbolic link whose (layer, entry) indices do not fit is kept as a plain file: layer counts past
        // 65535 and entry counts past 2^32 are beyond the caps of the tar reader anyway.
        let (kind, layer, entry) = match (u16::try_from(li), u32::try_from(ei)) {
            (Ok(l), Ok(i)) => (kind, l, i),
            _ => (
                if kind == Kind::Symlink {
                    Kind::File
                } else {
                    kind
                },
                0,
                u32::MAX,
            ),
        };
        if !tree.set(p, Node { kind, layer, entry }) {
            return Err(format!(
                "the cross-layer checks stopped at layers[{li}]: the layers hold more than {} paths",
                tree.max_nodes
            ));
        }
    }
    stack.events.extend(
        missing
            .into_iter()
            .filter(|ev| !escaped.contains(&ev.entry)),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::tar::{self as w, TarEntry, TarOptions};
    use crate::layer::{Limits, Request, scan};
    use crate::mediatype::Compression;

    fn e(path: &str, kind: &str, link: Option<&str>) -> TarEntry {
        TarEntry {
            path: path.into(),
            kind: Some(kind.into()),
            link: link.map(str::to_string),
            ..TarEntry::default()
        }
    }

    fn facts(entries: &[TarEntry]) -> LayerFacts {
        let raw = w::write(entries, &TarOptions::default());
        let req = Request {
            declared: Compression::None,
            blob_algorithm: None,
            diff_algorithms: Vec::new(),
            limits: Limits::default(),
            budget: None,
        };
        scan(&raw[..], &req).facts.expect("facts")
    }

    #[test]
    fn whiteout_names() {
        assert_eq!(classify(".wh..wh..opq"), Whiteout::Opaque);
        assert_eq!(classify(".wh.x"), Whiteout::Explicit("x"));
        assert_eq!(classify(".wh."), Whiteout::Empty);
        assert_eq!(classify(".wh..wh.plnk"), Whiteout::Unknown);
        assert_eq!(classify("x.wh."), Whiteout::No);
    }

    #[test]
    fn whiteouts_and_hardlinks_across_layers() {
        let base = facts(&[
            e("a/", "dir", None),
            e("a/f", "file", None),
            e("b/", "dir", None),
            e("b/g", "file", None),
            e("c/", "dir", None),
            e("c/h", "file", None),
        ]);
        let top = facts(&[
            e("a/.wh.f", "file", None),
            e("a/.wh.nothing", "file", None),
            e("b/.wh..wh..opq", "file", None),
            e("b/.wh.g", "file", None),
            e("link", "hardlink", Some("c/h")),
            e("bad", "hardlink", Some("a/f")),
            e("dir", "hardlink", Some("c")),
            e("new", "file", None),
            e("late", "hardlink", Some("new")),
            e("early", "hardlink", Some("later")),
            e("later", "file", None),
        ]);
        let s = replay(&[Some(&base), Some(&top)]);
        let mut got: Vec<(usize, &What)> = s.events.iter().map(|e| (e.entry, &e.what)).collect();
        got.sort_by_key(|(i, _)| *i);
        assert_eq!(
            got,
            vec![
                (
                    1,
                    &What::WhiteoutTargetMissing {
                        target: "a/nothing".into()
                    }
                ),
                (
                    5,
                    &What::HardlinkTargetMissing {
                        target: "a/f".into()
                    }
                ),
                (6, &What::HardlinkToDirectory { target: "c".into() }),
                (
                    9,
                    &What::HardlinkTargetMissing {
                        target: "later".into()
                    }
                ),
            ]
        );
        assert_eq!(s.replayed, 2);
    }

    #[test]
    fn symlinks_leading_out() {
        let base = facts(&[
            e("up", "symlink", Some("../../x")),
            e("abs", "symlink", Some("/etc")),
            e("lib", "symlink", Some("usr/lib")),
            e("loop", "symlink", Some("loop")),
        ]);
        let top = facts(&[
            e("up/f", "file", None),
            e("abs/passwd", "file", None),
            e("lib/ok", "file", None),
            e("loop/x", "file", None),
        ]);
        let s = replay(&[Some(&base), Some(&top)]);
        let got: Vec<usize> = s.events.iter().map(|e| e.entry).collect();
        assert_eq!(got, vec![0, 1]);
    }

    #[test]
    fn whiteouts_leading_out() {
        let base = facts(&[
            e("hostetc", "symlink", Some("/etc")),
            e("usr/", "dir", None),
            e("usr/lib/", "dir", None),
            e("usr/lib/x", "file", None),
            e("lib", "symlink", Some("usr/lib")),
        ]);
        let top = facts(&[
            e("hostetc/.wh.passwd", "file", None),
            e("hostetc/.wh..wh..opq", "file", None),
            e("up", "symlink", Some("../..")),
            e("up/.wh.shadow", "file", None),
            e("lib/.wh.x", "file", None),
        ]);
        let s = replay(&[Some(&base), Some(&top)]);
        let got: Vec<(usize, String, usize, String, Option<WhiteoutForm>)> = s
            .events
            .iter()
            .filter_map(|ev| match &ev.what {
                What::ThroughSymlink(x) => Some((
                    ev.entry,
                    x.link.clone(),
                    x.link_layer,
                    x.leads_to.clone(),
                    x.whiteout,
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    0,
                    "hostetc".into(),
                    0,
                    "/etc/passwd".into(),
                    Some(WhiteoutForm::Explicit)
                ),
                (
                    1,
                    "hostetc".into(),
                    0,
                    "/etc".into(),
                    Some(WhiteoutForm::Opaque)
                ),
                (
                    3,
                    "up".into(),
                    1,
                    "../../shadow".into(),
                    Some(WhiteoutForm::Explicit)
                ),
            ]
        );
        // The whiteout through the link that stays inside deletes usr/lib/x, which exists: no event at all.
        assert!(s.events.iter().all(|ev| ev.entry != 4), "{:?}", s.events);
    }

    #[test]
    fn entries_below_non_directories() {
        let base = facts(&[e("f", "file", None), e("d/", "dir", None)]);
        let top = facts(&[
            e("f/x", "file", None),
            e("g", "file", None),
            e("g/.wh.y", "file", None),
            e("d/ok", "file", None),
            e(".wh.f2", "file", None),
        ]);
        let s = replay(&[Some(&base), Some(&top)]);
        let got: Vec<(usize, String, usize)> = s
            .events
            .iter()
            .filter_map(|ev| match &ev.what {
                What::BelowNonDirectory {
                    parent,
                    parent_layer,
                    ..
                } => Some((ev.entry, parent.clone(), *parent_layer)),
                _ => None,
            })
            .collect();
        assert_eq!(got, vec![(0, "f".into(), 0), (2, "g".into(), 1)]);
        // A file replaced by a directory first is fine.
        let fix = facts(&[e("f/", "dir", None), e("f/x", "file", None)]);
        let s = replay(&[Some(&base), Some(&fix)]);
        assert!(s.events.is_empty(), "{:?}", s.events);
    }

    #[test]
    fn deep_names_cost_their_length_and_the_tree_is_bounded() {
        // Entries 5,000 directories deep (walking every prefix as a string costs the square of the depth; the
        // tree walks components).
        let deep = "d/".repeat(5_000);
        let entries: Vec<TarEntry> = (0..10)
            .map(|i| e(&format!("{deep}f{i}"), "file", None))
            .collect();
        let layer = facts(&entries);
        let s = replay(&[Some(&layer), Some(&layer)]);
        assert_eq!((s.replayed, s.stopped.is_none()), (2, true));
        // A tree that would outgrow its bound stops, and says so.
        let s = replay_limited(&[Some(&layer)], 1_000, None);
        assert_eq!(s.replayed, 0);
        assert!(
            s.stopped
                .is_some_and(|m| m.contains("more than 1000 paths"))
        );
    }
}
