//! `ocicheck config`: the settings in force and where each came from.

use ocicheck::config::Resolved;

pub fn render(r: &Resolved, max_memory: u64, json: bool) -> String {
    let set = r.settings(false, ocicheck::DEFAULT_MAX_FINDINGS, None);
    let memory_from = if max_memory == ocicheck::DEFAULT_MAX_MEMORY {
        "default"
    } else {
        "--max-memory"
    };
    if json {
        let mut v = serde_json::to_value(&set).unwrap_or_default();
        v["max_memory"] = serde_json::json!(max_memory);
        v["sources"]["max_memory"] = serde_json::json!(memory_from);
        v["skipped_config_files"] = serde_json::json!(
            r.skipped
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
        );
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        return s;
    }
    let src = |k: &str| {
        set.sources
            .get(k)
            .cloned()
            .unwrap_or_else(|| "default".into())
    };
    let mut rows: Vec<(String, String, String)> = vec![
        (
            "config".into(),
            set.config.clone().unwrap_or_else(|| "none".into()),
            src("config"),
        ),
        ("spec".into(), set.spec.clone(), src("spec")),
        (
            "profile".into(),
            set.profile.clone().unwrap_or_else(|| "none".into()),
            src("profile"),
        ),
        ("fail-on".into(), set.fail_on.clone(), src("fail_on")),
        (
            "max-memory".into(),
            ocicheck::memory::size(max_memory),
            memory_from.into(),
        ),
    ];
    if set.overrides.is_empty() {
        rows.push(("rules".into(), "the defaults".into(), "default".into()));
    }
    for o in &set.overrides {
        rows.push((
            "rules".into(),
            format!("{} = {}", o.selector, o.level),
            o.source.clone(),
        ));
    }
    for i in &set.ignores {
        let mut what = i.code.clone();
        for (k, v) in [
            ("file", &i.file),
            ("pointer", &i.pointer),
            ("input", &i.input),
        ] {
            if let Some(v) = v {
                what.push_str(&format!(" {k}={v}"));
            }
        }
        rows.push(("ignore".into(), what, format!("reason: {}", i.reason)));
    }
    for p in &r.skipped {
        rows.push((
            "not read".into(),
            p.display().to_string(),
            "lies inside an input".into(),
        ));
    }
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    let mut s = String::new();
    for (k, v, from) in rows {
        s.push_str(&format!("{k:<w0$}  {v:<w1$}  ({from})\n"));
    }
    s
}
