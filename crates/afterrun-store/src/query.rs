//! One statement against whichever backend the store holds, written once: the values bound to
//! its `$N` placeholders are [`Arg`]s, and the rows it returns are read into tuples, which both
//! backends decode alike. The methods that need a transaction or read columns by name use the
//! pool directly (`with_pool!`).

use sqlx::SqlSafeStr;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::{Id, Pool, Result, Store};

/// A value bound to a `$N` placeholder: the types the store writes, each the same SQL type in
/// SQLite and PostgreSQL (`None` is `NULL` of that type).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    /// `BIGINT` / `INTEGER`.
    Int(Option<i64>),
    /// `DOUBLE PRECISION` / `REAL`.
    Real(Option<f64>),
    /// `BOOLEAN` (an integer in SQLite).
    Bool(Option<bool>),
    /// `TEXT`.
    Text(Option<&'a str>),
}

/// `From` a value and from an optional value of each type an [`Arg`] variant holds.
macro_rules! arg_from {
    ($($t:ty => $variant:ident),*) => {$(
        impl<'a> From<$t> for Arg<'a> {
            fn from(v: $t) -> Self {
                Arg::$variant(Some(v))
            }
        }

        impl<'a> From<Option<$t>> for Arg<'a> {
            fn from(v: Option<$t>) -> Self {
                Arg::$variant(v)
            }
        }
    )*};
}

arg_from!(i64 => Int, f64 => Real, bool => Bool, &'a str => Text);

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(v))
    }
}

/// A row read into a tuple of column values: `(i64,)`, `(i64, String, i64)`, …
pub(crate) trait Columns:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Columns for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

/// The query `$query` with every [`Arg`] of `$args` bound in order; a macro because the query
/// type differs per backend.
macro_rules! bound {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        let args: &[Arg<'_>] = $args;
        for arg in args {
            query = match *arg {
                Arg::Int(v) => query.bind(v),
                Arg::Real(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
            };
        }
        query
    }};
}
pub(crate) use bound;

impl Store {
    /// Runs a statement; how many rows it changed. `context` says what the store was doing
    /// when it fails.
    pub(crate) async fn execute(
        &self,
        context: &'static str,
        sql: impl SqlSafeStr,
        args: &[Arg<'_>],
    ) -> Result<u64> {
        let err = self.db_err(context);
        with_pool!(self, pool => {
            let done = bound!(sqlx::query(sql), args).execute(pool).await.map_err(&err)?;
            Ok(done.rows_affected())
        })
    }

    /// The one row a statement returns.
    pub(crate) async fn fetch_one<T: Columns>(
        &self,
        context: &'static str,
        sql: impl SqlSafeStr,
        args: &[Arg<'_>],
    ) -> Result<T> {
        let row = self.fetch_optional(context, sql, args).await?;
        row.ok_or_else(|| self.db_err(context)(sqlx::Error::RowNotFound))
    }

    /// Runs an `INSERT … RETURNING id`: the new row's id.
    pub(crate) async fn insert(
        &self,
        context: &'static str,
        sql: impl SqlSafeStr,
        args: &[Arg<'_>],
    ) -> Result<Id> {
        let (id,): (Id,) = self.fetch_one(context, sql, args).await?;
        Ok(id)
    }

    /// The first row a statement returns, if any.
    pub(crate) async fn fetch_optional<T: Columns>(
        &self,
        context: &'static str,
        sql: impl SqlSafeStr,
        args: &[Arg<'_>],
    ) -> Result<Option<T>> {
        let err = self.db_err(context);
        with_pool!(self, pool => {
            bound!(sqlx::query_as::<_, T>(sql), args).fetch_optional(pool).await.map_err(&err)
        })
    }

    /// Every row a statement returns.
    pub(crate) async fn fetch_all<T: Columns>(
        &self,
        context: &'static str,
        sql: impl SqlSafeStr,
        args: &[Arg<'_>],
    ) -> Result<Vec<T>> {
        let err = self.db_err(context);
        with_pool!(self, pool => {
            bound!(sqlx::query_as::<_, T>(sql), args).fetch_all(pool).await.map_err(&err)
        })
    }
}
