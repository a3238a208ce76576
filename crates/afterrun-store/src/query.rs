//! One statement against whichever backend the store holds, written once: `store.sql(context,
//! sql, args)` is a [`Statement`], run by its `execute`, `insert`, `fetch_one`, `fetch_optional`,
//! `fetch_all` or `fetch_map`. The values bound to its `$N` placeholders are [`Arg`]s, and the rows it
//! returns are read into tuples, which both backends decode alike. The methods that need a transaction or read columns by name use the
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

/// One statement with the values for its placeholders, run against the store's pool by one of
/// its methods; `context` says what the store was doing, for the error when it fails.
pub(crate) struct Statement<'s, 'a, S> {
    store: &'s Store,
    context: &'static str,
    sql: S,
    args: &'a [Arg<'a>],
}

impl Store {
    /// The statement `sql` with `args` bound to `$1`, `$2`, …
    pub(crate) fn sql<'a, S: SqlSafeStr>(
        &self,
        context: &'static str,
        sql: S,
        args: &'a [Arg<'a>],
    ) -> Statement<'_, 'a, S> {
        Statement { store: self, context, sql, args }
    }
}

impl<S: SqlSafeStr> Statement<'_, '_, S> {
    /// Runs it; how many rows it changed.
    pub(crate) async fn execute(self) -> Result<u64> {
        let Statement { store, context, sql, args } = self;
        let err = store.db_err(context);
        with_pool!(store, pool => {
            let done = bound!(sqlx::query(sql), args).execute(pool).await.map_err(&err)?;
            Ok(done.rows_affected())
        })
    }

    /// The one row it returns.
    pub(crate) async fn fetch_one<T: Columns>(self) -> Result<T> {
        let (store, context) = (self.store, self.context);
        let row = self.fetch_optional().await?;
        row.ok_or_else(|| store.db_err(context)(sqlx::Error::RowNotFound))
    }

    /// Runs an `INSERT … RETURNING id`: the new row's id.
    pub(crate) async fn insert(self) -> Result<Id> {
        let (id,): (Id,) = self.fetch_one().await?;
        Ok(id)
    }

    /// The first row it returns, if any.
    pub(crate) async fn fetch_optional<T: Columns>(self) -> Result<Option<T>> {
        Ok(self.fetch(Rows::First).await?.pop())
    }

    /// Every row it returns.
    pub(crate) async fn fetch_all<T: Columns>(self) -> Result<Vec<T>> {
        self.fetch(Rows::All).await
    }

    /// Every row it returns, each made a `T` by `f`.
    pub(crate) async fn fetch_map<R: Columns, T>(self, f: impl FnMut(R) -> T) -> Result<Vec<T>> {
        Ok(self.fetch_all().await?.into_iter().map(f).collect())
    }

    /// The rows it returns, as many as `rows` says.
    async fn fetch<T: Columns>(self, rows: Rows) -> Result<Vec<T>> {
        let Statement { store, context, sql, args } = self;
        let err = store.db_err(context);
        with_pool!(store, pool => {
            let query = bound!(sqlx::query_as::<_, T>(sql), args);
            let fetched = match rows {
                Rows::First => query.fetch_optional(pool).await.map(Vec::from_iter),
                Rows::All => query.fetch_all(pool).await,
            };
            fetched.map_err(&err)
        })
    }
}

/// How many of its rows a statement is read for.
#[derive(Debug, Clone, Copy)]
enum Rows {
    /// The first, if any (the database stops there).
    First,
    /// All of them.
    All,
}
