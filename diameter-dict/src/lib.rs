//! Diameter dictionaries: the model and a loader for the go-diameter / CGRateS XML format.
//!
//! ```
//! let mut dict = diameter_dict::Dictionary::new();
//! let warnings = dict
//!     .load_str(
//!         "example.xml",
//!         r#"<diameter><application id="4" type="auth" name="Charging Control">
//!              <command code="272" short="CC" name="Credit-Control"/>
//!              <avp name="CC-Request-Number" code="415" must="M" may="P" must-not="V">
//!                <data type="Unsigned32"/>
//!              </avp>
//!            </application></diameter>"#,
//!     )
//!     .unwrap();
//! assert!(warnings.is_empty());
//! assert_eq!(dict.avp(4, 415, 0).unwrap().name, "CC-Request-Number");
//! assert_eq!(dict.command_by_name("CCR").unwrap().code, 272);
//! ```

#![warn(missing_docs)]

mod check;
pub mod compare;
mod dictionary;
mod error;
mod files;
pub use files::dictionary_files;
mod flags;
pub mod foreign;
mod hash;
mod index;
mod lines;
mod model;
mod parser;
mod shipped;
mod stats;
mod values;

pub use dictionary::{Diagnostic, Dictionary};
pub use error::DictError;
pub use model::*;
pub use stats::{Counts, Stats};
