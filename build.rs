//! Compiles the shipped dictionaries (`dictionaries/*.xml`) into typed messages, so that a
//! bad edit fails the build with the file, line and item, and a new file's types appear.
//!
//! With the default feature `all-interfaces`, every command of every file is generated.
//! Without it, only the base protocol's commands and those of the interfaces whose feature
//! is on (`gx`, `credit-control`, ...), with the types they use; the run-time dictionary
//! (`diameter::dictionary()`, dumps, the agent) always knows the whole set.

/// Cargo feature -> the dictionary file whose commands it generates.
const INTERFACES: &[(&str, &str)] = &[
    ("credit-control", "credit_control.xml"),
    ("nasreq", "nasreq.xml"),
    ("eap", "eap.xml"),
    ("mip6", "mip6.xml"),
    ("cxdx", "cxdx.xml"),
    ("gx", "gx.xml"),
    ("rx", "rx.xml"),
    ("s6a", "s6a.xml"),
    ("s6b", "s6b.xml"),
    ("s6t", "s6t.xml"),
    ("sd", "sd.xml"),
    ("sh", "sh.xml"),
    ("sta", "sta.xml"),
    ("swm", "swm.xml"),
    ("swx", "swx.xml"),
    ("sy", "sy.xml"),
    ("t6a", "t6a.xml"),
];

fn enabled(feature: &str) -> bool {
    let var = format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"));
    std::env::var_os(var).is_some()
}

fn main() {
    let mut builder = diameter_codegen::Builder::new().dictionary("dictionaries");
    if !enabled("all-interfaces") {
        builder = builder.commands_from("base.xml");
        for (feature, file) in INTERFACES {
            if enabled(feature) {
                builder = builder.commands_from(*file);
            }
        }
    }
    if let Err(e) = builder.compile() {
        panic!("{e}");
    }
}
