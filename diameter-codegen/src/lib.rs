//! Turns Diameter XML dictionaries into Rust types at build time, in the manner of
//! prost-build: plain structs and enums with `#[derive(...)]` attributes, whose codec comes
//! from the derives of `diameter-derive` (re-exported as `diameter::typed`).
//!
//! In a `build.rs`:
//!
//! ```no_run
//! diameter_codegen::Builder::new()
//!     .dictionary("dictionaries")          // a folder (every *.xml) or a file
//!     .compile()
//!     .expect("dictionaries compile");
//! ```
//!
//! and in the crate:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/diameter_generated.rs"));
//! ```
//!
//! which defines, at the place of the `include!`:
//!
//! * `avps`: one struct per grouped AVP (`ServiceInformation`), one enum per enumerated AVP
//!   with named values (`CcRequestType::EventRequest`, plus `Unknown(i32)` for any other).
//! * `commands::<command>`: `<Name>Request` and `<Name>Answer` per command
//!   (`commands::credit_control::CreditControlRequest`); each module re-exports `avps`.
//! * `constants`: `VENDOR_*`, `APP_*`, `CMD_*`, `AVP_*` codes, `E_<AVP>_<VALUE>` enumerated
//!   values (typed: `E_CC_REQUEST_TYPE_EVENT_REQUEST: CcRequestType`) and the RFC 6733 /
//!   RFC 4006 Result-Codes (`DIAMETER_SUCCESS`), named as python-diameter names them.
//! * `dictionary()`: the same dictionaries, loaded once at run time, for dumps and lookups.
//!
//! Fields: a required single AVP is `T`, an optional one `Option<T>`, a repeated one
//! `Vec<T>`; grouped members that occur at most once are boxed (`Option<Box<T>>`), so that
//! large groups (Service-Information) stay small in their parents. Data types map to `u32`,
//! `u64`, `i32`, `i64`, `f32`, `f64`, `String` (UTF8String), `Identity` (DiameterIdentity),
//! `Bytes` (OctetString), `Address`, `Time`, `DiameterUri`, `IpFilterRule`, `QosFilterRule`,
//! `Ipv4Addr`/`Ipv6Addr` (go-diameter's IPv4/IPv6); an Enumerated AVP without named values
//! is an `i32`. Every struct ends with `avps: Vec<Avp>` (AVPs the grammar does not name,
//! kept in order) and `flag_overrides` (received flags that differ from the dictionary's).
//! Structs derive `Default` unless a required member has no default value (an `Address`,
//! a `Time`, ...).
//!
//! Naming and clash rules are in [`names`] and in the documentation of [`plan`]; they are
//! deterministic: the same dictionaries always give the same names.

mod emit;
pub mod names;
pub mod plan;
mod python_names;
mod result_codes;
pub mod select;

use std::path::{Path, PathBuf};

use diameter_dict::{DictError, Dictionary};

pub use select::Selection;

/// Why code could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A dictionary file could not be read or is invalid (names the file, line and item).
    #[error("dictionary error: {0}")]
    Dictionary(#[from] DictError),
    /// A file or folder could not be read or the output could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `OUT_DIR` is not set and no output folder was given.
    #[error("OUT_DIR is not set: call Builder::out_dir or run from a build script")]
    NoOutDir,
}

/// What [`Builder::compile`] produced.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The file written.
    pub path: PathBuf,
    /// The files compiled, in load order.
    pub sources: Vec<PathBuf>,
    /// Warnings from the loader and the generator (already printed as `cargo:warning`
    /// when [`Builder::cargo_directives`] is on).
    pub warnings: Vec<String>,
}

/// Compiles dictionaries into Rust source.
#[derive(Debug, Clone)]
pub struct Builder {
    inputs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    file_name: String,
    krate: String,
    cargo: bool,
    selection: Selection,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// A builder with no dictionary, writing `diameter_generated.rs` into `OUT_DIR`, with
    /// generated code that names the runtime `::diameter`.
    pub fn new() -> Builder {
        Builder {
            inputs: Vec::new(),
            out_dir: None,
            file_name: "diameter_generated.rs".into(),
            krate: "::diameter".into(),
            cargo: true,
            selection: Selection::default(),
        }
    }

    /// Add a dictionary file, or a folder whose `*.xml` files are loaded (by name, then
    /// sub-folders in name order, as `Dictionary::load_path` does). Inputs load in the
    /// order given, so a vendor file added after the shipped folder may extend it.
    pub fn dictionary(mut self, path: impl AsRef<Path>) -> Builder {
        self.inputs.push(path.as_ref().to_path_buf());
        self
    }

    /// Where to write (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Builder {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The output file name (default `diameter_generated.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Builder {
        self.file_name = name.into();
        self
    }

    /// The path by which generated code reaches the `diameter` crate (default
    /// `::diameter`; the facade itself uses it through `extern crate self as diameter`).
    pub fn crate_path(mut self, path: impl Into<String>) -> Builder {
        self.krate = path.into();
        self
    }

    /// Generate command types only for the commands defined in this dictionary file (a file
    /// name such as `gx.xml`, or the end of its path); repeatable, and combined with
    /// [`Builder::application`]. Without either, every command is generated. Grouped and
    /// enumerated types are generated as the selected commands need them, under the names a
    /// full build gives them; constants stay, but for values of types left out.
    ///
    /// ```no_run
    /// diameter_codegen::Builder::new()
    ///     .dictionary("dictionaries")
    ///     .commands_from("base.xml")
    ///     .commands_from("gx.xml")
    ///     .compile()
    ///     .expect("dictionaries compile");
    /// ```
    pub fn commands_from(mut self, file: impl Into<String>) -> Builder {
        self.selection.files.push(file.into());
        self
    }

    /// Generate command types only for the commands of this application id (repeatable;
    /// see [`Builder::commands_from`]).
    pub fn application(mut self, id: u32) -> Builder {
        self.selection.applications.push(id);
        self
    }

    /// Whether to print `cargo:rerun-if-changed` and `cargo:warning` lines (default on).
    pub fn cargo_directives(mut self, on: bool) -> Builder {
        self.cargo = on;
        self
    }

    /// Load the dictionaries: (files in load order, dictionary, load warnings).
    fn load(&self) -> Result<(Vec<PathBuf>, Dictionary, Vec<String>), Error> {
        let mut files = Vec::new();
        for input in &self.inputs {
            files.extend(
                diameter_dict::dictionary_files(input).map_err(|source| Error::Io {
                    path: input.display().to_string(),
                    source,
                })?,
            );
        }
        let mut dict = Dictionary::new();
        let mut warnings = Vec::new();
        for file in &files {
            let xml = std::fs::read_to_string(file).map_err(|source| Error::Io {
                path: file.display().to_string(),
                source,
            })?;
            let loaded = dict.load_str(&file.display().to_string(), &xml)?;
            warnings.extend(loaded.iter().map(ToString::to_string));
        }
        warnings.extend(dict.check().iter().map(ToString::to_string));
        Ok((files, dict, warnings))
    }

    /// Generate the source text without writing it.
    pub fn generate(&self) -> Result<(String, Vec<String>), Error> {
        let (files, dict, mut warnings) = self.load()?;
        let sources: Vec<(String, String)> = files
            .iter()
            .map(|f| {
                let abs = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
                (f.display().to_string(), abs.display().to_string())
            })
            .collect();
        let (source, more) = generate_selected(&dict, &self.krate, &sources, &self.selection);
        warnings.extend(more);
        Ok((source, warnings))
    }

    /// Generate and write the file; with cargo directives on, print `rerun-if-changed` for
    /// every input (folders included, so that a new file triggers a rebuild) and each warning.
    pub fn compile(&self) -> Result<Generated, Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let (files, _, _) = self.load()?;
        if self.cargo {
            for input in self.inputs.iter().chain(&files) {
                println!("cargo:rerun-if-changed={}", input.display());
            }
        }
        let (source, warnings) = self.generate()?;
        let path = out_dir.join(&self.file_name);
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == source);
        if !unchanged {
            std::fs::write(&path, source).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })?;
        }
        if self.cargo {
            for w in &warnings {
                println!("cargo:warning={w}");
            }
        }
        Ok(Generated {
            path,
            sources: files,
            warnings,
        })
    }
}

/// Generate source for a loaded dictionary. `krate` is the path of the `diameter` crate;
/// `sources` are (name, path for `include_str!`) of the dictionary files in load order, for
/// the `dictionary()` function (none when empty). Returns the source and the warnings.
pub fn generate_with(
    dict: &Dictionary,
    krate: &str,
    sources: &[(String, String)],
) -> (String, Vec<String>) {
    generate_selected(dict, krate, sources, &Selection::default())
}

/// [`generate_with`], for the commands `selection` keeps and the types they need.
pub fn generate_selected(
    dict: &Dictionary,
    krate: &str,
    sources: &[(String, String)],
    selection: &Selection,
) -> (String, Vec<String>) {
    let mut plan = plan::plan(dict);
    select::retain(&mut plan, selection);
    let emit = emit::Emit { krate, sources };
    (emit.source(dict, &plan), plan.warnings.clone())
}

/// Generate source for a loaded dictionary, with the defaults (`::diameter`, no
/// `dictionary()` function).
pub fn generate(dict: &Dictionary) -> String {
    generate_with(dict, "::diameter", &[]).0
}
