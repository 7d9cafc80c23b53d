//! Scratch directories for tests that write files (databases, sockets, configurations).

use std::path::PathBuf;

/// A fresh directory under the system's temporary one, removed on drop, its path short
/// enough to hold a Unix socket. `name` keeps the tests of one binary apart; the process id
/// keeps concurrent runs apart.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("diameter-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// `file` inside the directory.
    pub fn join(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
