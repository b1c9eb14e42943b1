//! What the `ocicheck` binary does beyond parsing flags (`main.rs`): the validate run, `ocicheck config`, the man
//! pages and sizes on the command line.

pub mod config_cmd;
pub mod jsonl;
pub mod man;
pub mod merge;
pub mod out;
pub mod size;
pub mod validate;
