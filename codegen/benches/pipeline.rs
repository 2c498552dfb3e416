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
}
