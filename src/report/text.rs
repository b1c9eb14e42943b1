//! Word wrapping for the text formats: lines of at most [`WIDTH`] columns, broken between words only, with a
//! hanging indent. A word longer than the line (a URL, a blob path) gets a line of its own instead of being cut.

/// The width the human report wraps at.
pub const WIDTH: usize = 80;

/// A space the wrapping never breaks at (it prints as a plain space).
pub const NBSP: char = '\u{a0}';

/// `text` wrapped at `width`: the first line starts with `first` (already counted in the width), the others
/// with `rest`. [`NBSP`] joins words that stay on one line.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> String {
    wrap_inner(text, first, rest, width).replace(NBSP, " ")
}

fn wrap_inner(text: &str, first: &str, rest: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, para) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        wrap_line(
            &mut out,
            para,
            if i == 0 { first } else { rest },
            rest,
            width,
        );
    }
    out
}

fn wrap_line(out: &mut String, text: &str, first: &str, rest: &str, width: usize) {
    out.push_str(first);
    let mut col = first.chars().count();
    let mut at_start = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = word.chars().count();
        if !at_start && col + 1 + w > width {
            out.push('\n');
            out.push_str(rest);
            col = rest.chars().count();
            at_start = true;
        }
        if !at_start {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
        at_start = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_between_words_and_never_inside_one() {
        let t = wrap("aaa bbb ccc ddd", "> ", "  ", 10);
        assert_eq!(t, "> aaa bbb\n  ccc ddd");
        let long = "x".repeat(30);
        let t = wrap(&format!("see {long} now"), "", "  ", 10);
        assert_eq!(t, format!("see\n  {long}\n  now"));
        for line in wrap(&"word ".repeat(100), "    ", "    ", 80).lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
    }
}
