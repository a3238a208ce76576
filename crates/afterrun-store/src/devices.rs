//! The owner's own devices on the home network (`serve --lan`): one-time pairing links and the
//! devices they paired.
//!
//! - A pairing link is a random token whose SHA-256 only is kept ([`hash_token`]), with the
//!   moment it expires (the caller decides: the server gives 10 minutes). It is used up in the
//!   transaction that pairs the device ([`Store::pair_device`]), so two phones racing for one
//!   link pair one phone, never two.
//! - A paired device is known by another random token (its cookie's), also kept as a hash, and
//!   by a name for the owner's list. Revoking a device deletes its row: its cookie then names
//!   nothing.

use sqlx::Row;

use crate::accounts::OneTime;
use crate::{Id, Pool, Result, Store, StoreError, UnixSeconds, hash_token};

/// A device paired with a personal server on the home network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairedDevice {
    /// Row id.
    pub id: Id,
    /// What its browser said it is (`Safari on iPhone`).
    pub name: String,
    /// When it was paired.
    pub paired_at: UnixSeconds,
}

/// A `paired_devices` row (`id, name, paired_at`).
macro_rules! device_row {
    ($row:expr, $err:ident) => {
        (|| -> Result<PairedDevice> {
            Ok(PairedDevice {
                id: $row.try_get(0).map_err(&$err)?,
                name: $row.try_get(1).map_err(&$err)?,
                paired_at: $row.try_get(2).map_err(&$err)?,
            })
        })()
    };
}

impl Store {
    /// Keeps a one-time pairing link (its token's SHA-256 only), usable until `expires_at`;
    /// removes the links that can no longer be used on the way.
    pub async fn create_pairing_link(
        &self,
        token: &str,
        now: UnixSeconds,
        expires_at: UnixSeconds,
    ) -> Result<()> {
        let err = self.db_err("creating a pairing link");
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM pairing_links WHERE expires_at <= $1 OR used_at IS NOT NULL")
                .bind(now)
                .execute(pool)
                .await
                .map_err(&err)?;
            sqlx::query(
                "INSERT INTO pairing_links (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(hash_token(token))
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map_err(&err)?;
        });
        Ok(())
    }

    /// Whether the pairing link can still be used at `now` (known, unused, not expired).
    pub async fn pairing_link_usable(&self, token: &str, now: UnixSeconds) -> Result<bool> {
        self.one_time_usable(OneTime::PairingLink, token, now).await
    }

    /// Pairs a device: uses up the link `link` and keeps the device under the SHA-256 of
    /// `device_token`, in one transaction. [`StoreError::NoPairing`] (and no device) when the
    /// link is unknown, used or expired at `now`.
    pub async fn pair_device(
        &self,
        link: &str,
        device_token: &str,
        name: &str,
        now: UnixSeconds,
    ) -> Result<PairedDevice> {
        let err = self.db_err("pairing a device");
        macro_rules! pair_in {
            ($tx:ident) => {{
                let used = sqlx::query(
                    "UPDATE pairing_links SET used_at = $1 \
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
                )
                .bind(now)
                .bind(hash_token(link))
                .execute(&mut *$tx)
                .await
                .map_err(&err)?;
                if used.rows_affected() != 1 {
                    return Err(StoreError::NoPairing);
                }
                let row = sqlx::query(
                    "INSERT INTO paired_devices (token_hash, name, paired_at) \
                     VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(hash_token(device_token))
                .bind(name)
                .bind(now)
                .fetch_one(&mut *$tx)
                .await
                .map_err(&err)?;
                let id: Id = row.try_get(0).map_err(&err)?;
                id
            }};
        }
        let id = match &self.pool {
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin().await.map_err(&err)?;
                let id = pair_in!(tx);
                tx.commit().await.map_err(&err)?;
                id
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(&err)?;
                let id = pair_in!(tx);
                tx.commit().await.map_err(&err)?;
                id
            }
        };
        Ok(PairedDevice { id, name: name.to_owned(), paired_at: now })
    }

    /// The paired device whose cookie carries `device_token`, unless it was revoked.
    pub async fn paired_device(&self, device_token: &str) -> Result<Option<PairedDevice>> {
        let err = self.db_err("looking up a paired device");
        with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT id, name, paired_at FROM paired_devices WHERE token_hash = $1",
            )
            .bind(hash_token(device_token))
            .fetch_optional(pool)
            .await
            .map_err(&err)?;
            row.map(|r| device_row!(r, err)).transpose()
        })
    }

    /// Every paired device, in the order they were paired.
    pub async fn paired_devices(&self) -> Result<Vec<PairedDevice>> {
        let err = self.db_err("listing paired devices");
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, name, paired_at FROM paired_devices ORDER BY paired_at, id",
            )
            .fetch_all(pool)
            .await
            .map_err(&err)?;
            rows.iter().map(|r| device_row!(r, err)).collect()
        })
    }

    /// Revokes a paired device (deletes it); `false` when there was none with this id.
    pub async fn revoke_device(&self, id: Id) -> Result<bool> {
        let err = self.db_err("revoking a paired device");
        with_pool!(self, pool => {
            let n = sqlx::query("DELETE FROM paired_devices WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map_err(&err)?
                .rows_affected();
            Ok(n > 0)
        })
    }
}
