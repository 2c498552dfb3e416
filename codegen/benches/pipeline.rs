//! How long each stage of `cargo xtask codegen` takes on the real spec: loading and
//! validating `spec/`, lowering, and emitting the formatted files. Run with
//! `cargo bench -p codegen`; prints the median and the range over the runs.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn measure(name: &str, mut f: impl FnMut()) {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<28} median {:>8.1} ms   (min {:.1}, max {:.1}, {RUNS} runs)",
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
}

fn main() {
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let spec = codegen::load_spec(&spec_dir, "spec").expect("the checked-in spec is valid");
    measure("load + validate spec/", || {
        black_box(codegen::load_spec(&spec_dir, "spec").unwrap());
    });
    measure("lower to IR", || {
        black_box(codegen::ir::lower(&spec));
    });
    measure("emit + format all files", || {
        black_box(codegen::emit::generate(&spec));
    });
    measure("OpenAPI export", || {
        black_box(codegen::openapi::render(&spec));
    });
    let edited = edited_spec(&spec_dir);
    measure("semantic diff, 10 edits", || {
        black_box(codegen::diff::compare(&spec, &edited));
    });
}

/// The real spec with ten edits: an operation rename, a path, a limit, an operation
/// deprecation, docs, a field deprecation, a model rename, a model's docs, an enum value
/// and the API version.
fn edited_spec(dir: &Path) -> codegen::Spec {
    let edits: [(&str, &str, &str); 10] = [
        ("users.yaml", "  disconnect_user:\n", "  force_logout_user:\n"),
        ("users.yaml", "    path: /users/{username}/password\n", "    path: /users/{username}/pwd\n"),
        ("users.yaml", "max: 100, default: 10, doc: \"Number of users to return", "max: 50, default: 10, doc: \"Number of users to return"),
        ("users.yaml", "    name_zh: 获取单个用户的详情\n", "    name_zh: 获取单个用户的详情\n    deprecated: true\n"),
        ("users.yaml", "    summary: Get the details of one user.", "    summary: Get one user's details."),
        ("users.yaml", "      nickname: {type: string, doc: \"Nickname shown in offline push notifications.\"}", "      nickname: {type: string, deprecated: true, doc: \"Nickname shown in offline push notifications.\"}"),
        ("contacts.yaml", "ContactEntry", "FriendEntry"),
        ("contacts.yaml", "    doc: One page of a friend list.", "    doc: One page of a contact list."),
        ("messages.yaml", "      - {value: txt, doc: \"Text message.\"}\n", "      - {value: txt, doc: \"Text message.\"}\n      - {value: sticker, doc: \"Sticker message.\"}\n"),
        ("easemob.yaml", "  version: 1.0.0", "  version: 1.1.0"),
    ];
    let mut sources = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "yaml")).collect();
    names.sort();
    for path in names {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut text = std::fs::read_to_string(&path).unwrap();
        for (_, from, to) in edits.iter().filter(|(f, _, _)| *f == file) {
            text = text.replace(from, to);
        }
        sources.push((format!("spec/{file}"), text));
    }
    codegen::load_spec_sources(sources).expect("the edited spec is valid")
}
