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

use crate::accounts::{OneTime, use_up};
use crate::query::{Arg, bound};
use crate::{Id, Pool, Result, Store, UnixSeconds, hash_token};

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

/// A `paired_devices` row (`id, name, paired_at`) as a [`PairedDevice`].
fn device_row((id, name, paired_at): (Id, String, UnixSeconds)) -> PairedDevice {
    PairedDevice { id, name, paired_at }
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
        let context = "creating a pairing link";
        let sql = "DELETE FROM pairing_links WHERE expires_at <= $1 OR used_at IS NOT NULL";
        self.sql(context, sql, &[now.into()]).execute().await?;
        let hash = hash_token(token);
        self.sql(
            context,
            "INSERT INTO pairing_links (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
            &[(&hash).into(), now.into(), expires_at.into()],
        )
        .execute()
        .await?;
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
        let device_hash = hash_token(device_token);
        let (id,): (Id,) = in_transaction!(self, err, err, tx => {
            use_up!(tx, OneTime::PairingLink, link, now, err);
            let sql = "INSERT INTO paired_devices (token_hash, name, paired_at) \
                       VALUES ($1, $2, $3) RETURNING id";
            bound!(sqlx::query_as(sql), &[(&device_hash).into(), name.into(), now.into()])
                .fetch_one(&mut *tx)
                .await
                .map_err(&err)?
        });
        Ok(PairedDevice { id, name: name.to_owned(), paired_at: now })
    }

    /// The paired device whose cookie carries `device_token`, unless it was revoked.
    pub async fn paired_device(&self, device_token: &str) -> Result<Option<PairedDevice>> {
        let hash = hash_token(device_token);
        let sql = "SELECT id, name, paired_at FROM paired_devices WHERE token_hash = $1";
        let row =
            self.sql("looking up a paired device", sql, &[(&hash).into()]).fetch_optional().await?;
        Ok(row.map(device_row))
    }

    /// Every paired device, in the order they were paired.
    pub async fn paired_devices(&self) -> Result<Vec<PairedDevice>> {
        let sql = "SELECT id, name, paired_at FROM paired_devices ORDER BY paired_at, id";
        self.sql("listing paired devices", sql, &[]).fetch_map(device_row).await
    }

    /// Revokes a paired device (deletes it); `false` when there was none with this id.
    pub async fn revoke_device(&self, id: Id) -> Result<bool> {
        let sql = "DELETE FROM paired_devices WHERE id = $1";
        Ok(self.sql("revoking a paired device", sql, &[id.into()]).execute().await? > 0)
    }
}
