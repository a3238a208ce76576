//! Walking folders safely, for `import`, `inspect` and `import --watch`.
//!
//! Only regular files are ever opened: a FIFO would block the reader, a device file would
//! never end, and a symbolic link to a folder could lead back to where it is (a loop). So a
//! folder's entries are classified with `symlink_metadata` before anything is opened: folders
//! are walked, a symbolic link to a folder is not followed, a link to a regular file is read as
//! that file, and a FIFO, socket, device file (or a link to one) or a link loop is skipped (the
//! caller warns, once). A dangling link is reported as unreadable, as a file that cannot be
//! opened always was. A path named on the command line goes through [`open_regular`].

use std::fs::{File, FileType};
use std::path::{Path, PathBuf};

/// What a folder walk finds, in path order.
#[derive(Debug)]
pub enum Found {
    /// A regular file (or a symbolic link to one): safe to open.
    File(PathBuf),
    /// A folder that cannot be listed, or an entry that cannot be examined (a dangling link).
    Unreadable(PathBuf, std::io::Error),
    /// Not read: a link to a folder, a link loop, a FIFO, socket or device file; the words say
    /// which (for [`warn_skipped`]).
    Skipped(PathBuf, &'static str),
}

/// Every regular file under `dir`, recursively, sorted by path, with the folders and entries
/// that could not be read; `on_folder` sees each folder's sorted entries before they are walked
/// (import reads Strava's `activities.csv` there).
pub fn walk_dir(dir: &Path, on_folder: &mut impl FnMut(&Path, &[PathBuf]), out: &mut Vec<Found>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.push(Found::Unreadable(dir.to_path_buf(), e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    on_folder(dir, &paths);
    for path in paths {
        match classify(&path) {
            Ok(Kind::Folder) => walk_dir(&path, on_folder, out),
            Ok(Kind::File) => out.push(Found::File(path)),
            Ok(Kind::Skipped(what)) => out.push(Found::Skipped(path, what)),
            Err(e) => out.push(Found::Unreadable(path, e)),
        }
    }
}

/// What an entry found in a folder is, without following a link to a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A folder (not a link to one): walked.
    Folder,
    /// A regular file, or a link to one: read.
    File,
    /// Not to be read; the words say what it is.
    Skipped(&'static str),
}

/// Classifies a folder's entry: a link is followed only when it leads to a regular file.
pub fn classify(path: &Path) -> std::io::Result<Kind> {
    let own = std::fs::symlink_metadata(path)?.file_type();
    if own.is_dir() {
        return Ok(Kind::Folder);
    }
    if !own.is_symlink() {
        return Ok(file_kind(own));
    }
    match std::fs::metadata(path) {
        Ok(target) if target.is_dir() => {
            Ok(Kind::Skipped("a symbolic link to a folder, not followed"))
        }
        Ok(target) => Ok(file_kind(target.file_type())),
        Err(e) if is_link_loop(&e) => Ok(Kind::Skipped("a symbolic link loop")),
        Err(e) => Err(e),
    }
}

fn file_kind(file_type: FileType) -> Kind {
    if file_type.is_file() { Kind::File } else { Kind::Skipped(not_regular(file_type)) }
}

/// What a file that is neither a regular file nor a folder is, in words.
fn not_regular(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO, not a regular file";
        }
        if file_type.is_socket() {
            return "a socket, not a regular file";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device file, not a regular file";
        }
    }
    let _ = file_type;
    "not a regular file"
}

/// Whether an error is "too many levels of symbolic links" (ELOOP).
fn is_link_loop(e: &std::io::Error) -> bool {
    // ELOOP is 40 on Linux; std has no stable ErrorKind for it.
    cfg!(target_os = "linux") && e.raw_os_error() == Some(40)
}

/// Says on stderr that an entry is skipped, and why.
pub fn warn_skipped(path: &Path, what: &str) {
    eprintln!("afterrun: warning: {}: skipped: {what}", path.display());
}

/// Opens a file for reading only if it is a regular file (or a link to one): a FIFO, socket or
/// device file named on the command line is refused before it is opened, so it cannot block.
/// A folder is refused too (the caller walks folders).
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    let file_type = match std::fs::metadata(path) {
        Ok(m) => m.file_type(),
        Err(e) if is_link_loop(&e) => return Err(refused("a symbolic link loop")),
        Err(e) => return Err(e),
    };
    if file_type.is_dir() {
        return Err(refused("a folder"));
    }
    if !file_type.is_file() {
        return Err(refused(not_regular(file_type)));
    }
    let file = File::open(path)?;
    // The path could have been replaced between the check and the open.
    if !file.metadata()?.is_file() {
        return Err(refused("not a regular file"));
    }
    Ok(file)
}

fn refused(what: &str) -> std::io::Error {
    std::io::Error::other(format!("{what}: skipped"))
}

/// Reads a whole file through [`open_regular`].
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    open_regular(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}
