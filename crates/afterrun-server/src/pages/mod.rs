//! The web app's pages, rendered on the server with askama: one module per page or group of
//! pages, each holding its handlers; their routes are listed in [`crate::router`] only.
//!
//! Every essential works without JavaScript: the check-in is a plain form (the body map's
//! regions each have a labelled select), the plan is a page, the calendar a link. The script
//! (`assets/app.js`) only adds comfort: clicking the body map, local times, step timers, done
//! marks, and htmx swapping the plan in without a full reload. What several pages draw (options,
//! the body map's shapes, the plan page) is in [`crate::views`]; whose pages they are in
//! [`crate::auth`].

pub(crate) mod account;
pub(crate) mod checkin;
pub(crate) mod coach;
pub(crate) mod device;
pub(crate) mod guide;
pub(crate) mod import;
pub(crate) mod lan;
pub(crate) mod plans;
pub(crate) mod profile;
pub(crate) mod status;
