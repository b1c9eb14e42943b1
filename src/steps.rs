//! A layout validated image by image (`--format jsonl`): after the walk, each image of `index.json` is one step
//! (its blobs verified, its documents checked, its findings handed out, then a line that says it is done), and the
//! layout-level checks are the last step. Findings reach the caller as each image finishes, not at the end, so a
//! run too large to hold one report still streams; a step whose image a previous run finished (`--resume`) is
//! skipped.
//!
//! An image reports on the files it reaches that no earlier image reached (each file once), but verifies every
//! blob it reaches that is not verified yet: its own checks need all of its layers, even one whose findings an
//! earlier (or resumed) image already gave.

use std::collections::{HashMap, HashSet};

use crate::report::{Finding, LimitHit, NotListed, Summary};
use crate::shard::{Image, Plan};
use crate::{Error, Options, source, walk};

/// What a step-by-step run hands out, in order.
pub enum Event<'a> {
    /// A finding of the image at `image` (its position in `index.json`), or of the layout (`None`).
    Finding(Option<&'a Image>, &'a Finding),
    /// Findings counted but not listed.
    NotListed(Option<&'a Image>, &'a NotListed),
    /// A limit that kept part of the image (or of the layout) from being checked: the run is incomplete.
    Limit(Option<&'a Image>, &'a LimitHit),
    /// All of an image's checks are done (`None`: the layout-level checks).
    Done(Option<&'a Image>, &'a Summary),
}

/// Which images a previous run finished (`--resume`): by position in `index.json` and digest.
#[derive(Debug, Default, Clone)]
pub struct Resume {
    pub done: HashSet<(usize, Option<String>)>,
    /// The layout-level checks were done too.
    pub layout: bool,
}

impl Resume {
    fn has(&self, i: &Image) -> bool {
        self.done.contains(&(i.position, i.digest.clone()))
    }
}

/// Validate a layout directory or an archive image by image. Any other input is not a layout: `Ok(None)`, and the
/// caller validates it whole.
pub fn validate_steps(
    path: &std::path::Path,
    opts: &Options,
    resume: &Resume,
    emit: &mut dyn FnMut(Event),
) -> Result<Option<Summary>, Error> {
    let opts = &opts.start_clock();
    let display = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::Io(display.clone(), e))?;
    if meta.is_dir() {
        if let Some(h) = crate::sniff::not_a_layout_dir(path, &display) {
            return Err(Error::Usage(h));
        }
        let src = source::dir::DirSource::open(path).map_err(|e| Error::Io(display.clone(), e))?;
        return Ok(Some(steps(&src, opts, resume, emit)));
    }
    if !meta.is_file() {
        return Ok(None);
    }
    match source::archive::ArchiveSource::open_path_with(
        path,
        &source::archive::StreamLimits::from_options(opts),
    )
    .map_err(|e| Error::Io(display.clone(), e))?
    {
        Some(src) => {
            if let Some(h) = crate::sniff::not_a_layout_archive(&src, &display) {
                return Err(Error::Usage(h));
            }
            Ok(Some(steps(&src, opts, resume, emit)))
        }
        None => Ok(None),
    }
}

fn steps(
    src: &dyn source::Source,
    opts: &Options,
    resume: &Resume,
    emit: &mut dyn FnMut(Event),
) -> Summary {
    // The root documents are checked as soon as they are read (the layout-level step reports them).
    let layout = opts.shard.is_none_or(|s| s.has_layout()) && !resume.layout;
    let mut early = None;
    let mut graph = if layout {
        walk::walk_layout_checking_roots(src, opts, &mut |g| {
            early = Some(crate::Early::check(g, opts));
        })
    } else {
        walk::walk_layout(src, opts)
    };
    let plan = Plan::of(&graph);
    let mut reported: HashSet<std::sync::Arc<str>> = HashSet::new();
    let mut total = Summary::default();
    let mine = |i: &&Image| opts.shard.is_none_or(|s| s.of_entry(i.position) == s.index);
    // The last step that reaches each file: a layer's facts go once it is done (a later image replays them).
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (k, image) in plan.images.iter().filter(mine).enumerate() {
        for f in &image.files {
            last.insert(f, k);
        }
    }
    for (k, image) in plan.images.iter().filter(mine).enumerate() {
        if !resume.has(image) {
            let scope = plan.step(&graph, src.entries(), image, &reported);
            let s = step(src, &mut graph, scope, opts, Some(image), None, emit);
            total = Summary::sum([&total, &s]);
        }
        reported.extend(image.files.iter().cloned());
        let done = image.files.iter().filter(|f| last.get(&***f) == Some(&k));
        graph.release_layers(done.map(|f| &**f));
    }
    if layout {
        let scope = plan.layout(&graph, src.entries());
        let s = step(src, &mut graph, scope, opts, None, early, emit);
        total = Summary::sum([&total, &s]);
    }
    total
}

fn step(
    src: &dyn source::Source,
    graph: &mut walk::Graph,
    scope: crate::shard::Scope,
    opts: &Options,
    image: Option<&Image>,
    early: Option<crate::Early>,
    emit: &mut dyn FnMut(Event),
) -> Summary {
    graph.scope = Some(scope);
    crate::verify::verify(src, graph, opts);
    let crate::Checked {
        mut findings,
        not_listed: mut notes,
        mut limits,
        ..
    } = crate::run_checks(
        graph,
        Some(src.entries()),
        Some(src),
        crate::Verify::Done,
        opts,
        early,
    );
    if src.archive().is_some_and(|a| a.docker_legacy) {
        findings.retain(|f| f.code.starts_with("ARC"));
        notes.retain(|n| n.code.starts_with("ARC"));
        limits.retain(|l| l.code.starts_with("ARC"));
    }
    crate::sort_findings(&mut findings, graph);
    crate::display_locations(&mut findings, src);
    crate::display_notes(&mut notes, src);
    for f in &findings {
        emit(Event::Finding(image, f));
    }
    for n in &notes {
        emit(Event::NotListed(image, n));
    }
    for l in &limits {
        emit(Event::Limit(image, l));
    }
    let summary = crate::report::Report::summarize(&findings, &notes);
    emit(Event::Done(image, &summary));
    summary
}
