//! The fixture the multi-user tests share: a server state over a new SQLite file in a
//! temporary folder of its own, removed when the test ends.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // test helpers panic on purpose

use std::path::PathBuf;
use std::sync::Arc;

use afterrun_server::AppState;
use afterrun_store::{Location, Store};

/// A state, its store and the folder that holds the store's file.
pub struct Server {
    pub state: AppState,
    pub store: Arc<Store>,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// A new store in `afterrun-{tag}-test-…`, and the state `make` builds over it.
pub async fn server_with(tag: &str, make: impl FnOnce(&Arc<Store>) -> AppState) -> Server {
    let dir = std::env::temp_dir().join(format!(
        "afterrun-{tag}-test-{}-{}",
        std::process::id(),
        afterrun_server::auth::new_token()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Arc::new(Store::connect(&Location::Sqlite(dir.join("club.db"))).await.unwrap());
    let state = make(&store);
    Server { state, store, dir }
}
