//! The conformance corpus: cases under `conformance/<group>/<CASE>/`, each a `case.toml` (description, clause
//! ids, expected codes, and usually a recipe) plus the literal bytes a tool sees (`layout/` or a document), plus a
//! snapshot of the report.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod archive;
#[cfg(feature = "cli")]
pub mod embedded;
pub mod known;
pub mod recipe;
pub mod tar;

use recipe::{BlobOp, Built, Patch, Recipe};

use crate::rule::{Level, Selector};
use crate::{Options, Spec};

/// What a case holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    /// An image layout directory, `layout/`.
    #[default]
    Layout,
    /// A single JSON document, `document.json` (or `file`).
    Document,
    /// A tar archive, `archive.tar` (or `file`): the recipe's layout archived as `[archive]` says (see
    /// [`archive`]), or bytes made by a real tool.
    Archive,
}

/// Options a case runs with (the same as command-line flags).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseOptions {
    #[serde(default)]
    pub spec: Option<String>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub warn: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
    /// `--max-json-size`.
    #[serde(default)]
    pub max_json_size: Option<u64>,
    /// `--profile`.
    #[serde(default)]
    pub profile: Option<String>,
    /// `--max-layer-ratio`.
    #[serde(default)]
    pub max_layer_ratio: Option<u64>,
    /// `--max-layer-size`.
    #[serde(default)]
    pub max_layer_size: Option<u64>,
    /// Paths of the layout that fail to open, as if unreadable (I/O fault injection; see `source::fault`).
    #[serde(default)]
    pub unreadable: Vec<String>,
    /// `--max-blob-time`, in seconds (0: every blob read stops at once).
    #[serde(default)]
    pub max_blob_time: Option<u64>,
    /// `--max-time`, in seconds (0: the run stops before following the first descriptor).
    #[serde(default)]
    pub max_time: Option<u64>,
}

/// `case.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub description: String,
    /// Clause ids the case exercises (for a bad case: the one clause it breaks).
    #[serde(default)]
    pub clauses: Vec<String>,
    /// Exactly the rule codes expected (empty for a valid case).
    pub expect: Vec<String>,
    #[serde(default)]
    pub kind: CaseKind,
    #[serde(default)]
    pub options: CaseOptions,
    /// A recipe in `conformance/bases/<base>.toml`.
    #[serde(default)]
    pub base: Option<String>,
    /// Or an inline recipe.
    #[serde(default)]
    pub recipe: Option<Recipe>,
    #[serde(default)]
    pub patch: Vec<Patch>,
    #[serde(default)]
    pub blob: Vec<BlobOp>,
    /// For cases whose bytes were made by a real tool: which tool, which version, which command.
    #[serde(default)]
    pub producer: Option<String>,
    /// For document cases: the file name (default `document.json`).
    #[serde(default)]
    pub file: Option<String>,
    /// Why each expected warning or info is there, and anything else a reader should know.
    #[serde(default)]
    pub notes: Option<String>,
    /// For archive cases: how the layout is archived.
    #[serde(default)]
    pub archive: Option<archive::ArchiveSpec>,
}

#[derive(Debug, Clone)]
pub struct Case {
    /// `group/NAME`, e.g. `manifest/MAN001-schema-version-not-2`.
    pub id: String,
    pub dir: PathBuf,
    pub file: CaseFile,
}

/// The corpus root of this repository, for the tests (the binary reads the copy built into it, or a checkout found
/// from the working directory: see `embedded`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance")
}

/// Every case under `root`, sorted by id.
pub fn load_all(root: &Path) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    let mut groups: Vec<_> = std::fs::read_dir(root)
        .map_err(|e| format!("{}: {e}", root.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && e.file_name() != "bases")
        .collect();
    groups.sort_by_key(|e| e.file_name());
    for g in groups {
        let mut dirs: Vec<_> = std::fs::read_dir(g.path())
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .filter(|e| e.path().join("case.toml").is_file())
            .collect();
        dirs.sort_by_key(|e| e.file_name());
        for d in dirs {
            let id = format!(
                "{}/{}",
                g.file_name().to_string_lossy(),
                d.file_name().to_string_lossy()
            );
            cases.push(load(&id, &d.path())?);
        }
    }
    Ok(cases)
}

pub fn load(id: &str, dir: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(dir.join("case.toml")).map_err(|e| format!("{id}: {e}"))?;
    let file: CaseFile = toml::from_str(&text).map_err(|e| format!("{id}/case.toml: {e}"))?;
    if file.base.is_some() && file.recipe.is_some() {
        return Err(format!("{id}: give either base or recipe, not both"));
    }
    Ok(Case {
        id: id.to_string(),
        dir: dir.to_path_buf(),
        file,
    })
}

impl Case {
    /// The recipe, if the case is generated.
    pub fn recipe(&self, root: &Path) -> Result<Option<Recipe>, String> {
        if let Some(r) = &self.file.recipe {
            return Ok(Some(r.clone()));
        }
        let Some(base) = &self.file.base else {
            return Ok(None);
        };
        let path = root.join("bases").join(format!("{base}.toml"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Build the case's layout from its recipe (`None` for cases whose bytes are committed as made).
    pub fn build(&self, root: &Path) -> Result<Option<Built>, String> {
        match self.recipe(root)? {
            Some(r) => recipe::build_in(root.parent(), &r, &self.file.patch, &self.file.blob)
                .map(Some)
                .map_err(|e| format!("{}: {e}", self.id)),
            None => Ok(None),
        }
    }

    /// Where the bytes a tool sees are: `layout/` or the document.
    pub fn input_path(&self) -> PathBuf {
        match self.file.kind {
            CaseKind::Layout => self.dir.join("layout"),
            CaseKind::Document => self
                .dir
                .join(self.file.file.as_deref().unwrap_or("document.json")),
            CaseKind::Archive => self
                .dir
                .join(self.file.file.as_deref().unwrap_or("archive.tar")),
        }
    }

    /// The path shown in reports: relative to the repository.
    pub fn display_path(&self) -> String {
        let rel = match self.file.kind {
            CaseKind::Layout => "layout".to_string(),
            CaseKind::Document => self
                .file
                .file
                .clone()
                .unwrap_or_else(|| "document.json".into()),
            CaseKind::Archive => self
                .file
                .file
                .clone()
                .unwrap_or_else(|| "archive.tar".into()),
        };
        format!("conformance/{}/{rel}", self.id)
    }

    pub fn options(&self) -> Result<Options, String> {
        let o = &self.file.options;
        let all: Vec<_> = crate::rules::all().collect();
        let mut overrides = Vec::new();
        for (list, level) in [
            (&o.allow, Level::Allow),
            (&o.warn, Level::Warn),
            (&o.deny, Level::Deny),
        ] {
            for s in list {
                overrides.push((Selector::parse(s, &all)?, level));
            }
        }
        let spec = match o.spec.as_deref() {
            None => Spec::V1_1_1,
            Some(s) => Spec::parse(s).ok_or_else(|| format!("{}: unknown spec {s}", self.id))?,
        };
        let mut opts = Options {
            spec,
            media_type: o.media_type.clone(),
            overrides,
            jobs: 2,
            ..Options::default()
        };
        if let Some(m) = o.max_json_size {
            opts.max_json_size = m;
        }
        if let Some(p) = &o.profile {
            opts.profile = Some(
                crate::rule::Profile::parse(p)
                    .ok_or_else(|| format!("{}: unknown profile {p}", self.id))?,
            );
        }
        if let Some(m) = o.max_layer_ratio {
            opts.max_layer_ratio = m;
        }
        if let Some(m) = o.max_layer_size {
            opts.max_layer_size = m;
        }
        if let Some(s) = o.max_blob_time {
            opts.max_blob_time = std::time::Duration::from_secs(s);
        }
        if let Some(s) = o.max_time {
            opts.max_time = std::time::Duration::from_secs(s);
        }
        Ok(opts)
    }

    /// The bytes of a generated archive case (`None` for archives committed as a tool made them).
    pub fn archive_bytes(&self, root: &Path) -> Result<Option<Vec<u8>>, String> {
        let Some(built) = self.build(root)? else {
            return Ok(None);
        };
        let spec = self.file.archive.clone().unwrap_or_default();
        archive::write(&built, &spec)
            .map(Some)
            .map_err(|e| format!("{}: {e}", self.id))
    }

    /// For an archive case: whether the committed archive differs from what its recipe builds (`None` for other
    /// cases); with `write`, rewrite it.
    pub fn sync_archive(&self, root: &Path, write: bool) -> Result<Option<bool>, String> {
        if self.file.kind != CaseKind::Archive {
            return Ok(None);
        }
        let Some(bytes) = self.archive_bytes(root)? else {
            return Ok(Some(false));
        };
        let path = self.input_path();
        if std::fs::read(&path).ok().as_deref() == Some(&bytes[..]) {
            return Ok(Some(false));
        }
        if write {
            std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(Some(true))
    }

    /// Validate an archive case as a user would: the committed file, read in place. A generated case's file must
    /// be what its recipe builds.
    pub fn validate_archive(
        &self,
        root: &Path,
        opts: &Options,
    ) -> Result<crate::report::Report, String> {
        if self.sync_archive(root, false)? == Some(true) {
            return Err(format!(
                "{}: committed {} differs from what the recipe builds; run `cargo run -- conformance build {}` and review the diff",
                self.id,
                self.input_path().display(),
                self.id
            ));
        }
        let path = self.input_path();
        let src = crate::source::archive::ArchiveSource::open_path(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .ok_or_else(|| format!("{}: not a tar archive", path.display()))?;
        let src = crate::source::fault::FaultSource {
            inner: &src,
            unreadable: self.file.options.unreadable.clone(),
        };
        Ok(crate::validate_layout(&src, &self.display_path(), opts))
    }

    /// The expected verdict: `valid` (nothing expected, or only infos: what the spec allows), `invalid-must` (an
    /// error expected) or `warn-should` (a warning, and no error).
    pub fn verdict(&self) -> Result<&'static str, String> {
        let opts = self.options()?;
        let all: Vec<_> = crate::rules::all().collect();
        let policy = crate::rule::Policy::new(&all, opts.spec, &opts.effective_overrides());
        let worst = self
            .file
            .expect
            .iter()
            .filter_map(|c| policy.severity(c))
            .max();
        Ok(match worst {
            Some(crate::rule::Severity::Error) => "invalid-must",
            Some(crate::rule::Severity::Warning) => "warn-should",
            _ => "valid",
        })
    }
}

/// Whether a built tree and a committed one hold the same files and links (directories are not compared: git
/// does not keep empty ones).
pub fn same_files(
    built: &std::collections::BTreeMap<String, recipe::FileNode>,
    committed: &std::collections::BTreeMap<String, recipe::FileNode>,
) -> bool {
    built
        .iter()
        .filter(|(_, v)| **v != recipe::FileNode::Dir)
        .eq(committed
            .iter()
            .filter(|(_, v)| **v != recipe::FileNode::Dir))
}
