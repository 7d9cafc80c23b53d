//! Which files a dictionary path names, in CGRateS's loading order.

use std::io;
use std::path::{Path, PathBuf};

/// The dictionary files under `path`: `path` itself when it is a file; for a folder, the
/// `*.xml` files of that folder (sorted by name), then those of each sub-folder, visited in
/// name order. This is CGRateS's `filepath.Walk` + `filepath.Glob("*.xml")` order.
/// Symbolic links to folders are not followed (as `filepath.Walk`).
pub fn dictionary_files(path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if std::fs::metadata(path)?.is_dir() {
        walk(path, &mut files)?;
    } else {
        files.push(path.to_path_buf());
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let is_dir = entry.file_type()?.is_dir();
        entries.push((entry.file_name(), entry.path(), is_dir));
    }
    entries.sort();
    for (name, path, is_dir) in &entries {
        if !is_dir && name.as_encoded_bytes().ends_with(b".xml") {
            files.push(path.clone());
        }
    }
    for (_, path, is_dir) in &entries {
        if *is_dir {
            walk(path, files)?;
        }
    }
    Ok(())
}
