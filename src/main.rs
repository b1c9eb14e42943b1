//! The `ocicheck` command line. Exit status: 0 conformant at the chosen threshold, 1 findings at or above it,
//! 2 the tool could not do its job (bad flags, unreadable input).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use ocicheck::output;
use ocicheck::report::catalogue;
use ocicheck::rule::Selector;
use ocicheck::{Options, rules};

const EXIT_STATUS: &str = "Exit status:
  0  no finding at or above --fail-on (default: error)
  1  at least one finding at or above --fail-on
  2  ocicheck could not do its job: bad flags or configuration, unknown rule codes, an input that does not exist
     or cannot be read, an output file that cannot be written

Configuration: ocicheck.toml in the working directory, or --config FILE (flags win over it).
Colour: on a terminal unless NO_COLOR is set.";

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
    /// Validate an image layout directory or a single JSON document.
    Validate(ValidateArgs),
    /// List the rule catalogue.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// The conformance corpus.
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
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write ocicheck.1, ocicheck-validate.1 … into this directory instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ConformanceCmd {
    /// Regenerate the bytes of every generated case from its recipe (`--check`: only compare).
    Build {
        #[arg(long)]
        check: bool,
        /// Case ids (group/NAME) or prefixes; default all.
        cases: Vec<String>,
    },
    /// List every case: id, kind, expected verdict (valid, invalid-must, warn-should), codes, clause ids.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Write every case as real files into DIR, with index.json and cases.tsv (the expectations).
    Export { dir: PathBuf },
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
        /// Run the cases of this spec version.
        #[arg(long, default_value = "v1.1.1")]
        spec: String,
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

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Text for people, grouped by file.
    Human,
    /// The JSON report (schema/report.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// JUnit XML: one test case per rule that ran.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// An image layout directory, an archive of one (tar, tar.gz, tar.zst: `docker save`, `podman save`,
    /// `skopeo copy … oci-archive:`), `-` for stdin, or a JSON document (manifest, index, config, oci-layout,
    /// descriptor).
    path: PathBuf,
    /// Validate only the image whose index.json entry has this org.opencontainers.image.ref.name (or
    /// io.containerd.image.name). Repeatable.
    #[arg(long = "ref", value_name = "NAME")]
    refs: Vec<String>,
    /// Validate only images for this platform: os/arch[/variant], e.g. linux/arm64 or linux/arm/v7. Repeatable.
    #[arg(long = "platform", value_name = "OS/ARCH[/VARIANT]")]
    platforms: Vec<String>,
    /// Validate only the manifest or index with this digest (at any depth) and what it references. Repeatable.
    #[arg(long = "digest", value_name = "DIGEST")]
    digests: Vec<String>,
    /// Output format (of stdout, and of a bare --output FILE).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also write a report to FILE: FORMAT=FILE (sarif=results.sarif), or a bare FILE in --format (then stdout
    /// gets the human report). Repeatable.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    output: Vec<String>,
    /// No progress bar, and no human report on stdout when --output takes the report.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Configuration file (default: ocicheck.toml in the working directory, if there is one).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Spec version: v1.1.1 (default), or main (the unreleased branch: blake3, non-negative sizes, I-JSON).
    #[arg(long)]
    spec: Option<String>,
    /// Media type of a single document (default: its mediaType field, else inferred from its shape).
    #[arg(long)]
    media_type: Option<String>,
    /// Lowest severity that makes the exit status 1: error (default), warning, info or never.
    #[arg(long)]
    fail_on: Option<String>,
    /// Do not report a rule, group (LYR) or level (should).
    #[arg(long, value_name = "CODE")]
    allow: Vec<String>,
    /// Report a rule, group or level as a warning (also switches on rules that are off by default).
    #[arg(long, value_name = "CODE")]
    warn: Vec<String>,
    /// Report a rule, group or level as an error.
    #[arg(long, value_name = "CODE")]
    deny: Vec<String>,
    /// Threads for blob verification (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Structure, digests and sizes only: every blob is hashed, but layers are not decompressed, so their DiffIDs,
    /// compression and tar entries are not checked (the report says so, and which rules did not run).
    #[arg(long)]
    fast: bool,
    /// A named policy: strict, portable or docker-compat.
    #[arg(long)]
    profile: Option<String>,
    /// Largest JSON document parsed, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    max_json_size: u64,
    /// Decompression guard: largest uncompressed/compressed ratio of a layer (checked past 64 MiB).
    #[arg(long, default_value_t = ocicheck::layer::DEFAULT_MAX_RATIO)]
    max_layer_ratio: u64,
    /// Decompression guard: largest uncompressed size of one layer, in bytes (default 64 GiB).
    #[arg(long, default_value_t = ocicheck::layer::DEFAULT_MAX_SIZE)]
    max_layer_size: u64,
    /// JSON values parsed in all documents of the run (bounds the memory parsed documents take).
    #[arg(long, default_value_t = ocicheck::DEFAULT_MAX_JSON_VALUES)]
    max_json_values: usize,
    /// Bytes of JSON documents held in all.
    #[arg(long, default_value_t = ocicheck::DEFAULT_MAX_JSON_TOTAL)]
    max_json_total: u64,
    /// Tar entries the layer pass keeps, all layers together (bounds the memory of the entry lists).
    #[arg(long, default_value_t = ocicheck::DEFAULT_MAX_LAYER_ENTRIES)]
    max_layer_entries: usize,
    /// Findings listed per rule and file; one more says how many were left out.
    #[arg(long, default_value_t = ocicheck::DEFAULT_MAX_FINDINGS)]
    max_findings: usize,
    /// Bytes of a piped stdin (or named pipe) held in memory; the rest goes to an unnamed temporary file.
    #[arg(long, default_value_t = ocicheck::source::archive::DEFAULT_STREAM_MEMORY)]
    max_stream_memory: u64,
    /// Seconds one blob's verification may take; past it, a finding (LAY013).
    #[arg(long, value_name = "SECONDS", default_value_t = ocicheck::DEFAULT_MAX_BLOB_TIME)]
    max_blob_time: u64,
    /// Seconds the whole run may take; past it, what is left is not checked and a finding says so (LAY014).
    #[arg(long, value_name = "SECONDS", default_value_t = ocicheck::DEFAULT_MAX_TIME)]
    max_time: u64,
}

/// mimalloc instead of the system allocator: a large layout makes hundreds of thousands of small, short-lived
/// allocations (parsed JSON, descriptors, locations), and with glibc's allocator the time per blob grew by a third
/// from 1,000 to 50,000 blobs; with mimalloc it stays within 15% (scripts/bench.sh). Its `no_thp` feature keeps it
/// from asking for transparent huge pages, which more than doubled the peak RSS of a large image.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("ocicheck: error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate(a) => validate(a),
        Command::Rules { format } => {
            print!(
                "{}",
                match format {
                    RulesFormat::Table => catalogue::table(),
                    RulesFormat::Json => catalogue::json(),
                    RulesFormat::Markdown => catalogue::markdown(),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Conformance(c) => conformance(c),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "ocicheck",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => {
            let cmd = Cli::command();
            match dir {
                Some(d) => clap_mangen::generate_to(cmd, &d)
                    .map_err(|e| format!("{}: {e}", d.display()))?,
                None => clap_mangen::Man::new(cmd)
                    .render(&mut std::io::stdout())
                    .map_err(|e| format!("stdout: {e}"))?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { code } => match rules::by_code(&code) {
            Some(r) => {
                print!("{}", catalogue::explain(r));
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

fn validate(a: ValidateArgs) -> Result<ExitCode, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("working directory: {e}"))?;
    let settings = ocicheck::config::resolve(
        &ocicheck::config::Flags {
            config: a.config,
            spec: a.spec,
            profile: a.profile,
            fail_on: a.fail_on,
            allow: a.allow,
            warn: a.warn,
            deny: a.deny,
        },
        &cwd,
    )?;
    let fail_on = settings.fail_on;
    let mut opts = Options {
        spec: settings.spec,
        profile: settings.profile,
        progress: ocicheck::progress::Bar::for_stderr(a.quiet),
        media_type: a.media_type,
        max_json_size: a.max_json_size,
        max_layer_ratio: a.max_layer_ratio,
        max_layer_size: a.max_layer_size,
        max_json_values: a.max_json_values,
        max_json_total: a.max_json_total,
        max_findings: a.max_findings,
        max_layer_entries: a.max_layer_entries,
        max_stream_memory: a.max_stream_memory,
        max_blob_time: std::time::Duration::from_secs(a.max_blob_time),
        max_time: std::time::Duration::from_secs(a.max_time),
        overrides: settings.overrides,
        ..Options::default()
    };
    if let Some(j) = a.jobs {
        opts.jobs = j.max(1);
    }
    opts.fast = a.fast;
    opts.select = ocicheck::select::Selection {
        refs: a.refs,
        platforms: a
            .platforms
            .iter()
            .map(|p| ocicheck::select::Platform::parse(p))
            .collect::<Result<_, _>>()?,
        digests: a.digests,
    };
    let report = ocicheck::validate(&a.path, &opts).map_err(|e| e.to_string())?;
    let format = match a.format {
        Format::Human => output::Format::Human,
        Format::Json => output::Format::Json,
        Format::Sarif => output::Format::Sarif,
        Format::Junit => output::Format::Junit,
        Format::Github => output::Format::Github,
    };
    for t in output::plan(format, &a.output, a.quiet) {
        match t.file {
            Some(path) => {
                let text = output::render(t.format, &report, &opts, fail_on, false);
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            None => {
                let color = t.format == output::Format::Human && output::stdout_color();
                print!(
                    "{}",
                    output::render(t.format, &report, &opts, fail_on, color)
                );
            }
        }
    }
    Ok(if report.fails(fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn conformance(c: ConformanceCmd) -> Result<ExitCode, String> {
    match c {
        ConformanceCmd::Build { check, cases } => {
            let root = ocicheck::corpus::root();
            let all = ocicheck::corpus::load_all(&root)?;
            let mut stale = 0;
            for case in all
                .iter()
                .filter(|c| cases.is_empty() || cases.iter().any(|p| c.id.starts_with(p.as_str())))
            {
                if let Some(stale_archive) = case.sync_archive(&root, !check)? {
                    if stale_archive {
                        stale += 1;
                        println!("{}: {}", if check { "stale" } else { "built" }, case.id);
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
                        println!("restored directories: {}", case.id);
                    }
                    continue;
                }
                stale += 1;
                if check {
                    println!("stale: {}", case.id);
                } else {
                    if dir.exists() {
                        std::fs::remove_dir_all(&dir)
                            .map_err(|e| format!("{}: {e}", dir.display()))?;
                    }
                    ocicheck::corpus::recipe::write_tree(&built, &dir)
                        .map_err(|e| format!("{}: {e}", dir.display()))?;
                    println!("built: {}", case.id);
                }
            }
            Ok(if check && stale > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        ConformanceCmd::List { format } => {
            print!(
                "{}",
                ocicheck::suite::cli::list(matches!(format, ListFormat::Json))?
            );
            Ok(ExitCode::SUCCESS)
        }
        ConformanceCmd::Export { dir } => {
            print!("{}", ocicheck::suite::cli::export(&dir)?);
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
            spec,
            format,
        } => {
            let (text, perfect) = ocicheck::suite::cli::run(ocicheck::suite::cli::RunArgs {
                validator,
                layout: layout_validator,
                archive: archive_validator,
                document: document_validator,
                name,
                timeout,
                jobs,
                dir,
                spec,
                format: match format {
                    RunFormat::Text => "text",
                    RunFormat::Markdown => "markdown",
                    RunFormat::Json => "json",
                }
                .into(),
            })?;
            print!("{text}");
            Ok(if perfect {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ConformanceCmd::Compare { runs } => {
            print!("{}", ocicheck::suite::cli::compare(&runs)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
