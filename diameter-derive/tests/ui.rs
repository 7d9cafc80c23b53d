//! Derive error messages, pinned: each `tests/ui/*.rs` fails to compile with the
//! `.stderr` next to it, except `pass_*.rs`, which must compile and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
