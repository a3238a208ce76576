//! `--watch DIR`: which files under the watched folders are new or changed and complete.
//!
//! File events come from the `notify` crate (inotify on Linux), or from its polling watcher
//! with `--poll`, on a network file system (which sends no events for other machines'
//! writes), or when events cannot be had (the inotify limit). An
//! event only makes a file a candidate; the file is handed over once it is complete:
//! - it is not being written: when the platform reports closes (inotify), a file written to
//!   is waited for until its writer closes it (or [`OPEN_PATIENCE`] passes with no change), so
//!   a copy that stalls over USB is not read half-way;
//! - its size and modification time have not changed for [`QUIET`].
//!
//! A new folder (a watch's `GARMIN/Activity` appearing when it is mounted) is listed at once,
//! since files may land in it before its own watch is in place. Folders are walked with
//! [`crate::walk`]: links to folders are not followed, and only regular files are handed over.
//! Which of the handed files are activities, and whether their bytes were already imported,
//! is the importer's business.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher as _};

use crate::walk::{self, Found, Kind};

/// How long a file's size and modification time must stay the same before it is read.
pub const QUIET: Duration = Duration::from_secs(1);
/// How long a file still open for writing may stay unchanged before it is read anyway (its
/// close was missed, or its writer keeps it open).
pub const OPEN_PATIENCE: Duration = Duration::from_secs(30);
/// How often the polling watcher rescans.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// How often the folders are rescanned although events come (they miss what a file system
/// mounted over a watched folder holds).
const RESCAN_EVERY: Duration = Duration::from_secs(5);
/// How often candidates are examined.
const TICK: Duration = Duration::from_millis(100);

/// What wakes the watcher.
#[derive(Debug)]
enum Wake {
    Fs(notify::Result<notify::Event>),
    Stop,
}

/// Ends a [`Watch`] from another thread (a signal, the server's shutdown); long work checks
/// [`Stopper::is_stopped`] between files.
#[derive(Debug, Clone)]
pub struct Stopper {
    flag: Arc<AtomicBool>,
    wake: mpsc::Sender<Wake>,
}

impl Stopper {
    /// Ends the watch: [`Watch::next_ready`] returns `None`.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        let _ = self.wake.send(Wake::Stop);
    }

    /// Whether the watch has been told to end.
    pub fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

/// A file's size and modification time: what says it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp { len: meta.len(), modified: meta.modified().ok() }
    }
}

/// A candidate not yet complete.
#[derive(Debug)]
struct Pending {
    stamp: Stamp,
    changed_at: Instant,
    /// Written to, and its close not seen yet.
    open: bool,
}

/// Watched folders and the candidates found in them.
pub struct Watch {
    wake: mpsc::Receiver<Wake>,
    stop: Stopper,
    _watcher: Box<dyn notify::Watcher + Send>,
    /// Each folder as given, and as the watcher names it (absolute).
    roots: Vec<(PathBuf, PathBuf)>,
    /// Whether the watcher reports closes (inotify does, polling does not).
    sees_closes: bool,
    pending: BTreeMap<PathBuf, Pending>,
    /// Each file's stamp when it was last handed over (or found at the start).
    settled: HashMap<PathBuf, Stamp>,
    /// Entries skipped and warned about (a FIFO is not reported at every rescan).
    warned: HashSet<PathBuf>,
    last_check: Instant,
    last_rescan: Instant,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").field("roots", &self.roots).finish_non_exhaustive()
    }
}

impl Watch {
    /// Starts watching `dirs` (recursively) for events, or by polling when `poll` is set or
    /// events cannot be had; the files already there are taken as settled (the caller imports
    /// them).
    pub fn start(dirs: &[PathBuf], poll: bool) -> anyhow::Result<Watch> {
        let (sender, wake) = mpsc::channel();
        let roots = absolute_roots(dirs)?;
        let remote = roots.iter().find_map(|(given, absolute)| {
            eventless_file_system(absolute).map(|fs| (given.display().to_string(), fs))
        });
        if let (Some((dir, fs)), false) = (&remote, poll) {
            eprintln!(
                "afterrun: {dir} is on {fs}, which sends no events for other machines' writes: polling"
            );
        }
        let (watcher, sees_closes) = if poll || remote.is_some() {
            (poll_watcher(&roots, &sender)?, false)
        } else {
            match event_watcher(&roots, &sender) {
                Ok(watcher) => (watcher, true),
                Err(e) => {
                    eprintln!(
                        "afterrun: warning: no file events ({e}): polling every {} ms instead",
                        POLL_INTERVAL.as_millis()
                    );
                    (poll_watcher(&roots, &sender)?, false)
                }
            }
        };
        let stop = Stopper { flag: Arc::new(AtomicBool::new(false)), wake: sender };
        let mut watch = Watch {
            wake,
            stop,
            _watcher: watcher,
            roots,
            sees_closes,
            pending: BTreeMap::new(),
            settled: HashMap::new(),
            warned: HashSet::new(),
            last_check: Instant::now(),
            last_rescan: Instant::now(),
        };
        watch.settle_existing();
        Ok(watch)
    }

    /// What ends the watch from another thread.
    pub fn stopper(&self) -> Stopper {
        self.stop.clone()
    }

    /// From now on SIGINT and SIGTERM end the watch instead of the process.
    pub fn stop_on_signals(&self) -> anyhow::Result<()> {
        let stopper = self.stopper();
        crate::signals::on_stop_signal(move || stopper.stop())
    }

    /// Blocks until some files are complete (returned, sorted by path, named under the folders
    /// as given), or until it is stopped (`None`).
    pub fn next_ready(&mut self) -> Option<Vec<PathBuf>> {
        loop {
            if self.stop.is_stopped() {
                return None;
            }
            match self.wake.recv_timeout(TICK) {
                Ok(Wake::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Ok(Wake::Fs(Ok(event))) => self.note_event(&event),
                Ok(Wake::Fs(Err(e))) => {
                    eprintln!("afterrun: warning: watching: {e}; rescanning");
                    self.rescan();
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            let now = Instant::now();
            if now.duration_since(self.last_check) >= TICK {
                self.last_check = now;
                if self.sees_closes && now.duration_since(self.last_rescan) >= RESCAN_EVERY {
                    self.last_rescan = now;
                    self.rescan();
                }
                let ready = self.take_complete(now);
                if !ready.is_empty() {
                    return Some(ready);
                }
            }
        }
    }

    /// Records the files already under the folders, so only later changes make candidates
    /// (and what the first import skipped, which it has warned about).
    fn settle_existing(&mut self) {
        for item in self.walk_roots() {
            match item {
                Found::File(file) => {
                    if let Ok(meta) = std::fs::metadata(&file) {
                        self.settled.insert(file, Stamp::of(&meta));
                    }
                }
                Found::Skipped(path, _) => {
                    self.warned.insert(path);
                }
                Found::Unreadable(..) => {}
            }
        }
    }

    /// Everything under the watched folders (named as given).
    fn walk_roots(&self) -> Vec<Found> {
        let mut found = Vec::new();
        for (given, _) in &self.roots {
            walk::walk_dir(given, &mut |_, _| {}, &mut found);
        }
        found
    }

    /// After lost events, and every [`RESCAN_EVERY`] with events (a file system mounted over a
    /// watched folder sends none): every file whose stamp differs from its settled one is a
    /// candidate.
    fn rescan(&mut self) {
        let found = self.walk_roots();
        for file in self.regular_files(found) {
            self.note_file(file, false);
        }
    }

    /// The regular files a walk found; what it skipped is warned about once per path.
    fn regular_files(&mut self, found: Vec<Found>) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for item in found {
            match item {
                Found::File(path) => files.push(path),
                Found::Skipped(path, what) => self.warn_once(path, what),
                Found::Unreadable(..) => {}
            }
        }
        files
    }

    fn warn_once(&mut self, path: PathBuf, what: &str) {
        if !self.warned.contains(&path) {
            walk::warn_skipped(&path, what);
            self.warned.insert(path);
        }
    }

    fn note_event(&mut self, event: &notify::Event) {
        if event.need_rescan() {
            self.rescan();
            return;
        }
        if !self.is_candidate_event(&event.kind) {
            return;
        }
        let written =
            self.sees_closes && matches!(event.kind, EventKind::Modify(ModifyKind::Data(_)));
        let closed = matches!(event.kind, EventKind::Access(AccessKind::Close(AccessMode::Write)));
        for path in &event.paths {
            let path = self.as_given(path);
            match walk::classify(&path) {
                Ok(Kind::Folder) => self.note_folder(&path),
                Ok(Kind::File) => {
                    self.note_file(path.clone(), written);
                    if closed && let Some(p) = self.pending.get_mut(&path) {
                        p.open = false;
                    }
                }
                Ok(Kind::Skipped(what)) => self.warn_once(path, what),
                // Gone again (a temporary file renamed away): nothing to import.
                Err(_) => {
                    self.pending.remove(&path);
                }
            }
        }
    }

    /// Events that may mean new bytes. Opens and reads (ours too) are not; with inotify,
    /// metadata changes (a `touch`) are not either, while the polling watcher reports a
    /// rewrite as one.
    fn is_candidate_event(&self, kind: &EventKind) -> bool {
        match kind {
            EventKind::Create(_) | EventKind::Any | EventKind::Other => true,
            EventKind::Modify(ModifyKind::Metadata(_)) => !self.sees_closes,
            EventKind::Modify(_) => true,
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) | EventKind::Remove(_) => false,
        }
    }

    /// A folder appeared (created, moved in, or a watch mounted): its files are candidates.
    fn note_folder(&mut self, dir: &Path) {
        let mut found = Vec::new();
        walk::walk_dir(dir, &mut |_, _| {}, &mut found);
        for file in self.regular_files(found) {
            self.note_file(file, false);
        }
    }

    /// Makes a file a candidate, unless it is as it was when last settled.
    fn note_file(&mut self, path: PathBuf, written: bool) {
        let Ok(meta) = std::fs::metadata(&path) else { return };
        let stamp = Stamp::of(&meta);
        let now = Instant::now();
        if let Some(p) = self.pending.get_mut(&path) {
            p.open |= written;
            if p.stamp != stamp {
                p.stamp = stamp;
                p.changed_at = now;
            }
            return;
        }
        if !written && self.settled.get(&path) == Some(&stamp) {
            return;
        }
        self.pending.insert(path, Pending { stamp, changed_at: now, open: written });
    }

    /// Takes the candidates that are complete, settling them.
    fn take_complete(&mut self, now: Instant) -> Vec<PathBuf> {
        let mut ready = Vec::new();
        self.pending.retain(|path, p| {
            let Ok(meta) = std::fs::metadata(path) else { return false };
            let stamp = Stamp::of(&meta);
            if stamp != p.stamp {
                p.stamp = stamp;
                p.changed_at = now;
                return true;
            }
            let quiet = now.duration_since(p.changed_at);
            if quiet >= QUIET && (!p.open || quiet >= OPEN_PATIENCE) {
                ready.push((path.clone(), stamp));
                return false;
            }
            true
        });
        ready
            .into_iter()
            .map(|(path, stamp)| {
                self.settled.insert(path.clone(), stamp);
                path
            })
            .collect()
    }

    /// An event's path under the folder as the user gave it.
    fn as_given(&self, path: &Path) -> PathBuf {
        for (given, absolute) in &self.roots {
            if let Ok(rest) = path.strip_prefix(absolute) {
                return given.join(rest);
            }
        }
        path.to_path_buf()
    }
}

/// Each folder as given and as the watcher names it (joined to the current folder, as
/// `notify` does).
fn absolute_roots(dirs: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let cwd = std::env::current_dir()?;
    Ok(dirs.iter().map(|d| (d.clone(), cwd.join(d))).collect())
}

fn handler(sender: &mpsc::Sender<Wake>) -> impl notify::EventHandler {
    let sender = sender.clone();
    move |event| {
        let _ = sender.send(Wake::Fs(event));
    }
}

/// Network and user-space file systems whose changes made elsewhere send no inotify events.
const EVENTLESS: &[&str] = &["nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse", "fuse.sshfs"];

/// The type of the file system `dir` is on, when it is one of [`EVENTLESS`] (Linux: from
/// `/proc/self/mounts`; elsewhere never).
fn eventless_file_system(dir: &Path) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    let fs = file_system_of(&dir, &mounts)?;
    EVENTLESS.contains(&fs).then(|| fs.to_owned())
}

/// The type of the file system holding `path` in a `/proc/self/mounts` text: the entry with
/// the longest mount point that contains it (a space in a mount point is written `\040`).
fn file_system_of<'m>(path: &Path, mounts: &'m str) -> Option<&'m str> {
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let (_device, point, fs) = (fields.next()?, fields.next()?, fields.next()?);
            let point = PathBuf::from(point.replace("\\040", " "));
            path.starts_with(&point).then(|| (point.components().count(), fs))
        })
        .max_by_key(|(depth, _)| *depth)
        .map(|(_, fs)| fs)
}

/// Links to folders are not followed, as in [`walk`].
fn config() -> notify::Config {
    notify::Config::default().with_follow_symlinks(false)
}

fn event_watcher(
    roots: &[(PathBuf, PathBuf)],
    sender: &mpsc::Sender<Wake>,
) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    let mut watcher = notify::RecommendedWatcher::new(handler(sender), config())?;
    for (_, absolute) in roots {
        watcher.watch(absolute, RecursiveMode::Recursive)?;
    }
    Ok(Box::new(watcher))
}

fn poll_watcher(
    roots: &[(PathBuf, PathBuf)],
    sender: &mpsc::Sender<Wake>,
) -> anyhow::Result<Box<dyn notify::Watcher + Send>> {
    let config = config().with_poll_interval(POLL_INTERVAL);
    let mut watcher = notify::PollWatcher::new(handler(sender), config)?;
    for (given, absolute) in roots {
        watcher
            .watch(absolute, RecursiveMode::Recursive)
            .map_err(|e| anyhow::anyhow!("--watch {}: {e}", given.display()))?;
    }
    Ok(Box::new(watcher))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deepest_mount_names_the_file_system() {
        let mounts = "/dev/sda1 / ext4 rw 0 0\n\
                      server:/runs /mnt/my\\040runs nfs4 rw 0 0\n\
                      /dev/sdb1 /media/GARMIN vfat rw 0 0\n";
        let of = |p: &str| file_system_of(Path::new(p), mounts);
        assert_eq!(of("/mnt/my runs/2026"), Some("nfs4"));
        assert_eq!(of("/media/GARMIN/GARMIN/Activity"), Some("vfat"));
        assert_eq!(of("/media/GARMINX"), Some("ext4"));
        assert_eq!(of("/home/me"), Some("ext4"));
    }
}
