//! Compiles the shipped dictionaries (`dictionaries/*.xml`) into typed messages, so that a
//! bad edit fails the build with the file, line and item, and a new file's types appear.

fn main() {
    if let Err(e) = diameter_codegen::Builder::new()
        .dictionary("dictionaries")
        .compile()
    {
        panic!("{e}");
    }
}
