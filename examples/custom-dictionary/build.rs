//! Generates typed messages for the shipped dictionaries plus this crate's vendor file.

fn main() {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../dictionaries");
    if let Err(e) = diameter_codegen::Builder::new()
        .dictionary(shipped)
        .dictionary("dictionaries")
        .compile()
    {
        panic!("{e}");
    }
}
