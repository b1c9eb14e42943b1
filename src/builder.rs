//! [`OptionsBuilder`]: the library's way to make [`Options`] (a `#[non_exhaustive]` struct, so other crates
//! cannot write it as a literal). Each method sets what the command-line flag of the same name sets; [`build`]
//! checks what needs the rule catalogue or a parse (rule selectors, platforms) and says what is wrong as the
//! command line would.
//!
//! [`build`]: OptionsBuilder::build

use std::time::Duration;

use crate::policy::{Level, Profile};
use crate::rule::Selector;
use crate::selection::Platform;
use crate::spec::Spec;
use crate::{Error, Options, rules};

impl Options {
    /// A builder that starts from [`Options::default`] (the command line's defaults).
    pub fn builder() -> OptionsBuilder {
        OptionsBuilder::default()
    }
}

/// Builds [`Options`] step by step; see [`Options::builder`].
///
/// ```
/// use ocicheck::{Level, Options, Profile, Spec};
///
/// let opts = Options::builder()
///     .spec(Spec::Main)
///     .profile(Profile::Strict)
///     .level("MAN015", Level::Allow)
///     .platform("linux/amd64")
///     .max_findings(10)
///     .build()?;
/// assert_eq!(opts.spec, Spec::Main);
/// assert_eq!(opts.max_findings, 10);
///
/// // What the command line would refuse, the builder refuses too.
/// assert!(Options::builder().level("NOPE999", Level::Deny).build().is_err());
/// # Ok::<(), ocicheck::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct OptionsBuilder {
    opts: Options,
    levels: Vec<(String, Level)>,
    platforms: Vec<String>,
}

impl OptionsBuilder {
    /// The version of the specification to validate against (`--spec`; default [`Spec::V1_1_1`]).
    pub fn spec(mut self, spec: Spec) -> Self {
        self.opts.spec = spec;
        self
    }

    /// A named policy (`--profile`).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.opts.profile = Some(profile);
        self
    }

    /// The level of the rules `selector` names (`--allow`, `--warn`, `--deny`): a code (`MAN001`), a rule name, a
    /// group (`LYR`), a class (`must`, `should`, `may`), a basis (`hardening`) or `all`. As with the flags, the
    /// levels apply from the least to the most specific selector (a code beats its group), and at the same
    /// specificity the later one wins. An unknown selector is an error of [`build`](OptionsBuilder::build).
    pub fn level(mut self, selector: impl Into<String>, level: Level) -> Self {
        self.levels.push((selector.into(), level));
        self
    }

    /// The media type of a single JSON document (`--media-type`); otherwise it is taken from the document's
    /// `mediaType` or its shape.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        self.opts.media_type = Some(media_type.into());
        self
    }

    /// Validate only the images whose `org.opencontainers.image.ref.name` is `name` (`--ref`; may be repeated).
    pub fn reference(mut self, name: impl Into<String>) -> Self {
        self.opts.select.refs.push(name.into());
        self
    }

    /// Validate only the images for `os/arch[/variant]` (`--platform`; may be repeated). A malformed platform is
    /// an error of [`build`](OptionsBuilder::build).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.platforms.push(platform.into());
        self
    }

    /// Validate only the manifest or index with this digest (`--digest`; may be repeated).
    pub fn digest(mut self, digest: impl Into<String>) -> Self {
        self.opts.select.digests.push(digest.into());
        self
    }

    /// Structure, digests and sizes only (`--fast`): layer blobs are hashed but not decompressed, and the report
    /// lists the rules that did not run.
    pub fn fast(mut self, fast: bool) -> Self {
        self.opts.fast = fast;
        self
    }

    /// Threads for blob verification (`--jobs`; at least 1).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.opts.jobs = jobs.max(1);
        self
    }

    /// Findings listed per rule and file (`--max-findings`); the rest are counted, not listed.
    pub fn max_findings(mut self, n: usize) -> Self {
        self.opts.max_findings = n;
        self
    }

    /// Largest JSON document parsed, in bytes (`--max-json-size`).
    pub fn max_json_size(mut self, bytes: u64) -> Self {
        self.opts.max_json_size = bytes;
        self
    }

    /// JSON values parsed in all documents of a run (`--max-json-values`).
    pub fn max_json_values(mut self, n: usize) -> Self {
        self.opts.max_json_values = n;
        self
    }

    /// Bytes of JSON documents held in all (`--max-json-total`).
    pub fn max_json_total(mut self, bytes: u64) -> Self {
        self.opts.max_json_total = bytes;
        self
    }

    /// Tar entries kept for the entry and cross-layer rules, all layers together (`--max-layer-entries`).
    pub fn max_layer_entries(mut self, n: usize) -> Self {
        self.opts.max_layer_entries = n;
        self
    }

    /// Largest uncompressed/compressed ratio of a layer (`--max-layer-ratio`).
    pub fn max_layer_ratio(mut self, ratio: u64) -> Self {
        self.opts.max_layer_ratio = ratio;
        self
    }

    /// Largest uncompressed size of one layer, in bytes (`--max-layer-size`).
    pub fn max_layer_size(mut self, bytes: u64) -> Self {
        self.opts.max_layer_size = bytes;
        self
    }

    /// Bytes of a piped stdin held in memory before it is copied to a temporary file (`--max-stream-memory`).
    pub fn max_stream_memory(mut self, bytes: u64) -> Self {
        self.opts.max_stream_memory = bytes;
        self
    }

    /// Bytes of a stream (a pipe, a named pipe, a device) read at most before the run stops (`--max-input-size`).
    pub fn max_input_size(mut self, bytes: u64) -> Self {
        self.opts.max_input_size = bytes;
        self
    }

    /// Time one blob's verification may take (`--max-blob-time`).
    pub fn max_blob_time(mut self, time: Duration) -> Self {
        self.opts.max_blob_time = time;
        self
    }

    /// Time the whole run may take (`--max-time`).
    pub fn max_time(mut self, time: Duration) -> Self {
        self.opts.max_time = time;
        self
    }

    /// Keep the content graph in the report, which the HTML format draws (the command line sets it for
    /// `--format html`); without it the HTML report has findings but no tree.
    pub fn content_graph(mut self, keep: bool) -> Self {
        self.opts.content_graph = keep;
        self
    }

    /// The options, or [`Error::Usage`] for an unknown rule selector or a malformed platform.
    pub fn build(self) -> Result<Options, Error> {
        let mut opts = self.opts;
        let all: Vec<_> = rules::all().collect();
        let mut levels = Vec::with_capacity(self.levels.len());
        for (s, level) in &self.levels {
            levels.push((Selector::parse(s, &all).map_err(Error::Usage)?, *level));
        }
        // Stable: at the same specificity, the order they were given in.
        levels.sort_by_key(|(s, _)| s.specificity());
        opts.overrides.extend(levels);
        for p in &self.platforms {
            opts.select
                .platforms
                .push(Platform::parse(p).map_err(Error::Usage)?);
        }
        Ok(opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_go_from_the_least_to_the_most_specific() {
        let o = Options::builder()
            .level("MAN001", Level::Allow)
            .level("must", Level::Warn)
            .level("MAN", Level::Info)
            .build()
            .expect("builds");
        let sel: Vec<String> = o.overrides.iter().map(|(s, _)| s.to_string()).collect();
        assert_eq!(sel, ["must", "MAN", "MAN001"]);
    }

    #[test]
    fn bad_selectors_and_platforms_are_usage_errors() {
        for b in [
            Options::builder().level("XYZ123", Level::Deny),
            Options::builder().platform("linux"),
        ] {
            assert!(matches!(b.build(), Err(Error::Usage(_))));
        }
    }

    #[test]
    fn the_builder_starts_from_the_defaults() {
        let o = Options::builder().build().expect("builds");
        let d = Options::default();
        assert_eq!(
            (o.spec, o.max_findings, o.max_json_size, o.jobs),
            (d.spec, d.max_findings, d.max_json_size, d.jobs)
        );
        assert!(o.overrides.is_empty() && o.select.is_empty());
        assert_eq!(Options::builder().jobs(0).build().expect("builds").jobs, 1);
    }
}
