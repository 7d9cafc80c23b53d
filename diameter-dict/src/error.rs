//! Dictionary load errors: each names the file, the line and the item.

use crate::model::Location;

/// An error that stops a dictionary from loading.
#[derive(Debug, thiserror::Error)]
pub enum DictError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A problem in the XML or its content, at a known place.
    #[error("{location}: {message}")]
    Invalid {
        /// The file and line of the offending element.
        location: Location,
        /// What is wrong, naming the item.
        message: String,
    },
}
