//! Importing over HTTP, end to end without sockets: real corpus files uploaded through the
//! router into a real SQLite store file, by the API and by the page's form.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

mod common;
use common::{LOOPBACK_HOST as HOST, Server, TOKEN, clock, post_as};

use afterrun_server::{AppState, Config, Mode};
use afterrun_store::Store;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

fn corpus(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A run from a Garmin Fenix 5 (FIT, 21 records).
fn fit_run() -> Vec<u8> {
    corpus("fit/pyfitparse__garmin-fenix-5-run.fit")
}

/// A walk around a lake (GPX, 296 track points).
fn gpx_walk() -> Vec<u8> {
    corpus("gpx/gpxpy__cerknicko-jezero.gpx")
}

/// A corpus GPX cut off inside its XML, before any track point: nothing usable (`bad_xml`).
fn corrupt_gpx() -> Vec<u8> {
    gpx_walk()[..200].to_vec()
}

async fn fixture(mode: Mode) -> Server {
    common::server_with("upload", |store| common::with_mode(mode).with_store(Arc::clone(store)))
        .await
}

/// The status, media type and body of the answer.
async fn send(state: &AppState, request: Request<Body>) -> (StatusCode, String, String) {
    let answer = common::send(state, request).await;
    (answer.status, answer.media(), answer.body)
}

fn upload_request(path: &str, bytes: Vec<u8>) -> Request<Body> {
    post_as(path, "application/octet-stream", bytes)
}

/// Uploads through the API; the status and the JSON answer.
async fn upload(state: &AppState, id: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let path = format!("/api/athletes/{id}/activities?name={name}");
    let (status, media, body) = send(state, upload_request(&path, bytes)).await;
    let value: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    if status == StatusCode::OK {
        assert_eq!(media, "application/json");
    } else {
        assert_eq!(media, "application/problem+json", "{body}");
    }
    (status, value)
}

fn line<'a>(answer: &'a Value, file: &str) -> &'a Value {
    answer["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"] == file)
        .unwrap_or_else(|| panic!("no line for {file}: {answer}"))
}

async fn me(store: &Store) -> i64 {
    store.athlete_id("me").await.unwrap().expect("the personal athlete exists")
}

#[tokio::test]
async fn a_file_is_new_then_a_duplicate_and_a_foreign_id_is_not_found() {
    let f = fixture(Mode::Personal).await;
    let (status, first) = upload(&f.state, "me", "run.fit", fit_run()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let run = line(&first, "run.fit");
    assert_eq!(run["stored"], "new");
    assert_eq!(run["ok"], true);
    assert_eq!(run["format"], "fit");
    assert_eq!(run["sport"], "running");
    assert_eq!(run["start_time"], "2017-06-11T14:34:09Z");
    let id = run["id"].as_i64().unwrap();
    assert_eq!(
        first["summary"],
        serde_json::json!({"files": 1, "new": 1, "duplicates": 0, "skipped": 0, "failed": 0})
    );

    // The same bytes again, now by the athlete's numeric id: stored once.
    let athlete = me(&f.store).await;
    let (status, again) = upload(&f.state, &athlete.to_string(), "run.fit", fit_run()).await;
    assert_eq!(status, StatusCode::OK);
    let dup = line(&again, "run.fit");
    assert_eq!(dup["stored"], "duplicate");
    assert_eq!(dup["duplicate_of"], id);
    assert_eq!(dup["duplicate_reason"], "same_content");
    assert_eq!(again["summary"]["duplicates"], 1);
    assert_eq!(again["summary"]["new"], 0);

    let (status, gpx) = upload(&f.state, "me", "lake.gpx", gpx_walk()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(line(&gpx, "lake.gpx")["stored"], "new");
    let stored = f.store.activities(athlete).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored.iter().filter(|a| a.format == "fit").count(), 1);

    // Any other id is not found, and nothing is stored for it.
    for foreign in [(athlete + 1).to_string(), "someone".to_owned(), "0".to_owned()] {
        let (status, problem) = upload(&f.state, &foreign, "run2.fit", gpx_walk()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{foreign}: {problem}");
        assert_eq!(problem["field"], "id");
    }
    assert_eq!(f.store.activities(athlete).await.unwrap().len(), 2);
    assert_eq!(f.store.athletes().await.unwrap(), vec!["me".to_owned()]);
}

fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in members {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_corrupt_member_is_reported_with_its_reason_and_the_rest_is_stored() {
    let f = fixture(Mode::Personal).await;
    let export = zip_of(&[
        ("activities/run.fit", fit_run()),
        ("activities/broken.gpx", corrupt_gpx()),
        ("activities/lake.gpx", gpx_walk()),
        ("settings.fit", corpus("fit/gofit-fitsdk__Settings.fit")),
    ]);
    let (status, answer) = upload(&f.state, "me", "export.zip", export).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["files"].as_array().unwrap().len(), 4);
    let broken = line(&answer, "export.zip!/activities/broken.gpx");
    assert_eq!(broken["ok"], false);
    assert_eq!(broken["error"]["kind"], "bad_xml");
    assert!(!broken["error"]["message"].as_str().unwrap().is_empty());
    assert_eq!(line(&answer, "export.zip!/activities/run.fit")["stored"], "new");
    assert_eq!(line(&answer, "export.zip!/activities/lake.gpx")["stored"], "new");
    assert_eq!(line(&answer, "export.zip!/settings.fit")["error"]["kind"], "not_activity_file");
    assert_eq!(
        answer["summary"],
        serde_json::json!({"files": 4, "new": 2, "duplicates": 0, "skipped": 1, "failed": 1})
    );
    assert_eq!(f.store.activities(me(&f.store).await).await.unwrap().len(), 2);

    // A single corrupt file alone: one failed line, nothing stored, still an answer.
    let (status, alone) = upload(&f.state, "me", "broken.gpx", corrupt_gpx()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(line(&alone, "broken.gpx")["error"]["kind"], "bad_xml");
    assert_eq!(alone["summary"]["failed"], 1);
    assert_eq!(f.store.activities(me(&f.store).await).await.unwrap().len(), 2);
}

#[tokio::test]
async fn uploads_may_be_larger_than_the_servers_small_body_limit() {
    let f = fixture(Mode::Personal).await;
    let big = corpus("fit/sportslib-triathlons__4623204522.fit");
    assert!(big.len() > Config::default().body_limit, "the file must exceed the default limit");
    let (status, answer) = upload(&f.state, "me", "triathlon.fit", big.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(line(&answer, "triathlon.fit")["stored"], "new");
    // Other routes keep the small limit.
    let request = post_as("/api/plan", "application/json", big);
    let (status, _, _) = send(&f.state, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn bad_uploads_are_problems_naming_the_field() {
    let f = fixture(Mode::Personal).await;
    let (status, p) = upload(&f.state, "me", "run.fit", Vec::new()).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::BAD_REQUEST, Some("body")));
    let (status, media, body) =
        send(&f.state, upload_request("/api/athletes/me/activities", fit_run())).await;
    assert_eq!((status, media.as_str()), (StatusCode::BAD_REQUEST, "application/problem+json"));
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["field"], "name");
    let (status, p) = upload(&f.state, "me", "", fit_run()).await;
    assert_eq!((status, p["field"].as_str()), (StatusCode::BAD_REQUEST, Some("name")));
    // A page of another site cannot upload.
    let request = Request::post("/api/athletes/me/activities?name=run.fit")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "http://evil.example")
        .body(Body::from(fit_run()))
        .unwrap();
    let (status, _, _) = send(&f.state, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nothing was stored by any of these (the athlete may not even exist).
    if let Some(athlete) = f.store.athlete_id("me").await.unwrap() {
        assert!(f.store.activities(athlete).await.unwrap().is_empty());
    }
    // A server without a store has nowhere to import to.
    let bare = AppState::new(Config::default(), clock);
    let (status, p) = upload(&bare, "me", "run.fit", fit_run()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{p}");
}

/// Signs up an account on a multi-user server and logs it in: its session cookie.
async fn account(state: &AppState, username: &str, role: &str) -> String {
    let json = |path: &str, body: Value| post_as(path, "application/json", body.to_string());
    let password = "correct horse battery";
    let body = serde_json::json!({"username": username, "password": password, "role": role});
    let (status, _, answer) = send(state, json("/api/accounts", body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let body = serde_json::json!({"username": username, "password": password});
    let answer = common::send(state, json("/api/session", body)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let cookie = answer.header(header::SET_COOKIE).unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

fn with_cookie(mut request: Request<Body>, cookie: &str) -> Request<Body> {
    request.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
    request
}

#[tokio::test]
async fn on_a_multi_user_server_me_is_the_logged_in_athlete() {
    let f = fixture(Mode::MultiUser).await;
    let ann = account(&f.state, "ann", "athlete").await;
    let bob = account(&f.state, "bob", "athlete").await;
    let coach = account(&f.state, "cleo", "coach").await;
    let ann_id = f.store.athlete_id("ann").await.unwrap().unwrap();
    let bob_id = f.store.athlete_id("bob").await.unwrap().unwrap();
    let path = |id: &str| format!("/api/athletes/{id}/activities?name=run.fit");

    // Anonymous: log in first; nothing is created.
    let (status, _, _) = send(&f.state, upload_request(&path("me"), fit_run())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Ann uploads to `me` (what the page's script does) and to her own id: hers.
    let request = with_cookie(upload_request(&path("me"), fit_run()), &ann);
    let (status, _, body) = send(&f.state, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let request = with_cookie(upload_request(&path(&ann_id.to_string()), gpx_walk()), &ann);
    let (status, _, body) = send(&f.state, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.store.activities(ann_id).await.unwrap().len(), 2);
    // Not into Bob's, and a coach has no `me`.
    let request = with_cookie(upload_request(&path(&bob_id.to_string()), fit_run()), &ann);
    assert_eq!(send(&f.state, request).await.0, StatusCode::NOT_FOUND);
    let request = with_cookie(upload_request(&path("me"), fit_run()), &coach);
    assert_eq!(send(&f.state, request).await.0, StatusCode::NOT_FOUND);
    assert!(f.store.activities(bob_id).await.unwrap().is_empty());

    // The form without JavaScript imports into the logged-in athlete's history too.
    let (content_type, body) = multipart(&[("files", Some("lake.gpx"), gpx_walk())]);
    let (status, _, html) =
        send(&f.state, with_cookie(form_request(&content_type, body), &bob)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(f.store.activities(bob_id).await.unwrap().len(), 1);
    // A coach's import page says athletes import their own runs, and offers no form.
    let page = Request::get("/import").header(header::HOST, HOST).body(Body::empty()).unwrap();
    let (status, _, html) = send(&f.state, with_cookie(page, &coach)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Athletes import their own runs"), "{html}");
    assert!(!html.contains("action=\"/import\""), "no import form for a coach: {html}");
}

/// A `multipart/form-data` body as a browser sends the page's form.
fn multipart(parts: &[(&str, Option<&str>, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----afterrunTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").unwrap();
        if let Some(file) = file {
            write!(body, "; filename=\"{file}\"\r\nContent-Type: application/octet-stream")
                .unwrap();
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn form_request(content_type: &str, body: Vec<u8>) -> Request<Body> {
    post_as("/import", content_type, body)
}

#[tokio::test]
async fn the_form_without_javascript_imports_every_file_and_shows_the_results() {
    let f = fixture(Mode::Personal).await;
    // A runner in New York who reads miles: the results are in their zone and units.
    let athlete = f.store.ensure_athlete("me", 0).await.unwrap();
    let profile = afterrun_store::Profile {
        tz: Some("America/New_York".into()),
        units: Some("mi".into()),
        ..afterrun_store::Profile::default()
    };
    f.store.set_profile(athlete, &profile).await.unwrap();
    let (content_type, body) = multipart(&[
        ("csrf_token", None, TOKEN.as_bytes().to_vec()),
        ("files", Some("morning-run.fit"), fit_run()),
        ("files", Some("broken.gpx"), corrupt_gpx()),
        ("files", Some("export.zip"), zip_of(&[("lake.gpx", gpx_walk())])),
    ]);
    let (status, media, html) = send(&f.state, form_request(&content_type, body)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(media, "text/html; charset=utf-8");
    assert!(html.contains("morning-run.fit"));
    // 14:34 UTC is 10:34 in New York (EDT); 0.2 km is 0.1 mi.
    assert!(html.contains("Running · Sun 11 Jun 2017 10:34 · 0.1 mi · 0:57"), "{html}");
    assert!(html.contains(r#"data-units="mi" data-tz="America/New_York""#), "for the script");
    assert!(html.contains(r#"data-state="failed""#));
    assert!(html.contains("the file is not readable XML"), "the reason in words");
    assert!(html.contains("export.zip!/lake.gpx"));
    assert!(
        html.contains("3 files: 2 new, 0 already imported, 0 skipped, 1 failed."),
        "the summary: {html}"
    );
    assert!(html.contains(r#"href="/status""#) && html.contains(r#"href="/""#));
    assert_eq!(f.store.activities(me(&f.store).await).await.unwrap().len(), 2);

    // The same form again: everything already imported, nothing new.
    let (content_type, body) = multipart(&[("files", Some("morning-run.fit"), fit_run())]);
    let (status, _, html) = send(&f.state, form_request(&content_type, body)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Already imported"));
    assert!(html.contains("1 file: 0 new, 1 already imported, 0 skipped, 0 failed."), "{html}");
    assert_eq!(f.store.activities(me(&f.store).await).await.unwrap().len(), 2);

    // No file chosen: the browser sends one empty, nameless part.
    let (content_type, body) = multipart(&[
        ("csrf_token", None, TOKEN.as_bytes().to_vec()),
        ("files", Some(""), Vec::new()),
    ]);
    let (status, _, html) = send(&f.state, form_request(&content_type, body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Choose at least one file"), "{html}");
    // Not a multipart body at all.
    let (status, media, _) =
        send(&f.state, form_request("application/x-www-form-urlencoded", b"a=b".to_vec())).await;
    assert_eq!((status, media.as_str()), (StatusCode::BAD_REQUEST, "application/problem+json"));
}

#[tokio::test]
async fn the_import_page_renders_with_its_form_and_assets() {
    let f = fixture(Mode::Personal).await;
    let get = |path: &str| {
        Request::get(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, format!("afterrun_csrf={TOKEN}"))
            .body(Body::empty())
            .unwrap()
    };
    let answer = common::send(&f.state, get("/import")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let csp = answer.header(header::CONTENT_SECURITY_POLICY).unwrap();
    assert!(csp.contains("script-src 'self'"));
    let html = answer.body;
    assert!(html.contains("<title>Import · afterrun</title>"));
    assert!(html.contains(r#"<a href="/import" aria-current="page">Import</a>"#));
    assert!(html.contains(r#"enctype="multipart/form-data""#));
    assert!(html.contains(r#"<label for="files""#), "the file input has a label");
    assert!(html.contains(r#"type="file" id="files" name="files" multiple"#));
    assert!(html.contains(".fit,.gpx,.tcx,.zip,.gz,.tar.gz"));
    assert!(html.contains(r#"class="dropzone""#) && html.contains(r#"role="status""#));
    assert!(html.contains(&format!(r#"name="csrf_token" value="{TOKEN}""#)));
    assert!(html.contains("/assets/import.js") && html.contains("/assets/import.css"));
    for (asset, media) in [
        ("/assets/import.js", "text/javascript; charset=utf-8"),
        ("/assets/import.css", "text/css; charset=utf-8"),
    ] {
        let (status, got, body) = send(&f.state, get(asset)).await;
        assert_eq!((status, got.as_str()), (StatusCode::OK, media));
        assert!(!body.is_empty());
    }
}

#[tokio::test]
async fn a_strava_catalog_after_its_files_still_names_them() {
    let f = fixture(Mode::Personal).await;
    // The zip lists the run before activities.csv: the catalog is read before the run is
    // decoded all the same.
    let export = zip_of(&[
        ("export/activities/111.gpx", corpus("gpx/togeojson__blue_hills.gpx")),
        (
            "export/activities.csv",
            b"Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
              111,\"Jun 24, 2001\",Blue Hills Hike,Hike,activities/111.gpx\n"
                .to_vec(),
        ),
    ]);
    let (status, answer) = upload(&f.state, "me", "export.zip", export).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let files = answer["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "the CSV is not a file of its own: {answer}");
    assert_eq!(files[0]["sport"], "hiking");
    assert_eq!(files[0]["name"], "Blue Hills Hike");
}
