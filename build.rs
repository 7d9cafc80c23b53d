//! Checks the shipped dictionaries at build time, so that a bad edit to
//! `dictionaries/*.xml` fails the build with the file, line and item.

use std::path::Path;

fn main() {
    let dir = Path::new("dictionaries");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut dict = diameter_dict::Dictionary::new();
    if let Err(e) = dict.load_path(dir) {
        panic!("dictionary error: {e}");
    }
    for warning in dict.check() {
        println!("cargo:warning={}: {}", warning.location, warning.message);
    }
}
