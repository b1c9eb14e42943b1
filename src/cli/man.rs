//! The man pages: `ocicheck.1` documents every subcommand with all its options (one section each, the help
//! headings as subsections) and the exit status; `ocicheck man --dir DIR` also writes one page per subcommand
//! (`ocicheck-validate.1` …), as `man ocicheck-validate` expects.

use std::io::Write as _;
use std::path::Path;

const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
No finding at or above \fB\-\-fail\-on\fR (default: error), counting findings that were not listed and leaving out those a baseline or an ignore entry suppressed. With \fB\-\-write\-baseline\fR, the baseline was written.
.TP
\fB1\fR
At least one finding at or above \fB\-\-fail\-on\fR, in any of the inputs.
.TP
\fB2\fR
ocicheck could not do its job: bad flags or configuration, unknown rule codes, a configuration file inside an input, an input that does not exist or cannot be read, an output file that cannot be written. A one\-line reason goes to stderr; with \fB\-\-format json\fR, stdout also gets a JSON object \fB{"error": ...}\fR.
.IP
Or the run is incomplete: a limit kept part of an input from being checked (a JSON document over \fB\-\-max\-json\-size\fR or a JSON budget, a decompression guard, \fB\-\-max\-blob\-time\fR, \fB\-\-max\-time\fR, a listing limit). The reports are written, and stderr says \fBincomplete: ..., raise \-\-max\-...\fR; \fB\-\-allow\-incomplete\fR accepts the partial check, and the limit findings then count at their level. Also: a stream (stdin, a named pipe) longer than \fB\-\-max\-input\-size\fR or still open at \fB\-\-max\-time\fR, or an error writing stdout other than a closed pipe (which ends the run quietly with the status it would have had).
"#;

const FILES: &str = r#".SH FILES
.TP
\fBocicheck.toml\fR
The configuration: \fB\-\-config FILE\fR, else the first ocicheck.toml found walking up from the working directory, skipping any that lies inside an input being validated. See \fBocicheck config\fR for the settings in force and where each came from.
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
Set and not empty: no colour with \fB\-\-color auto\fR.
.TP
\fBCLICOLOR_FORCE\fR
Set and not 0: colour even when stdout is not a terminal (\fB\-\-color auto\fR; NO_COLOR wins).
.TP
\fBTERM\fR
\fBdumb\fR: no colour with \fB\-\-color auto\fR.
"#;

fn render_err(e: std::io::Error) -> String {
    format!("man page: {e}")
}

/// Every (sub)command, depth first, with its full name (`ocicheck conformance run`).
fn commands(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{prefix} {}", sub.get_name());
        out.push((name.clone(), sub.clone()));
        commands(sub, &name, out);
    }
}

/// The main page, with every subcommand's options.
pub fn page(cmd: clap::Command) -> Result<Vec<u8>, String> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut w: Vec<u8> = Vec::new();
    man.render_title(&mut w).map_err(render_err)?;
    man.render_name_section(&mut w).map_err(render_err)?;
    man.render_synopsis_section(&mut w).map_err(render_err)?;
    man.render_description_section(&mut w).map_err(render_err)?;
    man.render_options_section(&mut w).map_err(render_err)?;
    man.render_subcommands_section(&mut w).map_err(render_err)?;
    let mut subs = Vec::new();
    commands(&cmd, "ocicheck", &mut subs);
    for (name, sub) in subs {
        let _ = writeln!(w, ".SH \"{}\"", name.to_uppercase());
        let mut about = Vec::new();
        clap_mangen::Man::new(sub.clone())
            .render_description_section(&mut about)
            .map_err(render_err)?;
        w.extend(demote(&about, None));
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            let mut opts = Vec::new();
            clap_mangen::Man::new(sub)
                .render_options_section(&mut opts)
                .map_err(render_err)?;
            w.extend(demote(&opts, Some("Options")));
        }
    }
    w.extend_from_slice(FILES.as_bytes());
    w.extend_from_slice(EXIT_STATUS.as_bytes());
    man.render_version_section(&mut w).map_err(render_err)?;
    Ok(w)
}

/// A section of a subcommand's page as subsections of the main page: `.SH DESCRIPTION` is dropped, `.SH OPTIONS`
/// becomes `.SS Options`, `.SH OUTPUT` becomes `.SS Output`.
fn demote(roff: &[u8], rename_options: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::new();
    for line in text.lines() {
        match line.strip_prefix(".SH ") {
            Some(h) => {
                let h = h.trim_matches('"');
                if h == "DESCRIPTION" {
                    continue;
                }
                let title = if h == "OPTIONS" {
                    rename_options.unwrap_or("Options").to_string()
                } else {
                    let mut c = h.to_lowercase();
                    if let Some(f) = c.get_mut(0..1) {
                        f.make_ascii_uppercase();
                    }
                    c
                };
                out.push_str(&format!(".SS \"{title}\"\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}

/// `ocicheck man --dir DIR`: the main page and one per subcommand.
pub fn write_all(cmd: clap::Command, dir: &Path) -> Result<Vec<String>, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut written = Vec::new();
    let main = dir.join("ocicheck.1");
    std::fs::write(&main, page(cmd.clone())?).map_err(io)?;
    written.push("ocicheck.1".to_string());
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut subs = Vec::new();
    commands(&cmd, "ocicheck", &mut subs);
    for (name, sub) in subs {
        let file = format!("{}.1", name.replace(' ', "-"));
        let man = clap_mangen::Man::new(sub.clone());
        let mut w = Vec::new();
        man.render(&mut w).map_err(render_err)?;
        if name == "ocicheck validate" {
            w.extend_from_slice(FILES.as_bytes());
            w.extend_from_slice(EXIT_STATUS.as_bytes());
        }
        std::fs::write(dir.join(&file), w).map_err(io)?;
        written.push(file);
    }
    Ok(written)
}
