//! `--repos GLOB` and `--tags GLOB`: shell-like patterns matched against a whole repository name or tag.
//!
//! `*` matches any run of characters but `/`, `**` any run including `/`, `?` one character but `/`; every other
//! character matches itself (there are no classes or escapes: repository names and tags hold none of `*?[]`).
//! `library/*` matches `library/alpine`, not `library/a/b`; `**/alpine` matches `alpine` below any path;
//! `v1.*` matches the tags `v1.0` and `v1.2.3`.

/// One pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(String);

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob(pattern.to_string())
    }

    pub fn matches(&self, name: &str) -> bool {
        let p: Vec<char> = self.0.chars().collect();
        let s: Vec<char> = name.chars().collect();
        matches_at(&p, &s)
    }
}

/// Whether any of `globs` matches (all names match when there are none).
pub fn any(globs: &[Glob], name: &str) -> bool {
    globs.is_empty() || globs.iter().any(|g| g.matches(name))
}

/// Dynamic programming over (pattern position, name position): O(|p|·|s|) time and O(|s|) memory whatever the
/// pattern (a backtracking matcher is exponential on `*a*a*a…`).
fn matches_at(p: &[char], s: &[char]) -> bool {
    let n = s.len();
    let mut cur = vec![false; n + 1];
    cur[0] = true;
    let mut i = 0;
    while i < p.len() {
        let mut next = vec![false; n + 1];
        match p[i] {
            '*' if p.get(i + 1) == Some(&'*') => {
                // `**`: any run.
                let mut reach = false;
                for j in 0..=n {
                    reach |= cur[j];
                    next[j] = reach;
                }
                i += 2;
                // `**/` also matches nothing at all (`**/alpine` matches `alpine`).
                if p.get(i) == Some(&'/') {
                    let mut also = vec![false; n + 1];
                    for j in 0..n {
                        if next[j] && s[j] == '/' {
                            also[j + 1] = true;
                        }
                    }
                    for j in 0..=n {
                        next[j] = also[j] || cur[j];
                    }
                    i += 1;
                }
                cur = next;
                continue;
            }
            '*' => {
                let mut reach = false;
                for j in 0..=n {
                    if cur[j] {
                        reach = true;
                    }
                    next[j] = reach;
                    if j < n && s[j] == '/' {
                        reach = false;
                    }
                }
            }
            '?' => {
                for j in 0..n {
                    if cur[j] && s[j] != '/' {
                        next[j + 1] = true;
                    }
                }
            }
            c => {
                for j in 0..n {
                    if cur[j] && s[j] == c {
                        next[j + 1] = true;
                    }
                }
            }
        }
        cur = next;
        i += 1;
    }
    cur[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Glob::new(p).matches(s)
    }

    #[test]
    fn stars() {
        assert!(m("library/*", "library/alpine"));
        assert!(!m("library/*", "library/a/b"));
        assert!(m("library/**", "library/a/b"));
        assert!(m("**/alpine", "alpine"));
        assert!(m("**/alpine", "x/y/alpine"));
        assert!(!m("**/alpine", "x/yalpine"));
        assert!(m("v1.*", "v1.2.3"));
        assert!(!m("v1.*", "v2.0"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
        assert!(m("*", "anything"));
        assert!(!m("*", "a/b"));
        assert!(m("exact", "exact"));
        assert!(!m("exact", "exactly"));
        assert!(m("", ""));
        assert!(any(&[], "x"));
        // Many stars against a long name: quadratic at worst, not exponential.
        let long = "a".repeat(2000);
        assert!(!m(&"*a".repeat(200), &(long.clone() + "b")));
        assert!(m(&"*a".repeat(50), &long));
    }
}
