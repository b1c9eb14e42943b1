//! The `ocicheck` command line. Exit status: 0 conformant at the chosen threshold, 1 findings at or above it,
//! 2 the tool could not do its job (bad flags, unreadable input).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ocicheck::report::catalogue;
use ocicheck::rule::{Level, Selector};
use ocicheck::{Options, Spec, rules};

#[derive(Parser)]
#[command(
    name = "ocicheck",
    version,
    about = "Conformance validator for the OCI Image Format Specification"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

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
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// An image layout directory, or a JSON document (manifest, index, config, oci-layout, descriptor).
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Spec version: v1.1.1, or main (the unreleased branch: blake3, non-negative sizes, I-JSON).
    #[arg(long, default_value = "v1.1.1")]
    spec: String,
    /// Media type of a single document (default: its mediaType field, else inferred from its shape).
    #[arg(long)]
    media_type: Option<String>,
    /// Lowest severity that makes the exit status 1: error, warning, info or never.
    #[arg(long, default_value = "error")]
    fail_on: String,
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
    /// A named policy: strict, portable or docker-compat.
    #[arg(long)]
    profile: Option<String>,
    /// Largest JSON document parsed, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    max_json_size: u64,
}

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
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Conformance(c) => conformance(c),
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
    let spec = Spec::parse(&a.spec)
        .ok_or_else(|| format!("--spec {}: expected v1.1.1 or main", a.spec))?;
    let fail_on = ocicheck::parse_fail_on(&a.fail_on).ok_or_else(|| {
        format!(
            "--fail-on {}: expected error, warning, info or never",
            a.fail_on
        )
    })?;
    let all: Vec<_> = rules::all().collect();
    let mut overrides = Vec::new();
    for (list, level) in [
        (&a.allow, Level::Allow),
        (&a.warn, Level::Warn),
        (&a.deny, Level::Deny),
    ] {
        for s in list {
            overrides.push((Selector::parse(s, &all)?, level));
        }
    }
    let mut opts = Options {
        spec,
        media_type: a.media_type,
        max_json_size: a.max_json_size,
        overrides,
        ..Options::default()
    };
    if let Some(p) = &a.profile {
        opts.profile =
            Some(ocicheck::rule::Profile::parse(p).ok_or_else(|| {
                format!("--profile {p}: expected strict, portable or docker-compat")
            })?);
    }
    if let Some(j) = a.jobs {
        opts.jobs = j.max(1);
    }
    let report = ocicheck::validate(&a.path, &opts).map_err(|e| e.to_string())?;
    let text = match a.format {
        Format::Human => ocicheck::report::human::render(&report),
        Format::Json => ocicheck::report::json::render(&report),
    };
    print!("{text}");
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
                let Some(built) = case.build(&root)? else {
                    continue;
                };
                let dir = case.input_path();
                let committed = ocicheck::corpus::recipe::read_tree(&dir).unwrap_or_default();
                if ocicheck::corpus::same_files(&built.files, &committed) {
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
    }
}
