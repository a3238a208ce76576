//! Where the store lives: a SQLite file or a PostgreSQL URL, chosen by the URL's scheme.
//!
//! Parsing is pure (the caller reads `AFTERRUN_DB`, `XDG_DATA_HOME` and `HOME` and passes them in),
//! and a PostgreSQL password never appears in `Debug` or `Display`: these values end up in logs
//! and error messages, and the password must not.

use std::fmt;
use std::path::{Path, PathBuf};

/// The store's location, as given by `--db`, `AFTERRUN_DB` or the default.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file (created on first use).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user:password@host:port/database`).
    Postgres(String),
}

impl Location {
    /// Reads a `--db` value: `postgres://…` or `postgresql://…` selects PostgreSQL,
    /// `sqlite:PATH` (or `sqlite://PATH`) and any other text name a SQLite file.
    pub fn parse(text: &str) -> Location {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Location::Postgres(text.to_owned());
        }
        let path =
            text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")).unwrap_or(text);
        Location::Sqlite(PathBuf::from(path))
    }

    /// The default SQLite file: `$XDG_DATA_HOME/afterrun/afterrun.db`, else
    /// `$HOME/.local/share/afterrun/afterrun.db`; `None` when neither variable is set.
    /// Empty or relative `XDG_DATA_HOME` values are ignored, as the XDG spec says.
    pub fn default_sqlite(xdg_data_home: Option<&Path>, home: Option<&Path>) -> Option<Location> {
        let base = match xdg_data_home.filter(|p| p.is_absolute()) {
            Some(dir) => dir.to_path_buf(),
            None => home.filter(|p| !p.as_os_str().is_empty())?.join(".local").join("share"),
        };
        Some(Location::Sqlite(base.join("afterrun").join("afterrun.db")))
    }

    /// The password inside a PostgreSQL URL, if any (what redaction hides).
    pub(crate) fn secret(&self) -> Option<&str> {
        match self {
            Location::Sqlite(_) => None,
            Location::Postgres(url) => {
                let rest = url.split_once("://")?.1;
                let authority = rest.split(['/', '?']).next()?;
                let userinfo = authority.rsplit_once('@')?.0;
                let password = userinfo.split_once(':')?.1;
                (!password.is_empty()).then_some(password)
            }
        }
    }

    /// `text` with every occurrence of this location's password replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        match self.secret() {
            Some(secret) => text.replace(secret, "***"),
            None => text.to_owned(),
        }
    }

    /// Whether this is the SQLite backend.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Location::Sqlite(_))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Location::Postgres(url) => f.write_str(&self.redact(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Location::Postgres(url) => f.debug_tuple("Postgres").field(&self.redact(url)).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_select_the_backend() {
        assert_eq!(Location::parse("/tmp/a.db"), Location::Sqlite("/tmp/a.db".into()));
        assert_eq!(Location::parse("sqlite:rel/a.db"), Location::Sqlite("rel/a.db".into()));
        assert_eq!(Location::parse("sqlite:///abs/a.db"), Location::Sqlite("/abs/a.db".into()));
        assert!(matches!(Location::parse("postgres://u@h/db"), Location::Postgres(_)));
        assert!(matches!(Location::parse("PostgreSQL://u@h/db"), Location::Postgres(_)));
    }

    #[test]
    fn passwords_are_redacted_in_debug_and_display() {
        let loc = Location::parse("postgres://me:s3cr:et@db.example:5432/afterrun?sslmode=disable");
        for shown in [format!("{loc}"), format!("{loc:?}"), loc.redact("failed: s3cr:et")] {
            assert!(!shown.contains("s3cr"), "{shown}");
            assert!(shown.contains("***"), "{shown}");
        }
        let no_password = Location::parse("postgres://me@db/afterrun");
        assert_eq!(no_password.to_string(), "postgres://me@db/afterrun");
    }

    #[test]
    fn default_follows_xdg_then_home() {
        let xdg = Location::default_sqlite(Some(Path::new("/x")), Some(Path::new("/h")));
        assert_eq!(xdg, Some(Location::Sqlite("/x/afterrun/afterrun.db".into())));
        let relative = Location::default_sqlite(Some(Path::new("x")), Some(Path::new("/h")));
        assert_eq!(relative, Some(Location::Sqlite("/h/.local/share/afterrun/afterrun.db".into())));
        assert_eq!(Location::default_sqlite(None, None), None);
    }
}
