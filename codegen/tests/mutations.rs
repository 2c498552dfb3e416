//! A bounded, deterministic fuzz run of the loader: a few hundred mutations of the real spec
//! files (byte flips, line deletions, indentation changes, duplicated and swapped lines,
//! truncation, and the probe cases as seeds: deep nesting, an alias bomb, tabs, invalid
//! UTF-8, a long `extends` chain, an oversized file). Each must load or end in diagnostics
//! that all carry `file:line:col`, without a panic, in bounded time. `codegen/fuzz/` runs
//! the same check unbounded, with cargo-fuzz.

use std::path::Path;
use std::time::{Duration, Instant};

/// How many mutants, and the seed; `CODEGEN_MUTANTS` and `CODEGEN_SEED` override them for
/// a longer run (`CODEGEN_MUTANTS=20000 cargo test -p codegen --test mutations`).
const MUTANTS: usize = 400;
const SEED: u64 = 0x5eed_1e55_0ad5_7e57;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn spec_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| (format!("spec/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read(&p).unwrap()))
        .collect()
}

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn indent_of(line: &[u8]) -> usize {
    line.iter().take_while(|&&b| b == b' ').count()
}

/// One mutation of `bytes`, and its name for the failure message.
fn mutate(rng: &mut Rng, bytes: &[u8]) -> (&'static str, Vec<u8>) {
    let mut lines = lines(bytes);
    let at = rng.below(lines.len());
    let pad = " ".repeat(indent_of(&lines[at]));
    let kind = rng.below(12);
    let name = match kind {
        0 => {
            let mut out = bytes.to_vec();
            let i = rng.below(out.len());
            out[i] ^= 1 << rng.below(8);
            return ("byte flip", out);
        }
        1 => {
            lines.remove(at);
            "line deletion"
        }
        2 => {
            let line = &mut lines[at];
            if rng.below(2) == 0 {
                line.splice(0..0, b"  ".iter().copied());
            } else {
                let cut = indent_of(line).min(1 + rng.below(2));
                line.drain(..cut);
            }
            "indentation change"
        }
        3 => {
            let copy = lines[at].clone();
            lines.insert(at, copy);
            "duplicated key"
        }
        4 => {
            let other = rng.below(lines.len());
            lines.swap(at, other);
            "swapped lines"
        }
        5 => {
            let mut out = bytes.to_vec();
            out.truncate(rng.below(out.len()));
            return ("truncation", out);
        }
        6 => {
            let depth = 50 + rng.below(10_000);
            let nest = if rng.below(2) == 0 {
                format!("{pad}deep: {}1{}\n", "[".repeat(depth), "]".repeat(depth))
            } else {
                (0..depth.min(1_200)).map(|i| format!("{pad}{}k{i}:\n", " ".repeat(i))).collect()
            };
            lines.insert(at, nest.into_bytes());
            "deep nesting"
        }
        7 => {
            let mut bomb = format!("{pad}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            for i in 1..9 {
                bomb.push_str(&format!("{pad}a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(", ")));
            }
            lines.insert(at, bomb.into_bytes());
            "alias bomb"
        }
        8 => {
            let line = &mut lines[at];
            if let Some(space) = line.iter().rposition(|&b| b == b' ') {
                line[space] = b'\t';
            }
            "tab"
        }
        9 => {
            let mut out = bytes.to_vec();
            let i = rng.below(out.len());
            out.insert(i, [0xff, 0xc3, 0x80, 0xe2][rng.below(4)]);
            return ("invalid UTF-8", out);
        }
        10 => {
            let n = 20 + rng.below(2_000);
            let mut chain = String::from("\nmodels:\n");
            for i in 0..n {
                chain.push_str(&format!("  Chain{i}:\n    doc: c\n"));
                if i > 0 {
                    chain.push_str(&format!("    extends: Chain{}\n", i - 1));
                }
                chain.push_str(&format!("    fields: {{c{i}: {{type: string, doc: c}}}}\n"));
            }
            let mut out = bytes.to_vec();
            out.extend_from_slice(chain.as_bytes());
            return ("extends chain", out);
        }
        _ => {
            let mut out = bytes.to_vec();
            let filler = format!("# {}\n", "x".repeat(1 + rng.below(200)));
            while out.len() <= 2 * 1024 * 1024 {
                out.extend_from_slice(filler.as_bytes());
            }
            return ("oversized file", out);
        }
    };
    (name, lines.concat())
}

/// The diagnostics of a report without `file:line:col`.
fn unlocated(report: &str) -> Vec<String> {
    let lines: Vec<&str> = report.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("error: ") && !line.starts_with("error: the spec has ") {
            let located = lines.get(i + 1).is_some_and(|next| next.starts_with("  --> "));
            if !located {
                out.push(line.to_string());
            }
        }
    }
    out
}

#[test]
fn mutated_specs_load_or_report_located_problems() {
    let files = spec_files();
    let shared = files.iter().position(|(n, _)| n == "spec/easemob.yaml").unwrap();
    let mutants = setting("CODEGEN_MUTANTS", MUTANTS as u64) as usize;
    let mut rng = Rng(setting("CODEGEN_SEED", SEED).max(1));
    let started = Instant::now();
    let (mut ok, mut refused) = (0, 0);
    let mut most = (0, String::new());
    for i in 0..mutants {
        // The mutated file beside the shared one, whose models every group uses; the shared
        // file is mutated too, beside one group.
        let target = rng.below(files.len());
        let (kind, mutant) = mutate(&mut rng, &files[target].1);
        let mut sources = vec![files[shared].clone()];
        if target == shared {
            sources[0].1 = mutant;
            sources.push(files[(shared + 1) % files.len()].clone());
        } else {
            sources.push((files[target].0.clone(), mutant));
        }
        let label = format!("mutant {i} ({kind} of {})", files[target].0);
        let start = Instant::now();
        let result = std::panic::catch_unwind(|| codegen::load_spec_bytes(sources.clone()));
        let took = start.elapsed();
        let Ok(result) = result else { panic!("{label} panicked") };
        assert!(took < Duration::from_secs(3), "{label} took {took:?}");
        match result {
            Ok(_) => ok += 1,
            Err(report) => {
                refused += 1;
                let missing = unlocated(&report);
                assert!(missing.is_empty(), "{label}: problems without a location: {missing:?}\n{}", &report[..report.len().min(4_000)]);
                assert!(report.contains("= help: "), "{label}: no help in\n{report}");
                let count = report.lines().filter(|l| l.starts_with("error: ") && !l.starts_with("error: the spec has ")).count();
                if count > most.0 {
                    most = (count, label);
                }
            }
        }
    }
    let took = started.elapsed();
    eprintln!("{mutants} mutants: {ok} loaded, {refused} refused with located problems, {took:?}; most problems from one mutant: {} ({})", most.0, most.1);
    assert!(refused > mutants / 2, "most mutations should break something: {ok} loaded");
}
