//! A registry's whole catalogue: `docker://HOST[:PORT]` with no repository.
//!
//! The catalogue (`GET /v2/_catalog`, every page) names the repositories; each one's tag list (`GET
//! /v2/<name>/tags/list`, every page) names its images; every tagged image is validated as `docker://HOST/REPO:TAG`
//! would be, with every rule. `--repos GLOB` and `--tags GLOB` narrow it ([`glob`]).
//!
//! **Memory.** Repositories are taken one at a time and, in each, images one at a time: an image's documents,
//! descriptors and layer facts are freed when its checks are done (and their memory given back to the run's
//! budget). What stays is the report (its findings and its `images` list, a few facts per image), the files of the
//! current repository already reported on, and the run's cache of verified blobs ([`Shared`]): each blob is
//! fetched once per run however many images and repositories reference it; only a `HEAD` is sent for it in each
//! repository (a registry may hold content that a repository does not link to).
//!
//! **Order and shards.** The repositories that pass `--repos` are numbered `k` = 0, 1, … in catalogue order;
//! `--shard I/N` takes those with `k mod N = I`, as a layout's shards take the entries of `index.json`. A
//! repository's images are validated in the (byte) order of their tags; two tags of one manifest validate it once.
//! A file's place in the report is `(k, the order the repository's walks first met it)`, the same in a shard as in
//! the whole run, so `ocicheck merge` of the shards sorts their findings as one run does. Within a repository, an
//! image reports only on the files no earlier image of it reached, as a layout's images do with `--format jsonl`.
//!
//! **What is not checked.** A tag list that fails, or a listed tag whose manifest cannot be fetched, is a REG007
//! error (the registry listed what it did not serve) and an entry of `not_validated`; a tag list of the wrong
//! shape is REG013. A catalogue that cannot be read whole stops the run (exit 2): it is not in the distribution
//! spec, so no finding can say what is wrong with it, and repositories it did not list were not checked.

pub mod glob;
pub mod listing;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::report::{
    self, Finding, LimitHit, NotListed, NotValidated, NotValidatedItem, Report, Summary,
};
use crate::select::ImageRef;
use crate::shard::Image;
use crate::source::registry::client::Client;
use crate::source::registry::reference::Registry;
use crate::source::registry::shared::Shared;
use crate::source::registry::{self as reg, Endpoint, Exchange, Method, Reference, Served};
use crate::steps::{Event, Resume};
use crate::{Error, Options};

pub use glob::Glob;

/// `--repos`, `--tags`, `--page-size`: what a catalogue run covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub repos: Vec<Glob>,
    pub tags: Vec<Glob>,
    /// `n` of each catalogue and tag-list request (`None`: the registry's own page size).
    pub page_size: Option<u32>,
}

/// A repository's rank in the report order is `k * RANK_STRIDE`; its files' ranks follow it (saturating: on a
/// 32-bit machine, past 255 repositories, the order of the rest is by name alone).
const RANK_STRIDE: usize = 1 << 24;

/// What one step of the run (an image, or a repository's tag list) hands out.
struct Unit {
    image: Image,
    findings: Vec<Finding>,
    notes: Vec<NotListed>,
    images: Vec<ImageRef>,
    not_validated: Vec<NotValidatedItem>,
    /// The limits that kept part of it from being checked (the first ones), and how many in all.
    limits: (Vec<LimitHit>, usize),
    /// The report rank of each file its findings and images are located in.
    order: Vec<(String, usize)>,
}

/// Whether a command-line input names a registry's catalogue (`docker://HOST[:PORT]`, nothing after the host).
pub fn catalogue_of(path: &std::path::Path) -> Option<Result<Registry, String>> {
    let rest = path.to_str()?.strip_prefix("docker://")?;
    reg::reference::catalogue(rest)
}

/// Validate every image of a registry's catalogue (within `--repos`, `--tags` and `--shard`): one report.
pub fn validate_catalogue(registry: Registry, opts: &Options) -> Result<Report, Error> {
    let opts = &opts.start_clock();
    let display = format!("docker://{}", registry.name);
    let mut all = Collected::default();
    walk(&registry, opts, &Resume::default(), &mut |u| all.add(u))?;
    Ok(all.report(display, opts))
}

/// `--format jsonl`: the catalogue's findings image by image, as each image is done; `Ok(None)` when the input
/// is no catalogue.
pub fn stream(
    path: &std::path::Path,
    opts: &Options,
    resume: &Resume,
    emit: &mut dyn FnMut(Event),
) -> Result<Option<Summary>, Error> {
    let Some(registry) = catalogue_of(path) else {
        return Ok(None);
    };
    let registry = registry.map_err(Error::Usage)?;
    let opts = &opts.start_clock();
    let mut total = Summary::default();
    walk(&registry, opts, resume, &mut |u| {
        for f in &u.findings {
            emit(Event::Finding(Some(&u.image), f));
        }
        for n in &u.notes {
            emit(Event::NotListed(Some(&u.image), n));
        }
        for l in &u.limits.0 {
            emit(Event::Limit(Some(&u.image), l));
        }
        let s = Report::summarize(&u.findings, &u.notes);
        emit(Event::Done(Some(&u.image), &s));
        total = Summary::sum([&total, &s]);
    })?;
    Ok(Some(total))
}

/// The run itself: each unit to `sink` as it is done.
fn walk(
    registry: &Registry,
    opts: &Options,
    resume: &Resume,
    sink: &mut dyn FnMut(Unit),
) -> Result<(), Error> {
    let display = format!("docker://{}", registry.name);
    if !opts.select.refs.is_empty() {
        return Err(Error::Usage(format!(
            "{}: picks index.json entries by name; in {display} the images are picked by --repos and --tags",
            opts.select.describe()
        )));
    }
    let io = |m: String| Error::Io(display.clone(), std::io::Error::other(m));
    let client = Arc::new(reg::connect(registry, "", opts).map_err(|e| io(e.0))?);
    let shared = Arc::new(Shared::new(opts.budget()));
    let run = Run {
        registry,
        client: client.clone(),
        shared,
        opts,
        resume,
    };
    let filter = &opts.remote.catalog;
    let mut pages = listing::Catalogue::new(&client, filter.page_size);
    let mut k = 0usize;
    let mut position = 0usize;
    while let Some(names) = pages.page().map_err(io)? {
        for name in names {
            if !glob::any(&filter.repos, &name) {
                continue;
            }
            let mine = opts.shard.is_none_or(|s| s.of_entry(k) == s.index);
            if mine {
                run.repository(&name, k, &mut position, sink);
            }
            k += 1;
        }
    }
    Ok(())
}

struct Run<'a> {
    registry: &'a Registry,
    client: Arc<Client>,
    shared: Arc<Shared>,
    opts: &'a Options,
    resume: &'a Resume,
}

/// What one repository's images have reported so far.
#[derive(Default)]
struct RepoState {
    /// Files an image of it reached (later images do not report on them again).
    reported: HashSet<String>,
    /// Each file's rank within the repository, in the order its walks first met it (from 1: 0 is the tag list's).
    ranks: HashMap<String, usize>,
    /// The images each manifest a tag names was validated as (a second tag only adds its name).
    roots: HashMap<String, Vec<ImageRef>>,
}

impl RepoState {
    fn rank(&mut self, file: &str) -> usize {
        let n = (self.ranks.len() + 1).min(RANK_STRIDE - 1);
        *self.ranks.entry(file.to_string()).or_insert(n)
    }
}

impl Run<'_> {
    fn repository(&self, name: &str, k: usize, position: &mut usize, sink: &mut dyn FnMut(Unit)) {
        let filter = &self.opts.remote.catalog;
        let mut exchanges = Vec::new();
        let mut tags = listing::tags(&self.client, name, filter.page_size, &mut exchanges);
        tags.retain(|t| glob::any(&filter.tags, t));
        tags.sort();
        tags.dedup();
        let base = k.saturating_mul(RANK_STRIDE);
        let url = format!("docker://{}/{name}", self.registry.name);
        let mut state = RepoState::default();
        let mut failed: Vec<NotValidatedItem> = Vec::new();
        for tag in &tags {
            let pos = *position;
            *position += 1;
            let reference = Reference {
                registry: self.registry.clone(),
                repository: name.to_string(),
                tag: Some(tag.clone()),
                digest: None,
            };
            let src = match reg::RegistrySource::open_with(
                reference,
                self.client.clone(),
                Some(self.shared.clone()),
                self.opts,
            ) {
                Ok(s) => s,
                Err(e) => {
                    let mut x = Exchange::new(
                        Method::Get,
                        Endpoint::Manifest,
                        format!("manifests/{tag}"),
                        tag.clone(),
                    );
                    x.failure = Some(e.0.clone());
                    exchanges.push(x);
                    failed.push(NotValidatedItem {
                        kind: "image",
                        file: format!("{url}:{tag}"),
                        via: Vec::new(),
                        reason: e.0,
                    });
                    continue;
                }
            };
            let digest = crate::source::Source::root(&src)
                .and_then(|r| r.digest)
                .map(|d| d.to_string());
            let image = Image {
                position: pos,
                digest: digest.clone(),
                ref_name: Some(format!("{name}:{tag}")),
                files: Vec::new(),
            };
            if let Some(earlier) = digest.as_ref().and_then(|d| state.roots.get(d)) {
                // Another tag of a manifest validated already: only its name is new.
                let images: Vec<ImageRef> = earlier
                    .iter()
                    .map(|i| ImageRef {
                        tags: vec![tag.clone()],
                        ..i.clone()
                    })
                    .collect();
                let order = images
                    .iter()
                    .map(|i| (i.file.to_string(), base.saturating_add(state.rank(&i.file))))
                    .collect();
                sink(Unit {
                    image,
                    findings: Vec::new(),
                    notes: Vec::new(),
                    images,
                    not_validated: Vec::new(),
                    limits: (Vec::new(), 0),
                    order,
                });
                continue;
            }
            if self.resume.done.contains(&(pos, digest.clone())) {
                continue;
            }
            let checked = crate::remote::check_image(&src, self.opts);
            drop(src);
            self.shared.release_image();
            // Nothing of it matches --platform/--digest: not validated, as a layout's images left out by them.
            let Ok((report, files)) = checked else {
                continue;
            };
            let unit = self.unit(report, files, image, name, tag, base, &mut state);
            if let Some(d) = &digest {
                state.roots.insert(d.clone(), unit.images.clone());
            }
            sink(unit);
        }
        // The tag list's own findings (and those of listed tags that were not served), after the images.
        let pos = *position;
        *position += 1;
        if self.resume.done.contains(&(pos, None)) {
            return;
        }
        let listed = Image {
            position: pos,
            digest: None,
            ref_name: Some(name.to_string()),
            files: Vec::new(),
        };
        sink(self.tag_list_unit(name, &url, exchanges, failed, listed, base));
    }

    #[allow(clippy::too_many_arguments)]
    fn unit(
        &self,
        report: Report,
        files: Vec<String>,
        image: Image,
        name: &str,
        tag: &str,
        base: usize,
        state: &mut RepoState,
    ) -> Unit {
        let new = |f: &str| !state.reported.contains(f);
        // Limits stay, wherever they are: what they kept from being checked was not checked for this image either.
        let limits = report
            .incomplete
            .map_or((Vec::new(), 0), |i| (i.limits, i.count));
        let findings: Vec<Finding> = report
            .findings
            .into_iter()
            .filter(|f| new(&f.location.file))
            .collect();
        let notes: Vec<NotListed> = report
            .not_listed
            .into_iter()
            .filter(|n| new(&n.file))
            .collect();
        for f in &files {
            state.rank(f);
        }
        let images: Vec<ImageRef> = report
            .images
            .unwrap_or_default()
            .into_iter()
            .map(|i| ImageRef {
                repository: Some(name.to_string()),
                tags: vec![tag.to_string()],
                ..i
            })
            .collect();
        let mut order: Vec<(String, usize)> = findings
            .iter()
            .map(|f| f.location.file.as_str())
            .chain(notes.iter().map(|n| n.file.as_str()))
            .chain(images.iter().map(|i| &*i.file))
            .map(|f| (f.to_string(), base.saturating_add(state.rank(f))))
            .collect();
        order.sort();
        order.dedup();
        state.reported.extend(files);
        Unit {
            image,
            findings,
            notes,
            images,
            not_validated: Vec::new(),
            limits,
            order,
        }
    }

    /// The REG rules over a repository's tag list exchanges (and the failed fetches of the tags it listed).
    fn tag_list_unit(
        &self,
        name: &str,
        url: &str,
        exchanges: Vec<Exchange>,
        mut failed: Vec<NotValidatedItem>,
        image: Image,
        base: usize,
    ) -> Unit {
        if let Some(why) = exchanges
            .iter()
            .filter(|e| e.endpoint == Endpoint::Tags)
            .find_map(|e| e.failure.clone())
        {
            failed.insert(
                0,
                NotValidatedItem {
                    kind: "repository",
                    file: url.to_string(),
                    via: Vec::new(),
                    reason: format!("its tag list could not be read whole: {why}"),
                },
            );
        }
        let mut g = crate::walk::Graph {
            registry: Some(Served {
                repository_url: url.to_string(),
                repository: name.to_string(),
                exchanges,
            }),
            ..Default::default()
        };
        let crate::Checked {
            mut findings,
            not_listed: mut notes,
            limits,
            limits_total,
        } = crate::run_checks(
            &mut g,
            Some(&[]),
            None,
            crate::Verify::Done,
            self.opts,
            None,
        );
        let shown = |p: &mut String| *p = repo_display(self.client.base(), url, name, p);
        for f in &mut findings {
            shown(&mut f.location.file);
        }
        for n in &mut notes {
            shown(&mut n.file);
        }
        let mut order: Vec<(String, usize)> = findings
            .iter()
            .map(|f| (f.location.file.clone(), base))
            .chain(notes.iter().map(|n| (n.file.clone(), base)))
            .collect();
        order.sort();
        order.dedup();
        Unit {
            image,
            findings,
            notes,
            images: Vec::new(),
            not_validated: failed,
            limits: (limits, limits_total),
            order,
        }
    }
}

/// How a repository-level file is named in a report: its tag list by its API URL, a tag as `docker://host/repo:tag`.
fn repo_display(api: &str, url: &str, name: &str, file: &str) -> String {
    if file == reg::TAGS_FILE {
        format!("{api}/v2/{name}/tags/list")
    } else if let Some(tag) = file.strip_prefix("manifests/") {
        format!("{url}:{tag}")
    } else {
        file.to_string()
    }
}

/// The units of a run gathered into one report.
#[derive(Default)]
struct Collected {
    findings: Vec<Finding>,
    notes: Vec<NotListed>,
    images: Vec<ImageRef>,
    not_validated: Vec<NotValidatedItem>,
    limits: Vec<LimitHit>,
    limits_total: usize,
    order: HashMap<String, usize>,
}

impl Collected {
    fn add(&mut self, u: Unit) {
        // Ranks only for the files the report lists (findings, notes, limits, the images' own files): a
        // catalogue's configs and layers with nothing to report need none, and kept they grew with the images.
        let listed: std::collections::HashSet<&str> = u
            .findings
            .iter()
            .map(|f| f.location.file.as_str())
            .chain(u.notes.iter().map(|n| n.file.as_str()))
            .chain(u.limits.0.iter().map(|l| l.file.as_str()))
            .chain(u.images.iter().map(|i| &*i.file))
            .collect();
        for (f, r) in u.order.iter().filter(|(f, _)| listed.contains(f.as_str())) {
            self.order.entry(f.clone()).or_insert(*r);
        }
        self.findings.extend(u.findings);
        self.notes.extend(u.notes);
        self.images.extend(u.images);
        self.not_validated.extend(u.not_validated);
        // A limit that two images hit (a blob they share) is one.
        let (limits, count) = u.limits;
        let mut repeated = 0;
        for l in limits {
            if self.limits.contains(&l) {
                repeated += 1;
            } else if self.limits.len() < crate::check::MAX_LIMIT_HITS {
                self.limits.push(l);
            }
        }
        self.limits_total += count.saturating_sub(repeated);
    }

    fn report(self, display: String, opts: &Options) -> Report {
        let g = crate::walk::Graph {
            file_order: self.order.into_iter().map(|(f, r)| (f.into(), r)).collect(),
            ..Default::default()
        };
        let mut report = crate::finish(
            report::Input {
                path: display,
                kind: "registry",
                media_type: None,
                media_type_source: None,
            },
            crate::Checked {
                findings: self.findings,
                not_listed: self.notes,
                limits: self.limits,
                limits_total: self.limits_total,
            },
            &g,
            opts,
        );
        report.contents = None;
        let rank = |f: &str| g.rank(f).unwrap_or(usize::MAX);
        // As `ocicheck merge` orders them; one entry per image, with all its tags.
        let mut images = self.images;
        images.sort_by(|a, b| {
            (rank(&a.file), &a.file, &a.via).cmp(&(rank(&b.file), &b.file, &b.via))
        });
        let mut merged: Vec<ImageRef> = Vec::with_capacity(images.len());
        for i in images {
            match merged.last_mut() {
                Some(m) if m.file == i.file && m.via == i.via => {
                    m.tags.extend(i.tags);
                    m.tags.sort();
                    m.tags.dedup();
                }
                _ => merged.push(i),
            }
        }
        if !self.not_validated.is_empty() {
            let items = self.not_validated;
            report.not_validated = Some(NotValidated {
                images_validated: merged.len(),
                images_not_validated: items.iter().filter(|i| i.kind == "image").count(),
                blobs_not_validated: items.iter().filter(|i| i.kind == "blob").count(),
                items,
            });
        }
        if let Some(s) = opts.shard {
            let order: BTreeMap<String, usize> = report
                .findings
                .iter()
                .map(|f| f.location.file.as_str())
                .chain(report.not_listed.iter().map(|n| n.file.as_str()))
                .chain(merged.iter().map(|i| &*i.file))
                .filter_map(|f| g.rank(f).map(|r| (f.to_string(), r)))
                .collect();
            report.shard = Some(report::ShardInfo {
                index: s.index,
                count: s.count,
                order,
            });
        }
        report.images = Some(merged);
        report.images_selected = opts.shard.is_some() || !opts.select.is_empty();
        report
    }
}
