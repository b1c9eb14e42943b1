//! `--format html`: one self-contained page per run. Nothing is fetched: the style and the script are inline, and
//! a Content-Security-Policy forbids any other source, so the page works offline and from a CI artifact.
//!
//! Each input is drawn as its content graph (index → manifests → configs, layers; referrers under their subject),
//! each node with its own findings; files no descriptor reaches (the layout's own files, unreferenced blobs,
//! archive members) follow under "Other files". Every finding appears exactly once. A filter by severity and by
//! rule hides findings (also from the URL: `#severity=error,warning&rule=MAN001`), and the rules that have
//! findings are documented at the end, with their spec links.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{ContentGraph, Finding, Report, RuleInfo, Summary};

/// Graph chains deeper than this are drawn as links (a hostile input can nest indexes deeply).
const MAX_DEPTH: usize = 64;

pub fn render(reports: &[Report], rules: &[RuleInfo]) -> String {
    let total: usize = reports.iter().map(|r| r.findings.len()).sum();
    let sum = Summary::sum(reports.iter().map(|r| &r.summary));
    let title = match reports {
        [one] => format!("ocicheck: {}", one.input.path),
        _ => format!("ocicheck: {} inputs", reports.len()),
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n\
         <body data-findings=\"{total}\">\n<header>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let version = reports
        .first()
        .map_or(crate::TOOL.version, |r| r.tool.version);
    let _ = writeln!(
        s,
        "<p class=\"meta\">ocicheck {} · spec {}</p>",
        esc(version),
        esc(reports.first().map_or("", |r| r.spec))
    );
    if let Some(set) = reports.first().and_then(|r| r.settings.as_ref()) {
        let _ = writeln!(
            s,
            "<p class=\"settings\">settings: {}</p>",
            esc(&set.phrases().join(", "))
        );
    }
    let _ = writeln!(
        s,
        "<p class=\"summary\" id=\"summary\">{} error(s), {} warning(s), {} info(s){}</p>\n</header>",
        sum.errors,
        sum.warnings,
        sum.infos,
        if sum.not_listed > 0 {
            format!(" ({} counted but not listed)", sum.not_listed)
        } else {
            String::new()
        }
    );
    filters(&mut s, reports);
    s.push_str("<main>\n");
    let mut n = 0;
    for (i, r) in reports.iter().enumerate() {
        input(&mut s, r, i, &mut n);
    }
    rule_docs(&mut s, reports, rules);
    s.push_str("</main>\n<script>");
    s.push_str(JS);
    s.push_str("</script>\n</body>\n</html>\n");
    s
}

fn filters(s: &mut String, reports: &[Report]) {
    let mut sev: BTreeMap<&str, usize> = BTreeMap::new();
    let mut codes: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    for f in reports.iter().flat_map(|r| &r.findings) {
        *sev.entry(f.severity.as_str()).or_default() += 1;
        codes.entry(f.code).or_insert((f.name, 0)).1 += 1;
    }
    s.push_str("<nav id=\"filters\">\n<fieldset><legend>Severity</legend>\n");
    for level in ["error", "warning", "info"] {
        let _ = writeln!(
            s,
            "<label><input type=\"checkbox\" class=\"f-sev\" id=\"sev-{level}\" value=\"{level}\" checked> <span class=\"sev {level}\">{level}</span> ({})</label>",
            sev.get(level).copied().unwrap_or(0)
        );
    }
    s.push_str("</fieldset>\n<fieldset><legend>Rule</legend>\n<select id=\"f-rule\">\n<option value=\"\">every rule</option>\n");
    for (code, (name, count)) in &codes {
        let _ = writeln!(
            s,
            "<option value=\"{}\">{} {} ({count})</option>",
            esc(code),
            esc(code),
            esc(name)
        );
    }
    let total: usize = sev.values().sum();
    let _ = writeln!(
        s,
        "</select>\n</fieldset>\n<p id=\"shown\">Showing {total} of {total} findings</p>\n</nav>"
    );
}

fn input(s: &mut String, r: &Report, i: usize, n: &mut usize) {
    let _ = writeln!(
        s,
        "<section class=\"input\" id=\"input-{i}\">\n<h2>{} <code>{}</code></h2>\n<p class=\"summary\">{} error(s), {} warning(s), {} info(s){}</p>",
        esc(r.input.kind),
        esc(&r.input.path),
        r.summary.errors,
        r.summary.warnings,
        r.summary.infos,
        match &r.suppressed {
            Some(x) if x.baseline.is_some() => format!("; {} baselined", x.baselined),
            _ => String::new(),
        }
    );
    if let Some(inc) = &r.incomplete {
        let _ = writeln!(s, "<p class=\"note\">{}</p>", esc(&inc.message));
    }
    if let Some(sk) = &r.skipped {
        let _ = writeln!(s, "<p class=\"note\">{}</p>", esc(&sk.message));
    }
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &r.findings {
        by_file.entry(f.location.file.as_str()).or_default().push(f);
    }
    let empty = ContentGraph::default();
    let g = r.contents.as_ref().unwrap_or(&empty);
    let mut drawn = BTreeSet::new();
    if !g.roots.is_empty() {
        s.push_str("<h3>Content graph</h3>\n<ul class=\"tree\">\n");
        for &root in &g.roots {
            node(s, g, root, i, &by_file, &mut drawn, 0, n);
        }
        s.push_str("</ul>\n");
    }
    // Findings on files the graph does not draw, in report order.
    let mut others: Vec<&str> = Vec::new();
    for f in &r.findings {
        let file = f.location.file.as_str();
        let in_graph = g.node_of(file).is_some_and(|x| drawn.contains(&x));
        if !in_graph && !others.contains(&file) {
            others.push(file);
        }
    }
    if !others.is_empty() {
        s.push_str("<h3>Other files</h3>\n<ul class=\"tree\">\n");
        for file in others {
            let fs = by_file.get(file).map_or(&[][..], |v| v.as_slice());
            let _ = writeln!(
                s,
                "<li class=\"node\"><details open><summary><span class=\"kind\">file</span> <code>{}</code>{}</summary>",
                esc(file),
                badge(fs)
            );
            findings(s, fs, n);
            s.push_str("</details></li>\n");
        }
        s.push_str("</ul>\n");
    }
    if !r.not_listed.is_empty() {
        s.push_str("<h3>Counted, not listed</h3>\n<ul class=\"notes\">\n");
        for nl in &r.not_listed {
            let _ = writeln!(
                s,
                "<li class=\"not-listed\" data-severity=\"{}\" data-code=\"{}\" data-count=\"{}\"><code>{}</code>: {}</li>",
                nl.severity,
                esc(nl.code),
                nl.count,
                esc(&nl.file),
                esc(&nl.message)
            );
        }
        s.push_str("</ul>\n");
    }
    if r.findings.is_empty() && r.not_listed.is_empty() {
        s.push_str("<p class=\"clean\">No findings.</p>\n");
    }
    s.push_str("</section>\n");
}

#[allow(clippy::too_many_arguments)]
fn node(
    s: &mut String,
    g: &ContentGraph,
    id: usize,
    input: usize,
    by_file: &BTreeMap<&str, Vec<&Finding>>,
    drawn: &mut BTreeSet<usize>,
    depth: usize,
    n: &mut usize,
) {
    let Some(nd) = g.nodes.get(id) else { return };
    let anchor = format!("node-{input}-{id}");
    if drawn.contains(&id) || depth > MAX_DEPTH {
        let _ = writeln!(
            s,
            "<li class=\"ref\"><a href=\"#{anchor}\"><code>{}</code></a> (drawn {})</li>",
            esc(&nd.file),
            if drawn.contains(&id) {
                "above"
            } else {
                "elsewhere"
            }
        );
        return;
    }
    drawn.insert(id);
    let fs = by_file
        .get(nd.file.as_str())
        .map_or(&[][..], |v| v.as_slice());
    let mut meta = Vec::new();
    if let Some(mt) = &nd.media_type {
        meta.push(format!("<span class=\"mt\">{}</span>", esc(mt)));
    }
    if let Some(size) = nd.size {
        meta.push(format!("{size} bytes"));
    }
    if !nd.present {
        meta.push("<span class=\"missing\">not in the input</span>".into());
    }
    let _ = writeln!(
        s,
        "<li class=\"node\" id=\"{anchor}\" data-file=\"{}\"><details open><summary><span class=\"kind\">{}</span> <code>{}</code> {}{}</summary>",
        esc(&nd.file),
        esc(&nd.kind),
        esc(&nd.file),
        meta.join(" · "),
        badge(fs)
    );
    findings(s, fs, n);
    if !nd.edges.is_empty() {
        s.push_str("<ul class=\"children\">\n");
        for e in &nd.edges {
            let _ = writeln!(
                s,
                "<li class=\"edge\"><span class=\"role\">{}</span> <span class=\"at\">{}</span>\n<ul>",
                esc(&e.role),
                esc(&e.at)
            );
            node(s, g, e.to, input, by_file, drawn, depth + 1, n);
            s.push_str("</ul></li>\n");
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</details></li>\n");
}

fn badge(fs: &[&Finding]) -> String {
    if fs.is_empty() {
        return String::new();
    }
    let worst = fs
        .iter()
        .map(|f| f.severity)
        .max()
        .map_or("info", |w| w.as_str());
    format!(
        " <span class=\"badge {worst}\" data-total=\"{}\">{} finding{}</span>",
        fs.len(),
        fs.len(),
        if fs.len() == 1 { "" } else { "s" }
    )
}

fn findings(s: &mut String, fs: &[&Finding], n: &mut usize) {
    if fs.is_empty() {
        return;
    }
    s.push_str("<ul class=\"findings\">\n");
    for f in fs {
        *n += 1;
        let mut at = Vec::new();
        if let Some(p) = f.location.pointer.as_deref().filter(|p| !p.is_empty()) {
            at.push(format!("<code>{}</code>", esc(p)));
        }
        if let (Some(l), Some(c)) = (f.location.line, f.location.column) {
            at.push(format!("line {l}, column {c}"));
        }
        if let Some(e) = &f.location.entry {
            at.push(format!(
                "tar entry <code>{}</code> at offset {}",
                esc(&e.path),
                e.offset
            ));
        }
        let _ = writeln!(
            s,
            "<li class=\"finding {sev}\" id=\"finding-{n}\" data-severity=\"{sev}\" data-code=\"{code}\">\
             <span class=\"sev {sev}\">{sev}</span> <a class=\"code\" href=\"#rule-{code}\">{code}</a> \
             <span class=\"name\">{name}</span>{at}\n<div class=\"msg\">{msg}</div>\n\
             <div class=\"refs\">{clauses} · <a href=\"{url}\">spec</a></div></li>",
            sev = f.severity,
            code = esc(f.code),
            name = esc(f.name),
            at = if at.is_empty() {
                String::new()
            } else {
                format!(" <span class=\"at\">at {}</span>", at.join(", "))
            },
            msg = esc(&f.message),
            clauses = esc(&f.clauses.join(", ")),
            url = esc(&f.spec_url),
        );
    }
    s.push_str("</ul>\n");
}

fn rule_docs(s: &mut String, reports: &[Report], rules: &[RuleInfo]) {
    let codes: BTreeSet<&str> = reports
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .map(|f| f.code)
                .chain(r.not_listed.iter().map(|n| n.code))
        })
        .collect();
    if codes.is_empty() {
        return;
    }
    s.push_str("<section id=\"rules\">\n<h2>Rules</h2>\n");
    for code in codes {
        let Some(r) = rules.iter().find(|r| r.code == code) else {
            continue;
        };
        let _ = writeln!(
            s,
            "<article class=\"rule\" id=\"rule-{}\">\n<h3>{} <code>{}</code></h3>\n<p class=\"meta\">{} by default · clauses {}</p>",
            esc(r.code),
            esc(r.code),
            esc(r.name),
            r.default_severity,
            esc(&r.clauses.join(", "))
        );
        markdown(s, &r.help);
        let _ = writeln!(
            s,
            "<p>Spec: <a href=\"{0}\">{0}</a></p>\n</article>",
            esc(&r.help_uri)
        );
    }
    s.push_str("</section>\n");
}

/// The little Markdown the rule docs use: headings, paragraphs, `-` lists, `code` and **bold**.
fn markdown(s: &mut String, md: &str) {
    let mut para: Vec<&str> = Vec::new();
    let mut list = false;
    let flush = |s: &mut String, para: &mut Vec<&str>| {
        if !para.is_empty() {
            let _ = writeln!(s, "<p>{}</p>", inline(&para.join(" ")));
            para.clear();
        }
    };
    for line in md.lines() {
        let t = line.trim();
        if let Some(item) = t.strip_prefix("- ") {
            flush(s, &mut para);
            if !list {
                s.push_str("<ul>\n");
                list = true;
            }
            let _ = writeln!(s, "<li>{}</li>", inline(item));
            continue;
        }
        if list && (t.is_empty() || t.starts_with('#')) {
            s.push_str("</ul>\n");
            list = false;
        }
        if list {
            // A list item's continuation line.
            let _ = writeln!(s, "{}", inline(t));
            continue;
        }
        if let Some(h) = t.strip_prefix('#') {
            flush(s, &mut para);
            let _ = writeln!(s, "<h4>{}</h4>", inline(h.trim_start_matches('#').trim()));
        } else if t.is_empty() {
            flush(s, &mut para);
        } else {
            para.push(t);
        }
    }
    flush(s, &mut para);
    if list {
        s.push_str("</ul>\n");
    }
}

fn inline(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            for (j, b) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<strong>{}</strong>", esc(b));
                } else {
                    out.push_str(&esc(b));
                }
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root{--err:#b3261e;--warn:#8a5a00;--info:#0b6e99;--fg:#1d1d1f;--mute:#666;--line:#ddd}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:0 1.2em 3em}
header h1{font-size:1.4em;margin:.8em 0 .2em}
.meta,.settings{color:var(--mute);margin:.2em 0}
.summary{font-weight:600}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
nav#filters{position:sticky;top:0;background:#fafafa;border:1px solid var(--line);border-radius:6px;padding:.5em .8em;display:flex;flex-wrap:wrap;gap:1em;align-items:center;z-index:1}
fieldset{border:0;margin:0;padding:0;display:flex;gap:.8em;align-items:center}
legend{font-weight:600;float:left;margin-right:.5em}
#shown{margin:0 0 0 auto;color:var(--mute)}
.sev{font-weight:700;text-transform:lowercase}
.sev.error,.badge.error{color:var(--err)}.sev.warning,.badge.warning{color:var(--warn)}.sev.info,.badge.info{color:var(--info)}
.badge{font-size:.85em;border:1px solid currentColor;border-radius:9px;padding:0 .5em;margin-left:.4em}
ul.tree,ul.tree ul{list-style:none;padding-left:1.1em;margin:.2em 0}
ul.tree{padding-left:0}
.children{border-left:1px dashed var(--line)}
.node>details>summary{cursor:pointer;padding:.15em 0}
.kind{display:inline-block;min-width:7.5em;color:var(--mute);font-size:.9em}
.mt{color:var(--mute);font-size:.9em}
.missing{color:var(--err)}
.role{font-size:.85em;background:#eef;border-radius:4px;padding:0 .35em}
.at{color:var(--mute);font-size:.85em}
ul.findings{list-style:none;padding-left:.6em;margin:.3em 0 .5em}
li.finding{border-left:3px solid var(--line);padding:.25em .6em;margin:.3em 0;background:#fcfcfc}
li.finding.error{border-color:var(--err)}li.finding.warning{border-color:var(--warn)}li.finding.info{border-color:var(--info)}
li.finding .msg{margin:.15em 0}
li.finding .refs{font-size:.85em;color:var(--mute)}
a.code{font-weight:700;text-decoration:none}
.rule{border-top:1px solid var(--line);padding-top:.4em}
.rule h3{margin:.4em 0 .1em}
.rule h4{margin:.6em 0 .1em;font-size:1em}
.clean{color:#1b6e20;font-weight:600}
[hidden]{display:none!important}
"#;

const JS: &str = r#"
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll('li.finding'));
  var sevs = Array.prototype.slice.call(document.querySelectorAll('input.f-sev'));
  var rule = document.getElementById('f-rule');
  var shown = document.getElementById('shown');
  function apply() {
    var on = {};
    sevs.forEach(function (b) { on[b.value] = b.checked; });
    var code = rule.value, n = 0;
    items.forEach(function (it) {
      var show = on[it.getAttribute('data-severity')] && (!code || it.getAttribute('data-code') === code);
      it.hidden = !show;
      if (show) n++;
    });
    document.querySelectorAll('.badge').forEach(function (b) {
      var list = b.closest('details').querySelector(':scope > ul.findings');
      var k = list ? list.querySelectorAll(':scope > li.finding:not([hidden])').length : 0;
      b.textContent = k + ' of ' + b.getAttribute('data-total') + ' shown';
    });
    shown.textContent = 'Showing ' + n + ' of ' + items.length + ' findings';
    document.body.setAttribute('data-shown', String(n));
  }
  // A filter in the address: #severity=error,warning&rule=MAN001
  var h = location.hash.replace(/^#/, '');
  if (h.indexOf('=') > 0) {
    h.split('&').forEach(function (kv) {
      var p = kv.split('='), v = decodeURIComponent(p[1] || '');
      if (p[0] === 'severity') {
        var want = v.split(',');
        sevs.forEach(function (b) { b.checked = want.indexOf(b.value) >= 0; });
      } else if (p[0] === 'rule') {
        rule.value = v;
      }
    });
  }
  sevs.forEach(function (b) { b.addEventListener('change', apply); });
  rule.addEventListener('change', apply);
  apply();
  document.body.setAttribute('data-ready', '1');
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_renders_the_docs_markdown() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let mut s = String::new();
        markdown(&mut s, "## What\nA `<b>` and **bold**.\n\n- one\n- two\n");
        assert_eq!(
            s,
            "<h4>What</h4>\n<p>A <code>&lt;b&gt;</code> and <strong>bold</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        );
    }
}
