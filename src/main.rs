//! The `ocicheck` command line. Exit status: 0 conformant at the chosen threshold, 1 findings at or above it,
//! 2 the tool could not do its job (bad flags, unreadable input).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use ocicheck::report::catalogue;
use ocicheck::rule::Selector;
use ocicheck::rules;

mod cli;

use cli::size;

const EXIT_STATUS: &str = "Exit status:
  0  no finding at or above --fail-on (default: error), in any input
  1  at least one finding at or above --fail-on
  2  ocicheck could not do its job: bad flags or configuration, unknown rule codes, a configuration file inside
     an input, an input that does not exist or cannot be read, an output file that cannot be written (with
     --format json, stdout gets {\"error\": …} too)

Configuration: --config FILE, else the first ocicheck.toml walking up from the working directory (never one
inside an input); flags win over it. `ocicheck config` shows the settings in force and where each came from.
Colour: --color auto (a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE forces it), always, never.";

#[derive(Parser)]
#[command(
    name = "ocicheck",
    version,
    about = "Conformance validator for the OCI Image Format Specification",
    after_long_help = EXIT_STATUS
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Validate image layout directories, archives or single JSON documents (one report, a section per input).
    Validate(ValidateArgs),
    /// Merge the JSON reports of the shards of one run (`validate --shard I/N --format json`) into the JSON
    /// report of the whole run: findings deduplicated and sorted as one run sorts them, the summary counted again.
    Merge {
        /// The shards' JSON reports, 0/N … N-1/N, each once, in any order.
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        /// Exit with status 1 when the merged findings reach this severity.
        #[arg(long, value_enum, default_value_t = FailOnArg::Error)]
        fail_on: FailOnArg,
    },
    /// Print the settings in force (spec, profile, fail-on, configuration file, overrides, ignores) and where
    /// each came from.
    Config(ConfigArgs),
    /// List the rule catalogue.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// The conformance corpus (built into the binary: works from an installed copy).
    #[command(subcommand)]
    Conformance(ConformanceCmd),
    /// Print a rule's documentation.
    Explain {
        /// A rule code (MAN001) or name (manifest-schema-version-not-2).
        code: String,
    },
    /// Print a shell completion script (e.g. `ocicheck completions bash > /etc/bash_completion.d/ocicheck`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff, every subcommand and option), or write it and one page per subcommand into a
    /// directory.
    Man {
        /// Write ocicheck.1, ocicheck-validate.1 … into this directory instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ConformanceCmd {
    /// Regenerate the bytes of every generated case from its recipe (`--check`: only compare). Works in a source
    /// checkout (the corpus found walking up from the working directory, or --corpus).
    Build {
        #[arg(long)]
        check: bool,
        /// The corpus directory of a checkout (default: conformance/ found walking up from the working directory).
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
        /// Case ids (group/NAME) or prefixes; default all.
        cases: Vec<String>,
    },
    /// List every case: id, kind, expected verdict (valid, invalid-must, warn-should), codes, clause ids.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Read the corpus from this directory instead of the copy built into the binary.
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
    },
    /// Write every case as real files into DIR, with index.json and cases.tsv (the expectations).
    Export {
        dir: PathBuf,
        /// Read the corpus from this directory instead of the copy built into the binary.
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
    },
    /// Run any validator over the exported corpus and print its matrix (exit 1 below 100%).
    Run {
        /// Command line run with sh -c for each case: {} is the input path ({media_type}, {doc_kind}, {ref},
        /// {spec}, {id} and {tmp}, a scratch directory, are replaced too). Exit status 0 = accepts, 125 = not
        /// applicable, anything else = rejects; a signal, timeout, 126/127 or a panic = errored.
        #[arg(long, value_name = "COMMAND")]
        validator: String,
        /// Command line for layout directories instead (`none`: not applicable).
        #[arg(long, value_name = "COMMAND")]
        layout_validator: Option<String>,
        /// Command line for archives instead (`none`: not applicable).
        #[arg(long, value_name = "COMMAND")]
        archive_validator: Option<String>,
        /// Command line for single documents instead (`none`: not applicable); {media_type} and {doc_kind} help.
        #[arg(long, value_name = "COMMAND")]
        document_validator: Option<String>,
        /// The validator's name in the matrix (default: the command line).
        #[arg(long)]
        name: Option<String>,
        /// Seconds before a run counts as errored.
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
        /// Validators run at once (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// An existing export (default: export into a temporary directory first).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Read the corpus from this directory instead of the copy built into the binary.
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
        /// Run the cases of this spec version.
        #[arg(long, value_enum, default_value_t = SpecArg::V111)]
        spec: SpecArg,
        #[arg(long, value_enum, default_value_t = RunFormat::Text)]
        format: RunFormat,
    },
    /// Put runs saved with `run --format json` side by side (Markdown, as in docs/compliance.md).
    Compare {
        #[arg(required = true)]
        runs: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RunFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Table,
    Json,
    /// The Markdown of docs/rules.md.
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Text for people, grouped by file, wrapped at 80 columns.
    Human,
    /// One line per finding: PATH:LINE:COL: severity[CODE] message.
    Concise,
    /// The JSON report (schema/report.schema.json).
    Json,
    /// JSON lines, written as each image of a layout is done: its findings, then a line that says it is done;
    /// last, the summary. For runs too large to hold one report; see --resume.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// JUnit XML: one test suite per input, one test case per rule that ran.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One self-contained HTML page: the content graph with each node's findings, filters, rule docs.
    Html,
}

impl Format {
    fn output(self) -> ocicheck::output::Format {
        use ocicheck::output::Format as F;
        match self {
            Format::Human => F::Human,
            Format::Concise => F::Concise,
            Format::Json | Format::Jsonl => F::Json,
            Format::Sarif => F::Sarif,
            Format::Junit => F::Junit,
            Format::Github => F::Github,
            Format::Html => F::Html,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SpecArg {
    /// Tag v1.1.1 of the image spec.
    #[value(name = "v1.1.1", alias = "1.1.1")]
    V111,
    /// The unreleased main branch: blake3, non-negative sizes, I-JSON.
    Main,
}

impl SpecArg {
    fn as_str(self) -> &'static str {
        match self {
            SpecArg::V111 => "v1.1.1",
            SpecArg::Main => "main",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// Every SHOULD is an error; sparse layouts, unreferenced blobs and non-canonical JSON too.
    Strict,
    /// What registries and runtimes accept in practice.
    Portable,
    /// Docker's media types validated like their OCI equivalents.
    DockerCompat,
}

impl ProfileArg {
    fn as_str(self) -> &'static str {
        match self {
            ProfileArg::Strict => "strict",
            ProfileArg::Portable => "portable",
            ProfileArg::DockerCompat => "docker-compat",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOnArg {
    Error,
    Warning,
    Info,
    /// Exit status 0 whatever is found.
    Never,
}

impl FailOnArg {
    fn as_str(self) -> &'static str {
        match self {
            FailOnArg::Error => "error",
            FailOnArg::Warning => "warning",
            FailOnArg::Info => "info",
            FailOnArg::Never => "never",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    /// On a terminal, unless NO_COLOR is set or TERM=dumb (CLICOLOR_FORCE colours a pipe).
    Auto,
    Always,
    Never,
}

/// The settings `validate` and `config` share.
#[derive(clap::Args)]
struct SettingsArgs {
    /// Configuration file (default: the first ocicheck.toml walking up from the working directory, never one
    /// inside an input).
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long, conflicts_with = "config", help_heading = "Rules")]
    no_config: bool,
    /// Spec version (default v1.1.1).
    #[arg(long, value_enum, help_heading = "Rules")]
    spec: Option<SpecArg>,
    /// A named policy.
    #[arg(long, value_enum, help_heading = "Rules")]
    profile: Option<ProfileArg>,
    /// Lowest severity that makes the exit status 1 (default error).
    #[arg(long, value_enum, help_heading = "Rules")]
    fail_on: Option<FailOnArg>,
    /// Do not report a rule, group (LYR) or level (should). Repeatable.
    #[arg(long, value_name = "CODE", help_heading = "Rules")]
    allow: Vec<String>,
    /// Report a rule, group or level as a warning (also switches on rules that are off by default).
    #[arg(long, value_name = "CODE", help_heading = "Rules")]
    warn: Vec<String>,
    /// Report a rule, group or level as an error.
    #[arg(long, value_name = "CODE", help_heading = "Rules")]
    deny: Vec<String>,
}

impl SettingsArgs {
    fn flags(&self, inputs: &[PathBuf]) -> ocicheck::config::Flags {
        ocicheck::config::Flags {
            config: self.config.clone(),
            no_config: self.no_config,
            inputs: inputs.to_vec(),
            spec: self.spec.map(|s| s.as_str().to_string()),
            profile: self.profile.map(|p| p.as_str().to_string()),
            fail_on: self.fail_on.map(|f| f.as_str().to_string()),
            allow: self.allow.clone(),
            warn: self.warn.clone(),
            deny: self.deny.clone(),
        }
    }
}

#[derive(clap::Args)]
struct ConfigArgs {
    #[command(flatten)]
    settings: SettingsArgs,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
    /// The memory cap a run would have (as `validate --max-memory`).
    #[arg(long, value_name = "SIZE", value_parser = size::parse, default_value = "256M")]
    max_memory: u64,
    /// The inputs a run would validate (a configuration file inside one is not read).
    inputs: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Image layout directories, archives of one (tar, tar.gz, tar.zst: `docker save`, `podman save`,
    /// `skopeo copy … oci-archive:`), `-` for stdin, JSON documents (manifest, index, config, oci-layout,
    /// descriptor), or images in a registry: docker://HOST[:PORT]/REPO[:TAG|@DIGEST] (oci:DIR[:REF] and
    /// oci-archive:FILE[:REF] are DIR --ref REF). Several make one report with a section per input; the exit
    /// status is the worst.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// docker://: also validate the referrers of each manifest (Referrers API, else the referrers tag schema).
    #[arg(long, help_heading = "Registry")]
    referrers: bool,
    /// docker://: allow plain HTTP and unverified TLS for a registry that is not on a loopback address.
    #[arg(long, help_heading = "Registry")]
    insecure: bool,
    /// docker://: seconds to wait for a connection, a response or the next bytes of one; a manifest, token or error
    /// body must arrive whole within it.
    #[arg(long, value_name = "SECONDS", default_value_t = ocicheck::options::DEFAULT_REMOTE_TIMEOUT, help_heading = "Registry")]
    timeout: u64,
    /// docker://HOST (a catalogue): validate only the repositories whose name matches GLOB (`*` any run of
    /// characters but `/`, `**` any run, `?` one character but `/`). Repeatable.
    #[arg(long = "repos", value_name = "GLOB", help_heading = "Registry")]
    repos: Vec<String>,
    /// docker://HOST (a catalogue): validate only the tags that match GLOB (as --repos). Repeatable.
    #[arg(long = "tags", value_name = "GLOB", help_heading = "Registry")]
    tags: Vec<String>,
    /// docker://HOST (a catalogue): ask for N names per page of the catalogue and of each tag list (default: the
    /// registry's own page size).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Registry")]
    page_size: Option<u32>,
    /// Validate only the image whose index.json entry has this org.opencontainers.image.ref.name (or
    /// io.containerd.image.name). Repeatable.
    #[arg(long = "ref", value_name = "NAME", help_heading = "Selection")]
    refs: Vec<String>,
    /// Validate only images for this platform: os/arch[/variant], e.g. linux/arm64 or linux/arm/v7. Repeatable.
    #[arg(
        long = "platform",
        value_name = "OS/ARCH[/VARIANT]",
        help_heading = "Selection"
    )]
    platforms: Vec<String>,
    /// Validate only the manifest or index with this digest (at any depth) and what it references. Repeatable.
    #[arg(long = "digest", value_name = "DIGEST", help_heading = "Selection")]
    digests: Vec<String>,
    /// Media type of a single document (default: its mediaType field, else inferred from its shape).
    #[arg(long, help_heading = "Selection")]
    media_type: Option<String>,
    /// Validate a share of the images of index.json: entry k goes to shard k mod N (I is 0-based, as a Kubernetes
    /// Indexed Job's JOB_COMPLETION_INDEX). Shard 0 also runs the layout-level checks. `ocicheck merge` joins the
    /// shards' JSON reports into the report of one run.
    #[arg(long, value_name = "I/N", help_heading = "Selection")]
    shard: Option<ocicheck::shard::Shard>,
    /// With --format jsonl: skip the images that this earlier jsonl output says are done (and the layout-level
    /// checks, when it says so), counting their findings in the summary.
    #[arg(long, value_name = "FILE", help_heading = "Selection")]
    resume: Option<PathBuf>,
    /// Structure, digests and sizes only: every blob is hashed, but layers are not decompressed, so their DiffIDs,
    /// compression and tar entries are not checked (the report says so, and which rules did not run).
    #[arg(long, help_heading = "Selection")]
    fast: bool,
    /// Output format (of stdout, and of a bare --output FILE).
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    format: Format,
    /// Also write a report to FILE: FORMAT=FILE (sarif=results.sarif), or a bare FILE in --format (then stdout
    /// gets the human report). An unknown FORMAT is an error. Repeatable.
    #[arg(
        long,
        short = 'o',
        value_name = "[FORMAT=]FILE",
        help_heading = "Output"
    )]
    output: Vec<String>,
    /// No progress bar, and no human report on stdout when --output takes the report.
    #[arg(long, short = 'q', help_heading = "Output")]
    quiet: bool,
    /// Colour the human report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, help_heading = "Output")]
    color: ColorArg,
    /// Print how many findings each rule drew (count, code, name) instead of the findings (human, concise or
    /// json on stdout; --output files still get full reports).
    #[arg(long, help_heading = "Output")]
    statistics: bool,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Report and fail only on findings not in this baseline (written by --write-baseline); the report says how
    /// many were baselined.
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    baseline: Option<PathBuf>,
    /// Write the findings of this run as a baseline (keyed on their SARIF fingerprints, which survive rebuilds);
    /// the exit status is then 0.
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    write_baseline: Option<PathBuf>,
    /// Accept a report that limits kept from being complete (a document too large to parse, a decompression
    /// guard, a time or listing limit): its limit findings then count at their level. Without it such a run
    /// exits with status 2 and says which limit to raise.
    #[arg(long, help_heading = "Limits")]
    allow_incomplete: bool,
    /// Threads for blob verification (default: all cores).
    #[arg(long, help_heading = "Limits")]
    jobs: Option<usize>,
    /// Largest JSON document parsed (bytes, or 64K, 16M, 1G …).
    #[arg(long, value_name = "SIZE", value_parser = size::parse, default_value = "16M", help_heading = "Limits")]
    max_json_size: u64,
    /// Decompression guard: largest uncompressed/compressed ratio of a layer (checked past 64 MiB).
    #[arg(long, default_value_t = ocicheck::layer::DEFAULT_MAX_RATIO, help_heading = "Limits")]
    max_layer_ratio: u64,
    /// Decompression guard: largest uncompressed size of one layer.
    #[arg(long, value_name = "SIZE", value_parser = size::parse, default_value = "64G", help_heading = "Limits")]
    max_layer_size: u64,
    /// JSON values parsed in all documents of the run (bounds the memory parsed documents take).
    #[arg(long, default_value_t = ocicheck::DEFAULT_MAX_JSON_VALUES, help_heading = "Limits")]
    max_json_values: usize,
    /// Bytes of JSON documents held in all.
    #[arg(long, value_name = "SIZE", value_parser = size::parse, default_value = "64M", help_heading = "Limits")]
    max_json_total: u64,
    /// Entries of a layout's index.json walked and checked at a time (0: all at once); for tests and benchmarks.
    #[arg(long, default_value_t = ocicheck::options::DEFAULT_BATCH_IMAGES, hide = true)]
    batch_images: usize,
    /// Tar entries the layer pass keeps, all layers together (bounds the memory of the entry lists).
    #[arg(long, default_value_t = ocicheck::DEFAULT_MAX_LAYER_ENTRIES, help_heading = "Limits")]
    max_layer_entries: usize,
    /// Findings listed per rule and file; the rest are counted (in the summary, the statistics and the exit
    /// status) but not listed, and a note says how many. The report lists 20,000 findings at most.
    #[arg(long, default_value_t = ocicheck::DEFAULT_MAX_FINDINGS, help_heading = "Limits")]
    max_findings: usize,
    /// Bytes of a piped stdin (or named pipe) held in memory; the rest goes to an unnamed temporary file.
    #[arg(long, value_name = "SIZE", value_parser = size::parse, default_value = "64M", help_heading = "Limits")]
    max_stream_memory: u64,
    /// Bytes of a stream (a pipe, a named pipe, a device) read at most: past it, exit status 2 (an endless
    /// stream such as /dev/zero must not fill $TMPDIR).
    #[arg(long, value_name = "SIZE", value_parser = size::parse, default_value = "64G", help_heading = "Limits")]
    max_input_size: u64,
    /// Seconds one blob's verification may take; past it, a finding (LAY013).
    #[arg(long, value_name = "SECONDS", default_value_t = ocicheck::DEFAULT_MAX_BLOB_TIME, help_heading = "Limits")]
    max_blob_time: u64,
    /// Seconds the whole run may take; past it, what is left is not checked and a finding says so (LAY014).
    #[arg(long, value_name = "SECONDS", default_value_t = ocicheck::DEFAULT_MAX_TIME, help_heading = "Limits")]
    max_time: u64,
    /// Memory the run may take: the listing, the JSON documents, the layers' entry lists, zstd windows and the
    /// report all draw from it; what would go past it is not kept, and a finding says so.
    #[arg(long, value_name = "SIZE", value_parser = size::parse, default_value = "256M", help_heading = "Limits")]
    max_memory: u64,
}

/// mimalloc instead of the system allocator: a large layout makes hundreds of thousands of small, short-lived
/// allocations (parsed JSON, descriptors, locations), and with glibc's allocator the time per blob grew by a third
/// from 1,000 to 50,000 blobs; with mimalloc it stays within 15% (scripts/bench.sh). Its `no_thp` feature keeps it
/// from asking for transparent huge pages, which more than doubled the peak RSS of a large image.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Have mimalloc give freed memory back to the system at once rather than after its default delay (one second in
/// the mimalloc 3 that libmimalloc-sys builds). A run frees and allocates in bursts (the walk's parsed documents,
/// `index.json`'s tree for its own checks, each group of documents): with the delay, the pages one burst freed were
/// still resident when the next took fresh ones, and both counted at the peak (88.9 against 65.9 MiB at 50,000
/// blobs, 31.5 against 26.0 at 10,000, no change in time: scripts/bench.sh). `MIMALLOC_PURGE_DELAY` in the
/// environment still decides.
fn purge_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // `mi_option_purge_delay`: the option's number in mimalloc's `mi_option_t` (15 in mimalloc 2 and 3; the enum
    // keeps retired options' slots so that numbers stay), declared here rather than through libmimalloc-sys's
    // `extended` feature, whose list of option names predates this one.
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: a plain setter of a process-wide option, callable at any time from any thread.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

/// Whether the command line asks for JSON on stdout (so that a failure is a JSON object too), read from the raw
/// arguments: it must work when they do not parse.
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let a: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    a.iter().any(|x| x == "--format=json")
        || a.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
}

fn main() -> ExitCode {
    purge_freed_memory_at_once();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let json = wants_json(&args);
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                // Help and version on stdout: a closed pipe is a quiet end, another write error exit 2.
                let text = if e.use_stderr() {
                    let _ = e.print();
                    return ExitCode::from(2);
                } else {
                    e.render().to_string()
                };
                return match cli::out::print(&text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(msg) => {
                        cli::out::eprint_line(&format!("ocicheck: error: {msg}"));
                        ExitCode::from(2)
                    }
                };
            }
            if json {
                let msg = e.render().to_string();
                let first = msg
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string();
                let _ = cli::out::print(&ocicheck::report::json::error(&first));
            }
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            if json {
                let _ = cli::out::print(&ocicheck::report::json::error(&msg));
            }
            cli::out::eprint_line(&format!("ocicheck: error: {msg}"));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate(a) => cli::validate::run(a.into()),
        Command::Merge { reports, fail_on } => cli::merge::run(&reports, fail_on.as_str()),
        Command::Config(a) => {
            let cwd = std::env::current_dir().map_err(|e| format!("working directory: {e}"))?;
            let resolved = ocicheck::config::resolve(&a.settings.flags(&a.inputs), &cwd)?;
            cli::out::print(&cli::config_cmd::render(
                &resolved,
                a.max_memory,
                matches!(a.format, ListFormat::Json),
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { format } => {
            cli::out::print(&match format {
                RulesFormat::Table => catalogue::table(),
                RulesFormat::Json => catalogue::json(),
                RulesFormat::Markdown => catalogue::markdown(),
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Conformance(c) => conformance(c),
        Command::Completions { shell } => {
            // Into memory first: the generator panics on a write error.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ocicheck", &mut script);
            cli::out::stdout(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => {
            match dir {
                Some(d) => {
                    let files = cli::man::write_all(Cli::command(), &d)?;
                    cli::out::eprint_line(&format!(
                        "ocicheck: wrote {} into {}",
                        files.join(", "),
                        d.display()
                    ));
                }
                None => cli::out::stdout(&cli::man::page(Cli::command())?)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { code } => match rules::by_code(&code) {
            Some(r) => {
                cli::out::print(&catalogue::explain(r))?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                let all: Vec<_> = rules::all().collect();
                Err(Selector::parse(&code, &all)
                    .err()
                    .unwrap_or_else(|| format!("no rule {code}")))
            }
        },
    }
}

impl From<ValidateArgs> for cli::validate::Args {
    fn from(a: ValidateArgs) -> Self {
        let flags = a.settings.flags(&a.paths);
        cli::validate::Args {
            flags,
            paths: a.paths,
            refs: a.refs,
            platforms: a.platforms,
            digests: a.digests,
            media_type: a.media_type,
            fast: a.fast,
            allow_incomplete: a.allow_incomplete,
            shard: a.shard,
            jsonl: matches!(a.format, Format::Jsonl),
            resume: a.resume,
            remote: ocicheck::options::Remote {
                referrers: a.referrers,
                insecure: a.insecure,
                timeout: std::time::Duration::from_secs(a.timeout.max(1)),
                catalog: ocicheck::catalog::Filter {
                    repos: a
                        .repos
                        .iter()
                        .map(|g| ocicheck::catalog::Glob::new(g))
                        .collect(),
                    tags: a
                        .tags
                        .iter()
                        .map(|g| ocicheck::catalog::Glob::new(g))
                        .collect(),
                    page_size: a.page_size,
                },
            },
            format: a.format.output(),
            output: a.output,
            quiet: a.quiet,
            color: match a.color {
                ColorArg::Auto => ocicheck::output::ColorChoice::Auto,
                ColorArg::Always => ocicheck::output::ColorChoice::Always,
                ColorArg::Never => ocicheck::output::ColorChoice::Never,
            },
            statistics: a.statistics,
            baseline: a.baseline,
            write_baseline: a.write_baseline,
            jobs: a.jobs,
            limits: cli::validate::Limits {
                max_json_size: a.max_json_size,
                max_layer_ratio: a.max_layer_ratio,
                max_layer_size: a.max_layer_size,
                max_json_values: a.max_json_values,
                max_json_total: a.max_json_total,
                batch_images: a.batch_images,
                max_layer_entries: a.max_layer_entries,
                max_findings: a.max_findings,
                max_stream_memory: a.max_stream_memory,
                max_input_size: a.max_input_size,
                max_blob_time: a.max_blob_time,
                max_time: a.max_time,
                max_memory: a.max_memory,
            },
        }
    }
}

fn conformance(c: ConformanceCmd) -> Result<ExitCode, String> {
    match c {
        ConformanceCmd::Build {
            check,
            cases,
            corpus,
        } => {
            let cwd = std::env::current_dir().map_err(|e| format!("working directory: {e}"))?;
            let root = corpus
                .or_else(|| ocicheck::corpus::embedded::find_checkout(&cwd))
                .ok_or(
                    "conformance build rewrites the corpus of a source checkout: run it inside one, or give --corpus DIR",
                )?;
            let all = ocicheck::corpus::load_all(&root)?;
            let mut stale = 0;
            for case in all
                .iter()
                .filter(|c| cases.is_empty() || cases.iter().any(|p| c.id.starts_with(p.as_str())))
            {
                if let Some(stale_archive) = case.sync_archive(&root, !check)? {
                    if stale_archive {
                        stale += 1;
                        cli::out::print(&format!(
                            "{}: {}\n",
                            if check { "stale" } else { "built" },
                            case.id
                        ))?;
                    }
                    continue;
                }
                let Some(built) = case.build(&root)? else {
                    continue;
                };
                let dir = case.input_path();
                let committed = ocicheck::corpus::recipe::read_tree(&dir).unwrap_or_default();
                if ocicheck::corpus::same_files(&built.files, &committed) {
                    // Files match, but git drops empty directories (valid/empty-index/layout/blobs).
                    if !check && ocicheck::suite::export::create_missing_dirs(&built, &dir)? > 0 {
                        cli::out::print(&format!("restored directories: {}\n", case.id))?;
                    }
                    continue;
                }
                stale += 1;
                if check {
                    cli::out::print(&format!("stale: {}\n", case.id))?;
                } else {
                    if dir.exists() {
                        std::fs::remove_dir_all(&dir)
                            .map_err(|e| format!("{}: {e}", dir.display()))?;
                    }
                    ocicheck::corpus::recipe::write_tree(&built, &dir)
                        .map_err(|e| format!("{}: {e}", dir.display()))?;
                    cli::out::print(&format!("built: {}\n", case.id))?;
                }
            }
            Ok(if check && stale > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        ConformanceCmd::List { format, corpus } => {
            let c = Corpus::open(corpus)?;
            cli::out::print(&ocicheck::suite::cli::list(
                matches!(format, ListFormat::Json),
                c.root(),
            )?)?;
            Ok(ExitCode::SUCCESS)
        }
        ConformanceCmd::Export { dir, corpus } => {
            let c = Corpus::open(corpus)?;
            cli::out::print(&ocicheck::suite::cli::export(&dir, c.root())?)?;
            Ok(ExitCode::SUCCESS)
        }
        ConformanceCmd::Run {
            validator,
            layout_validator,
            archive_validator,
            document_validator,
            name,
            timeout,
            jobs,
            dir,
            corpus,
            spec,
            format,
        } => {
            let c = Corpus::open(corpus)?;
            let (text, perfect) = ocicheck::suite::cli::run(
                ocicheck::suite::cli::RunArgs {
                    validator,
                    layout: layout_validator,
                    archive: archive_validator,
                    document: document_validator,
                    name,
                    timeout,
                    jobs,
                    dir,
                    spec: spec.as_str().into(),
                    format: match format {
                        RunFormat::Text => "text",
                        RunFormat::Markdown => "markdown",
                        RunFormat::Json => "json",
                    }
                    .into(),
                },
                c.root(),
            )?;
            cli::out::print(&text)?;
            Ok(if perfect {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ConformanceCmd::Compare { runs } => {
            cli::out::print(&ocicheck::suite::cli::compare(&runs)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The corpus `conformance list|export|run` read: `--corpus DIR`, else the copy built into the binary.
enum Corpus {
    Dir(PathBuf),
    Embedded(ocicheck::corpus::embedded::Extracted),
}

impl Corpus {
    fn open(dir: Option<PathBuf>) -> Result<Corpus, String> {
        Ok(match dir {
            Some(d) => Corpus::Dir(d),
            None => Corpus::Embedded(ocicheck::corpus::embedded::extract()?),
        })
    }

    fn root(&self) -> &std::path::Path {
        match self {
            Corpus::Dir(d) => d,
            Corpus::Embedded(e) => &e.root,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_defaults_are_the_library_defaults() {
        let a = Cli::try_parse_from(["ocicheck", "validate", "x"]).expect("parses");
        let Command::Validate(v) = a.command else {
            panic!("validate")
        };
        assert_eq!(v.max_json_size, ocicheck::Options::default().max_json_size);
        assert_eq!(v.max_layer_size, ocicheck::layer::DEFAULT_MAX_SIZE);
        assert_eq!(v.max_json_total, ocicheck::DEFAULT_MAX_JSON_TOTAL);
        assert_eq!(v.max_memory, ocicheck::DEFAULT_MAX_MEMORY);
        assert_eq!(
            v.max_stream_memory,
            ocicheck::source::archive::DEFAULT_STREAM_MEMORY
        );
        assert_eq!(v.max_input_size, ocicheck::options::DEFAULT_MAX_INPUT_SIZE);
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
