//! The probe cases that used to take the loader down, generated here (too large to check
//! in): each must end in located diagnostics, quickly. The small ones also have a fixture in
//! `tests/broken/` with a snapshot of the report.

mod snapshot_help;

use std::path::Path;
use std::time::{Duration, Instant};

fn spec_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// The real spec, every file.
fn real_spec() -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<_> = std::fs::read_dir(spec_dir())
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

/// Loads `files`, which must fail within `limit`; the report.
fn refused(files: Vec<(String, Vec<u8>)>, limit: Duration) -> String {
    let start = Instant::now();
    let result = codegen::load_spec_bytes(files);
    let took = start.elapsed();
    let report = match result {
        Ok(_) => panic!("loaded without a problem"),
        Err(report) => report,
    };
    assert!(took < limit, "took {took:?}:\n{report}");
    report
}

fn with_file(name: &str, text: impl Into<Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    let mut files = real_spec();
    files.push((name.to_owned(), text.into()));
    files
}

fn replace_in(files: &mut [(String, Vec<u8>)], name: &str, from: &str, to: &str) {
    let file = files.iter_mut().find(|(n, _)| n == name).unwrap();
    let text = String::from_utf8(file.1.clone()).unwrap();
    assert!(text.contains(from), "{name} has no {from:?}");
    file.1 = text.replacen(from, to, 1).into_bytes();
}

/// The first error of the report and its location line.
fn first_error(report: &str) -> (String, String) {
    let mut lines = report.lines();
    let message = lines.next().unwrap().to_owned();
    let location = lines.next().unwrap().to_owned();
    (message, location)
}

/// Nested block mappings, one space deeper each line.
fn block_nesting(depth: usize) -> String {
    let mut text = String::from("models:\n  Deep:\n    doc: d\n    fields:\n");
    for i in 0..depth {
        text.push_str(&" ".repeat(6 + i));
        text.push_str(&format!("k{i}:\n"));
    }
    text.push_str(&" ".repeat(6 + depth));
    text.push_str("v: 1\n");
    text
}

#[test]
fn ten_thousand_nested_block_mappings_are_refused_by_size() {
    // 50 MB: this used to overflow the stack (SIGABRT) after 800 MB of path strings.
    let text = block_nesting(10_000);
    let line = text[..2 * 1024 * 1024].matches('\n').count() + 1;
    let report = refused(with_file("spec/zz_deep.yaml", text), Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert!(message.contains("over the limit of 2097152 bytes"), "{report}");
    assert!(location.starts_with(&format!("  --> spec/zz_deep.yaml:{line}:")), "{report}");
}

#[test]
fn deep_block_nesting_within_the_size_limit_is_refused_by_depth() {
    let report = refused(with_file("spec/zz_deep.yaml", block_nesting(1_500)), Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert!(message.contains("nest more than 64 deep"), "{report}");
    assert!(location.starts_with("  --> spec/zz_deep.yaml:66:"), "{report}");
    assert!(report.ends_with("error: the spec has 1 problem\n"), "{report}");
}

#[test]
fn deep_flow_nesting_is_refused_by_depth() {
    let text = format!("models:\n  Deep:\n    doc: d\n    fields: {}1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000));
    let report = refused(with_file("spec/zz_deep.yaml", text), Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert!(message.contains("nest more than 64 deep"), "{report}");
    assert!(location.starts_with("  --> spec/zz_deep.yaml:4:"), "{report}");
    // The snippet of a 60,000-character line is cut to a window.
    assert!(report.len() < 2_000, "{report}");
}

/// A 3.3 KB alias bomb: nine strings of 300 characters, then eight levels of nine aliases
/// to the level below.
fn alias_bomb(indent: usize) -> String {
    let pad = " ".repeat(indent);
    let lol = format!("\"{}\"", "lol".repeat(100));
    let mut lines = vec![format!("{pad}a0: &a0 [{}]", vec![lol; 9].join(","))];
    for i in 1..9 {
        lines.push(format!("{pad}a{i}: &a{i} [{}]", vec![format!("*a{}", i - 1); 9].join(",")));
    }
    lines.join("\n") + "\n"
}

#[test]
fn an_alias_bomb_inside_an_example_is_refused() {
    // In a file of its own serde_yaml refuses the bomb (its budget is 100 alias jumps per
    // event); inside messages.yaml, with its many events, it ran out of memory.
    let mut files = real_spec();
    let messages = files.iter_mut().find(|(n, _)| n == "spec/messages.yaml").unwrap();
    let text = String::from_utf8(messages.1.clone()).unwrap();
    // The first example's request body becomes the bomb.
    let start = text.find("\n        request: {").expect("an example request in messages.yaml") + 1;
    let end = start + text[start..].find('\n').unwrap() + 1;
    messages.1 = format!("{}        request:\n{}{}", &text[..start], alias_bomb(10), &text[end..]).into_bytes();
    let report = refused(files, Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert!(message.contains("aliases expand to more than 100000 nodes"), "{report}");
    assert!(location.starts_with("  --> spec/messages.yaml:"), "{report}");
}

#[test]
fn a_long_extends_chain_is_cut_at_the_depth_limit_quickly() {
    // 2,000 chained models took 19 s and 950 MB (each model walked its whole chain again).
    let mut text = String::from("models:\n");
    for i in 0..2_000 {
        text.push_str(&format!("  M{i}:\n    doc: m\n"));
        if i > 0 {
            text.push_str(&format!("    extends: M{}\n", i - 1));
        }
        text.push_str(&format!("    fields:\n      f{i}: {{type: string, doc: \"x\"}}\n"));
    }
    let report = refused(with_file("spec/zz_extends.yaml", text), Duration::from_secs(5));
    // Only the model that crosses the limit is reported; those below it follow from it.
    assert!(report.ends_with("error: the spec has 1 problem\n"), "{report}");
    let (message, location) = first_error(&report);
    assert!(message.contains("`M17` is 17 `extends` away from the top of its chain, more than 16"), "{report}");
    assert!(location.starts_with("  --> spec/zz_extends.yaml:"), "{report}");
}

#[test]
fn a_fifty_megabyte_file_is_not_read() {
    let model = "  Big{i}:\n    doc: big model number {i}\n    fields:\n      a: {type: string, doc: \"a field\"}\n";
    let mut text = String::from("models:\n");
    let mut i = 0;
    while text.len() < 50_000_000 {
        text.push_str(&model.replace("{i}", &i.to_string()));
        i += 1;
    }
    let text_len = text.len();
    let report = refused(with_file("spec/zz_huge.yaml", text), Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert!(message.contains(&format!("the file is {} bytes, over the limit of 2097152 bytes", text_len)), "{report}");
    assert!(location.starts_with("  --> spec/zz_huge.yaml:"), "{report}");
}

#[test]
fn a_huge_file_on_disk_is_read_no_further_than_the_limit() {
    let dir = std::env::temp_dir().join(format!("codegen-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in real_spec() {
        std::fs::write(dir.join(name.trim_start_matches("spec/")), bytes).unwrap();
    }
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    std::fs::write(dir.join("zz_huge.yaml"), line.repeat(50_000_000 / line.len())).unwrap();
    let report = codegen::load_spec(&dir, "spec").unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    let (message, location) = first_error(&report);
    let size = 50_000_000 / line.len() * line.len();
    assert!(message.contains(&format!("the file is {size} bytes, over the limit of 2097152 bytes")), "{report}");
    assert_eq!(location, format!("  --> spec/zz_huge.yaml:{}:{}", 2 * 1024 * 1024 / line.len() + 1, 2 * 1024 * 1024 % line.len() + 1));
}

#[test]
fn too_many_models_are_refused_at_the_first_one_past_the_limit() {
    let mut text = String::from("models:\n");
    for i in 0..5_000 {
        text.push_str(&format!("  Many{i}:\n    doc: m\n    fields: {{}}\n"));
    }
    let report = refused(with_file("spec/zz_many.yaml", text), Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert!(message.contains("more than 5000 models"), "{report}");
    assert!(location.starts_with("  --> spec/zz_many.yaml:"), "{report}");
    assert!(report.ends_with("error: the spec has 1 problem\n"), "{report}");
}

#[test]
fn invalid_utf8_names_the_file_and_line() {
    let mut files = real_spec();
    let users = files.iter_mut().find(|(n, _)| n == "spec/users.yaml").unwrap();
    let at = users.1.windows(8).position(|w| w == b"summary:").unwrap() + 9;
    users.1.splice(at..at, [0xff, 0xfe]);
    let report = refused(files, Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert!(message.contains("not valid UTF-8: byte 0xff"), "{report}");
    assert_eq!(location, "  --> spec/users.yaml:9:14");
}

#[test]
fn invalid_utf8_on_disk_names_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("codegen-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, mut bytes) in real_spec() {
        if name == "spec/users.yaml" {
            let at = bytes.windows(8).position(|w| w == b"summary:").unwrap() + 9;
            bytes.splice(at..at, [0xff]);
        }
        std::fs::write(dir.join(name.trim_start_matches("spec/")), bytes).unwrap();
    }
    let report = codegen::load_spec(&dir, "spec").unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(report.starts_with("error: the file is not valid UTF-8: byte 0xff"), "{report}");
    assert!(report.contains("  --> spec/users.yaml:9:14"), "{report}");
}

#[test]
fn a_tab_libyaml_accepts_keeps_every_location() {
    let mut files = real_spec();
    replace_in(&mut files, "spec/users.yaml", "\n    group: users", "\n    group:\tusers");
    replace_in(&mut files, "spec/users.yaml", "    summary: Register one user account.\n", "");
    let report = refused(files, Duration::from_secs(5));
    let (message, location) = first_error(&report);
    assert_eq!(message, "error: missing field `summary`");
    assert_eq!(location, "  --> spec/users.yaml:6:3");
    assert!(report.ends_with("error: the spec has 1 problem\n"), "{report}");
}

#[test]
fn one_broken_line_in_the_shared_file_is_one_problem() {
    // This used to report 1,418 follow-on problems: every reference to a model of
    // easemob.yaml as undefined, and every example field inherited from ResponseEnvelope.
    let mut files = real_spec();
    replace_in(&mut files, "spec/easemob.yaml", "  ResponseEnvelope:\n", "  ResponseEnvelope: [\n");
    let report = refused(files, Duration::from_secs(5));
    snapshot_help::reviewed(|| insta::assert_snapshot!(report));
}

#[test]
fn a_model_that_does_not_decode_is_one_problem() {
    let mut files = real_spec();
    replace_in(&mut files, "spec/easemob.yaml", "  ResponseEnvelope:\n", "  ResponseEnvelope:\n    dcc: typo\n");
    let report = refused(files, Duration::from_secs(5));
    assert!(report.starts_with("error: unknown field `dcc`"), "{report}");
    assert!(report.ends_with("error: the spec has 1 problem\n"), "{report}");
}
