//! Sizes on the command line: a number of bytes, or one with a unit: `K`, `M`, `G`, `T` (and `KiB` … `TiB`) are
//! powers of 1024, `KB`, `MB`, `GB`, `TB` powers of 1000. Case does not matter.

pub fn parse(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = num.replace('_', "");
    if num.is_empty() {
        return Err(format!("{s:?}: expected a size such as 1048576, 64M or 1G"));
    }
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?}: the number is too large"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        u => {
            return Err(format!(
                "{s:?}: unknown unit {u:?} (expected K, M, G, T, KiB … TiB, or KB … TB)"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?}: the size is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse("1024"), Ok(1024));
        assert_eq!(parse("64M"), Ok(64 << 20));
        assert_eq!(parse("64MiB"), Ok(64 << 20));
        assert_eq!(parse("1g"), Ok(1 << 30));
        assert_eq!(parse("2GB"), Ok(2_000_000_000));
        assert_eq!(parse("1_000"), Ok(1000));
        assert!(parse("M").is_err());
        assert!(parse("12X").is_err());
        assert!(parse("99999999999T").is_err());
    }
}
