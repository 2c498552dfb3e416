//! Any bytes, loaded as a spec file beside the real `spec/easemob.yaml`: the loader must not
//! panic, overflow its stack or run out of memory, and every problem it reports must carry
//! `file:line:col`. The bounded version of this check is `codegen/tests/mutations.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

const SHARED: &[u8] = include_bytes!("../../../spec/easemob.yaml");

fuzz_target!(|data: &[u8]| {
    let sources = vec![("spec/easemob.yaml".to_owned(), SHARED.to_vec()), ("spec/fuzzed.yaml".to_owned(), data.to_vec())];
    let Err(report) = codegen::load_spec_bytes(sources) else { return };
    let lines: Vec<&str> = report.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("error: ") && !line.starts_with("error: the spec has ") {
            let located = lines.get(i + 1).is_some_and(|next| next.starts_with("  --> "));
            assert!(located, "a problem without a location: {line}\n{report}");
        }
    }
});
