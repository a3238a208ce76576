//! Upload bodies written to a private temporary file as they arrive, never whole in memory.
//!
//! An upload may be a few hundred MiB; collecting it into memory costs its size (and more while
//! the buffer grows), once per upload in flight. Instead each chunk goes to a file readable by
//! the server's user only (0600: it is health data), in `Config::upload_dir`; the decoders read
//! that file, and it is removed when the [`Spool`] is dropped, whatever happened.

use std::io::{BufReader, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt as _;

use crate::problem::Problem;

/// A body being written to (then read from) a private temporary file.
#[derive(Debug)]
pub(crate) struct Spool {
    path: PathBuf,
    file: tokio::fs::File,
    len: usize,
    limit: usize,
}

impl Spool {
    /// A new, empty, private file in `dir` that refuses to grow past `limit` bytes.
    pub(crate) async fn new(dir: &Path, limit: usize) -> Result<Spool, Problem> {
        let path = dir.join(format!("afterrun-upload-{}", crate::tokens::new_token()));
        let mut options = tokio::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&path).await.map_err(|e| Problem::internal(&e))?;
        Ok(Spool { path, file, len: 0, limit })
    }

    /// Appends a chunk; `Err` with `too_large` past the limit (the file is then removed on drop).
    pub(crate) async fn push(
        &mut self,
        chunk: &[u8],
        too_large: impl FnOnce() -> Problem,
    ) -> Result<(), Problem> {
        self.len = self.len.saturating_add(chunk.len());
        if self.len > self.limit {
            return Err(too_large());
        }
        self.file.write_all(chunk).await.map_err(|e| Problem::internal(&e))
    }

    /// How many bytes were written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The whole content, for reading on a blocking thread: the file rewound, buffered. The
    /// file itself stays until `self` is dropped.
    pub(crate) async fn reader(&mut self) -> Result<BufReader<std::fs::File>, Problem> {
        self.file.flush().await.map_err(|e| Problem::internal(&e))?;
        let file = self.file.try_clone().await.map_err(|e| Problem::internal(&e))?;
        let mut file = file.into_std().await;
        file.seek(SeekFrom::Start(0)).map_err(|e| Problem::internal(&e))?;
        Ok(BufReader::new(file))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %e, "could not remove an upload's file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_spool_refuses_past_its_limit_and_removes_its_file() {
        let too_large = || Problem::not_found(None, "too large");
        let mut spool = Spool::new(&std::env::temp_dir(), 5).await.unwrap();
        let path = spool.path.clone();
        spool.push(b"abc", too_large).await.unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut spool.reader().await.unwrap(), &mut text).unwrap();
        assert_eq!(text, "abc");
        assert!(spool.push(b"def", too_large).await.is_err(), "6 bytes > 5");
        assert!(path.exists());
        drop(spool);
        assert!(!path.exists());
    }
}
