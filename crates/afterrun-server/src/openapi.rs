//! The OpenAPI 3.1 document served at `/api/openapi.json`, built in code.
//!
//! Written as JSON rather than derived (utoipa): the check-in is validated by hand in
//! `afterrun-protocol` (to name every bad field), not deserialized into derive-able structs, so a
//! derived schema would describe nothing. Here the enums come from the protocol's own code
//! tables (`Equipment::ALL`, `all_regions()`, …), so the document and the validator cannot
//! disagree about which codes exist; the ranges are those of interfaces.md. [`PATHS`] lists every
//! route of the router; a test checks each is documented and served.

use afterrun_protocol::PlanDoc;
use afterrun_protocol::codes::{
    After, Budget, Clinician, Condition, Equipment, Goal, Modality, Sex, SymptomCode, Trend,
};
use afterrun_protocol::region::all_regions;
use serde_json::{Value, json};

/// Every route the router serves, with its method, in the order of the document.
pub const PATHS: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("post", "/api/plan"),
    ("get", "/api/guide"),
    ("get", "/api/guide/{topic}"),
    ("get", "/api/openapi.json"),
    ("post", "/api/athletes/{id}/activities"),
    ("get", "/api/athletes/{id}/status"),
    ("get", "/status"),
    ("get", "/"),
    ("get", "/checkin"),
    ("post", "/checkin"),
    ("get", "/plan.ics"),
    ("get", "/plans"),
    ("get", "/plans/{id}"),
    ("get", "/plans/{id}/calendar.ics"),
    ("post", "/plans/{id}/steps/{step}/done"),
    ("post", "/plans/{id}/steps/{step}/undo"),
    ("get", "/profile"),
    ("post", "/profile"),
    ("get", "/import"),
    ("post", "/import"),
    ("get", "/guide"),
    ("get", "/guide/{topic}"),
    ("get", "/device"),
    ("get", "/device/run"),
    ("get", "/api/device/compression/stream"),
    ("get", "/api/device/vibration/stream"),
    ("get", "/assets/{file}"),
    ("get", "/manifest.webmanifest"),
    ("get", "/sw.js"),
    ("post", "/api/accounts"),
    ("post", "/api/session"),
    ("delete", "/api/session"),
    ("get", "/api/me"),
    ("delete", "/api/me"),
    ("put", "/api/me/password"),
    ("get", "/api/athletes/{id}/export"),
    ("get", "/api/athletes"),
    ("get", "/api/athletes/{id}/profile"),
    ("put", "/api/athletes/{id}/profile"),
    ("get", "/api/athletes/{id}/checkins"),
    ("post", "/api/athletes/{id}/checkins"),
    ("get", "/api/athletes/{id}/plans"),
    ("get", "/api/athletes/{id}/plans/{plan}"),
    ("post", "/api/athletes/{id}/plans/{plan}/steps/{step}/done"),
    ("get", "/api/athletes/{id}/activities"),
    ("get", "/api/athletes/{id}/coaches"),
    ("post", "/api/athletes/{id}/coaches"),
    ("delete", "/api/athletes/{id}/coaches/{username}"),
    ("post", "/api/invites"),
    ("post", "/coach/invites"),
    ("get", "/api/referrals"),
    ("get", "/login"),
    ("post", "/login"),
    ("get", "/signup"),
    ("post", "/signup"),
    ("post", "/logout"),
    ("get", "/coach"),
    ("get", "/coach/athletes/{id}/status"),
    ("post", "/coach/athletes/{id}/accept"),
    ("post", "/coach/athletes/{id}/end"),
    ("post", "/api/coach/athletes/{id}/accept"),
    ("delete", "/api/coach/athletes/{id}"),
    ("get", "/coach/athletes/{id}/plans/{plan}"),
    ("post", "/profile/coaches"),
    ("post", "/profile/coaches/{username}/remove"),
    ("get", "/pair/{token}"),
    ("post", "/profile/devices/link"),
    ("post", "/profile/devices/{id}/revoke"),
];

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&c| code(c)).collect()
}

fn number(min: f64, max: f64) -> Value {
    json!({"type": "number", "minimum": min, "maximum": max})
}

fn time() -> Value {
    json!({"type": "string", "format": "date-time",
           "description": "RFC 3339 with an offset, such as 2026-11-23T08:30:00Z"})
}

/// The check-in schema (interfaces.md, "Check-in").
/// The athlete fields a check-in's `athlete` object and the stored profile share, with the same
/// codes and ranges (one place for both schemas).
fn shared_athlete_properties() -> serde_json::Map<String, Value> {
    let Value::Object(map) = json!({
        "age": number(10.0, 110.0),
        "sex": {"enum": codes(Sex::ALL, Sex::code)},
        "body_mass_kg": number(25.0, 250.0),
        "weekly_km": number(0.0, 400.0),
        "goal": {"enum": codes(Goal::ALL, Goal::code)},
        "equipment": {"type": "array", "items": {"enum": codes(Equipment::ALL, Equipment::code)}},
        "conditions": {"type": "array", "items": {"enum": codes(Condition::ALL, Condition::code)}},
        "budget": {"enum": codes(Budget::ALL, Budget::code)},
        "prefers_cycling": {"type": "boolean"}
    }) else {
        return serde_json::Map::new();
    };
    map
}

/// Adds the shared athlete properties to a schema's `properties`.
fn with_shared_athlete(mut schema: Value, pointer: &str) -> Value {
    if let Some(properties) = schema.pointer_mut(pointer).and_then(Value::as_object_mut) {
        properties.extend(shared_athlete_properties());
    }
    schema
}

fn checkin_schema() -> Value {
    let mut schema = with_shared_athlete(checkin_own_schema(), "/properties/athlete/properties");
    nullable_optionals(&mut schema);
    schema
}

/// The check-in reader takes `null` for any optional field as "not given" (interfaces.md's own
/// example has `"cramp_now": null`): every property not `required`, and every soreness value,
/// also accepts `null`, at every depth.
fn nullable_optionals(schema: &mut Value) {
    let required: Vec<Value> = schema["required"].as_array().cloned().unwrap_or_default();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            nullable_optionals(property);
            if !required.contains(&json!(name)) {
                *property = json!({"anyOf": [property.take(), {"type": "null"}]});
            }
        }
    }
    if let Some(items) = schema.get_mut("items") {
        nullable_optionals(items);
    }
    if let Some(values) = schema.get_mut("additionalProperties").filter(|v| v.is_object()) {
        *values = json!({"anyOf": [values.take(), {"type": "null"}]});
    }
}

/// An object of these properties and no others, the `required` ones given.
fn closed_object(required: &[&str], properties: Value) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": properties
    })
}

/// The check-in schema but the athlete fields it shares with the profile.
fn checkin_own_schema() -> Value {
    let regions: Vec<String> = all_regions().iter().map(ToString::to_string).collect();
    json!({
        "type": "object",
        "required": ["now"],
        "additionalProperties": false,
        "properties": {
            "now": time(),
            "athlete": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "clearances": {"type": "array", "items": closed_object(&["modality"], json!({
                        "modality": {"enum": codes(Modality::ALL, Modality::code)},
                        "by": {"enum": codes(Clinician::ALL, Clinician::code)},
                        "date": {"type": "string", "format": "date"},
                        "max_mmhg": number(20.0, 110.0)
                    }))},
                    "max_hr": number(30.0, 230.0),
                    "rest_hr": number(30.0, 230.0),
                    "threshold_pace": {"type": "string", "pattern": "^[0-5]?[0-9]:[0-5][0-9]$"},
                    "name": {"type": "string"}
                }
            },
            "run": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "ended_at": time(),
                    "duration_min": number(1.0, 2880.0),
                    "distance_km": number(0.0, 400.0),
                    "ascent_m": number(0.0, 20000.0),
                    "descent_m": number(0.0, 20000.0),
                    "avg_hr": number(30.0, 230.0),
                    "rpe": number(1.0, 10.0),
                    "file": {"type": ["string", "null"]}
                }
            },
            "soreness": {
                "type": "object",
                "description": "0-10 rating per muscle group or region",
                "propertyNames": {"enum": regions},
                "additionalProperties": number(0.0, 10.0)
            },
            "symptoms": {"type": "array", "items": closed_object(&["code"], json!({
                "code": {"enum": codes(SymptomCode::ALL, SymptomCode::code)},
                "region": {"enum": regions},
                "since_hours": number(0.0, 8760.0),
                "trend": {"enum": codes(Trend::ALL, Trend::code)},
                "after": {"enum": codes(After::ALL, After::code)}
            }))},
            "cramp_now": {"enum": regions},
            "next_run_at": time()
        }
    })
}

/// The profile document (`afterrun profile --json`, `GET/PUT /api/athletes/{id}/profile`): one
/// property per field the server accepts ([`afterrun_store::Profile::FIELDS`], checked by a
/// test), with the ranges of `afterrun_service::profile`.
fn profile_schema() -> Value {
    with_shared_athlete(profile_own_schema(), "/properties")
}

/// The profile schema but the athlete fields it shares with the check-in.
fn profile_own_schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "clearances": {"type": "array", "items": {"type": "object", "required": ["modality", "by", "date"],
                "properties": {"modality": {"type": "string"}, "by": {"type": "string"},
                               "date": {"type": "string"}, "max_mmhg": {"type": "integer"}}}},
            "max_hr": {"type": "integer", "minimum": 100, "maximum": 240},
            "rest_hr": {"type": "integer", "minimum": 25, "maximum": 120},
            "threshold_pace_s_per_km": number(120.0, 900.0),
            "tz": {"type": "string", "description": "an IANA time zone, e.g. Europe/Berlin"},
            "units": {"enum": ["km", "mi"]},
            "seed_fitness": number(0.0, 300.0),
            "seed_fatigue": number(0.0, 300.0),
            "seed_date": {"type": "string", "format": "date"},
            "fitness_tau_days": number(1.0, 365.0),
            "fatigue_tau_days": number(1.0, 365.0)
        },
        "description": "every field optional; `seed_*` come as all three or none"
    })
}

/// A number, or `null` when it cannot be computed.
fn number_or_null() -> Value {
    json!({"type": ["number", "null"]})
}

/// The `status --json` document with `what_works` (`afterrun_service::status`).
fn status_schema() -> Value {
    let number = json!({"type": "number"});
    json!({"type": "object",
    "required": ["as_of", "fitness", "fatigue", "form", "acwr", "acwr_band", "daily", "muscles", "what_works"],
    "properties": {
        "as_of": {"type": "string", "format": "date"},
        "fitness": number, "fatigue": number, "form": number,
        "acwr": number_or_null(), "acwr_band": {"type": ["string", "null"]},
        "acwr_rolling": number_or_null(), "monotony": number_or_null(), "strain": number_or_null(),
        "weekly_km": number, "weekly_time_s": number, "weekly_load": number, "ramp_rate": number,
        "high_volume": {"type": ["boolean", "null"]}, "meaning": {"type": "string"},
        "activities": {"type": "integer", "minimum": 0},
        "daily": {"type": "array", "items": {"type": "object",
            "required": ["date", "load", "fitness", "fatigue", "form", "acwr"],
            "properties": {"date": {"type": "string", "format": "date"}, "load": number,
                "fitness": number, "fatigue": number, "form": number, "acwr": number_or_null()}}},
        "muscles": {"type": "array", "items": {"type": "object",
            "required": ["group", "soreness_now", "peak_at", "peak", "clear_by", "next_days", "calibration"],
            "properties": {"group": {"type": "string"}, "soreness_now": number,
                "peak_at": {"type": ["string", "null"]}, "peak": number,
                "clear_by": {"type": ["string", "null"]},
                "next_days": {"type": "array", "items": number, "minItems": 3, "maxItems": 3},
                "calibration": number}}},
        "assumptions": {"type": "array", "items": {"type": "string"}},
        "what_works": {"type": "object", "required": ["effects", "outcomes"],
            "properties": {"outcomes": {"type": "integer", "minimum": 0},
                "effects": {"type": "array", "items": {"type": "object",
                    "required": ["effect", "modality", "sessions", "text"],
                    "properties": {"effect": number, "modality": {"enum": codes(Modality::ALL, Modality::code)},
                        "sessions": {"type": "integer", "minimum": 0}, "text": {"type": "string"}}}}}}
    }})
}

fn problem(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

/// 429 with its `Retry-After` header, as a problem or (`page`) as the form's page again.
fn too_many(description: &str, page: bool) -> Value {
    let mut answer = if page { html(description) } else { problem(description) };
    answer["headers"] = json!({"Retry-After": {"description": "seconds to wait", "required": true,
        "schema": {"type": "integer", "minimum": 1}}});
    answer
}

/// What every operation with a body may answer besides its own: 413 when the body is larger
/// than the route accepts (a problem, like every refusal, unless the operation says otherwise).
fn add_common_refusals(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    let operations =
        paths.values_mut().filter_map(Value::as_object_mut).flat_map(|m| m.values_mut());
    for operation in operations.filter(|o| o.get("requestBody").is_some()) {
        if let Some(responses) = operation["responses"].as_object_mut() {
            responses
                .entry("413")
                .or_insert_with(|| problem("the body is larger than this address accepts"));
        }
    }
}

/// What `auth::gate` answers an anonymous request in multi-user mode, on every address that
/// is not public: a page (GET outside `/api/`) goes to the login page, anything else is 401.
/// And what `lan::gate` answers an unpaired device under `serve --lan`, on every address but
/// the few open ones: 401, a problem under `/api/`, else the page explaining pairing.
fn add_session_refusals(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for (path, methods) in paths.iter_mut().filter_map(|(p, m)| Some((p, m.as_object_mut()?))) {
        for (method, operation) in methods.iter_mut() {
            let http = method.to_ascii_uppercase().parse().unwrap_or_default();
            let Some(responses) = operation["responses"].as_object_mut() else { continue };
            if !crate::lan::is_open(path) {
                let unpaired = if path.starts_with("/api/") {
                    problem("`serve --lan`: an unpaired device (type /problems/not-paired)")
                } else {
                    html("`serve --lan`: an unpaired device gets the page explaining pairing")
                };
                add_answer(responses, "401", unpaired);
            }
            if crate::auth::is_public(&http, path) {
                continue;
            }
            if method == "get" && !path.starts_with("/api/") {
                responses.entry("303").or_insert_with(
                    || json!({"description": "multi-user mode without a session: to /login"}),
                );
            } else {
                add_answer(responses, "401", problem("multi-user mode: no session"));
            }
        }
    }
}

/// Adds `answer` for `status`, or its media types to the answer already there.
fn add_answer(responses: &mut serde_json::Map<String, Value>, status: &str, answer: Value) {
    let Some(have) = responses.get_mut(status) else {
        responses.insert(status.into(), answer);
        return;
    };
    if let (Some(more), Some(have)) = (answer["content"].as_object(), have.as_object_mut()) {
        let content = have.entry("content").or_insert_with(|| json!({}));
        for (media, schema) in more {
            if content.get(media).is_none() {
                content[media] = schema.clone();
            }
        }
    }
}

fn html(description: &str) -> Value {
    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}})
}

fn id_param() -> Value {
    json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}])
}

/// A web form that changes a step of a stored plan (`/plans/{id}/steps/{step}/…`): `summary`,
/// the redirect's `done` description, the same-origin rule `refused`.
fn step_form(summary: &str, done: &str, refused: &str) -> Value {
    json!({"post": {"summary": summary,
        "description": refused,
        "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
            {"name": "step", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}}
        ],
        "responses": {"303": {"description": done},
                      "403": problem("cross-origin request refused"),
                      "404": problem("no such plan or step")}}})
}

fn topic_param() -> Value {
    let ids: Vec<&str> = afterrun_protocol::guide::topics().iter().map(|t| t.id).collect();
    json!([{"name": "topic", "in": "path", "required": true,
            "schema": {"type": "string", "examples": ids}}])
}

fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn athlete_params(extra: &[(&str, &str)]) -> Value {
    let mut params = vec![json!({"name": "id", "in": "path", "required": true,
        "description": "the athlete's id", "schema": {"type": "integer"}})];
    for (name, ty) in extra {
        params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": ty}}));
    }
    Value::Array(params)
}

/// The answers every athlete-scoped endpoint may give besides its own.
fn scoped(mut responses: Value, write: bool) -> Value {
    if let Some(map) = responses.as_object_mut() {
        map.insert("401".into(), problem("multi-user mode: no session"));
        map.insert(
            "404".into(),
            problem("no such athlete, or one the principal may not see (the same answer)"),
        );
        if write {
            map.insert("403".into(), problem("a coach may read a linked athlete but not change it, or cross-origin request refused"));
        }
    }
    responses
}

/// The athlete-scoped JSON API and the accounts endpoints.
fn accounts_paths() -> Value {
    let account = schema_ref("AccountAnswer");
    let credentials = json!({"type": "object", "required": ["username", "password"], "properties": {
        "username": {"type": "string", "pattern": "^[a-z0-9._-]{3,64}$"},
        "password": {"type": "string", "minLength": 10, "maxLength": 200},
        "role": {"enum": ["athlete", "coach"]},
        "invite": {"type": ["string", "null"], "description": "sign-up: the invitation (`serve --signup invite`)"}}});
    let mut signup = credentials.clone();
    signup["required"] = json!(["username", "password", "role"]);
    let personal = || problem("personal mode has no accounts");
    let athlete_list = json!({"type": "array", "items": {"type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}});
    let form = json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "additionalProperties": {"type": "string"}}}}});
    let plan_row = json!({"$ref": "#/components/schemas/PlanRow"});
    json!({
        "/api/accounts": {"post": {"summary": "Sign up (multi-user mode; 404 in personal mode)",
            "requestBody": json_body(signup),
            "responses": {"201": ok("the account", account.clone()), "404": personal(),
                          "403": problem("sign-up is closed (`serve --signup closed`), or by invitation and `invite` is missing, unknown, used or expired"),
                          "409": problem("the username is taken"),
                          "422": problem("`field` names the bad username, password, role or invite"),
                          "429": too_many(&format!("{} sign-ups from this client within 15 minutes, or no free turn to hash a password", crate::limits::MAX_CLIENT_SIGNUPS), false)}}},
        "/api/session": {
            "post": {"summary": "Log in: sets the `afterrun_session` cookie (HttpOnly, SameSite=Strict, 14 days; Secure behind a TLS-terminating proxy that sends X-Forwarded-Proto: https)",
                "requestBody": json_body(credentials),
                "responses": {"204": {"description": "logged in; the cookie is set"}, "404": personal(),
                              "401": problem("wrong username or password"),
                              "422": problem("the body is not a JSON object with `username` and `password`"),
                              "429": too_many(&format!("5 failed logins for this username, or {} from this client, within 15 minutes; or no free turn to check a password", crate::limits::MAX_CLIENT_FAILURES), false)}},
            "delete": {"summary": "Log out: the session is deleted and the cookie cleared",
                "responses": {"204": {"description": "logged out"}, "404": personal()}}
        },
        "/api/me": {"get": {"summary": "Who is asking (personal mode: the owner)",
            "responses": {"200": ok("the principal", account), "401": problem("no session")}},
            "delete": {"summary": "Delete the caller's account and, for an athlete, all their data (multi-user)",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["password"], "additionalProperties": false,
                    "properties": {"password": {"type": "string"}}}}}},
                "responses": {"204": {"description": "deleted; the session cookie cleared"}, "404": personal(),
                              "401": problem("no session, or not the password"),
                              "422": problem("`field` names the bad field"),
                              "429": problem("too many failed attempts; see Retry-After")}}},
        "/api/me/password": {"put": {"summary": "Change the caller's password: every other session ends (multi-user)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["current", "new"], "additionalProperties": false,
                "properties": {"current": {"type": "string"}, "new": {"type": "string", "minLength": 10}}}}}},
            "responses": {"204": {"description": "changed; a new session cookie"}, "404": personal(),
                          "401": problem("no session, or not the current password"),
                          "422": problem("`field` names the bad field"),
                          "429": problem("too many failed attempts; see Retry-After")}}},
        "/api/athletes/{id}/export": {"get": {"summary": "Everything stored about the athlete, as `afterrun export` (the athlete themself; not a coach)",
            "parameters": athlete_params(&[]),
            "responses": {"200": ok("the export document", json!({"$ref": "#/components/schemas/Export"})),
                          "401": problem("no session"), "403": problem("a coach reads, and does not export"),
                          "404": problem("no such athlete")}}},
        "/api/athletes": {"get": {"summary": "The athletes the principal may see",
            "responses": {"200": ok("id and name of each", athlete_list), "401": problem("no session")}}},
        "/api/athletes/{id}/profile": {
            "get": {"summary": "The athlete's profile (as `afterrun profile --json`)", "parameters": athlete_params(&[]),
                "responses": scoped(json!({"200": ok("the profile", json!({"$ref": "#/components/schemas/Profile"}))}), false)},
            "put": {"summary": "Replace the athlete's profile", "parameters": athlete_params(&[]),
                "requestBody": json_body(json!({"$ref": "#/components/schemas/Profile"})),
                "responses": scoped(json!({"200": ok("the saved profile", json!({"$ref": "#/components/schemas/Profile"})),
                                           "422": problem("`field` names the bad profile field")}), true)}
        },
        "/api/athletes/{id}/checkins": {
            "get": {"summary": "The athlete's check-ins, oldest first", "parameters": athlete_params(&[]),
                "responses": scoped(json!({"200": ok("the check-ins", json!({"type": "array", "items": {"$ref": "#/components/schemas/CheckinRow"}}))}), false)},
            "post": {"summary": "Check in: the stored profile fills what the body leaves out; the check-in and its plan are kept",
                "parameters": athlete_params(&[]),
                "requestBody": json_body(json!({"$ref": "#/components/schemas/CheckIn"})),
                "responses": scoped(json!({"201": ok("the ids and the plan", json!({"type": "object",
                    "required": ["checkin_id", "plan_id", "plan"],
                    "properties": {"checkin_id": {"type": "integer"}, "plan_id": {"type": "integer"},
                                   "plan": {"$ref": "#/components/schemas/Plan"}}})),
                    "422": problem("the check-in is invalid; `field` names the JSON path")}), true)}
        },
        "/api/athletes/{id}/plans": {"get": {"summary": "The athlete's plans with their done steps, oldest first",
            "parameters": athlete_params(&[]),
            "responses": scoped(json!({"200": ok("the plans", json!({"type": "array", "items": plan_row.clone()}))}), false)}},
        "/api/athletes/{id}/plans/{plan}": {"get": {"summary": "One of the athlete's plans",
            "parameters": athlete_params(&[("plan", "integer")]),
            "responses": scoped(json!({"200": ok("the plan", plan_row.clone())}), false)}},
        "/api/athletes/{id}/plans/{plan}/steps/{step}/done": {"post": {"summary": "Mark a step done (the first time counts)",
            "parameters": athlete_params(&[("plan", "integer"), ("step", "integer")]),
            "responses": scoped(json!({"200": ok("the plan", plan_row)}), true)}},
        "/api/athletes/{id}/activities": {"get": {"summary": "The athlete's activities (as `afterrun activities --json`)",
            "parameters": athlete_params(&[]),
            "responses": scoped(json!({"200": ok("the activities, oldest first", json!({"type": "array", "items": schema_ref("ActivityAnswer")}))}), false)}},
        "/api/athletes/{id}/coaches": {
            "get": {"summary": "The coaches the athlete linked", "parameters": athlete_params(&[]),
                "responses": scoped(json!({"200": ok("username, linked_at and accepted of each", json!({"type": "array", "items": schema_ref("CoachLink")}))}), false)},
            "post": {"summary": "Link a coach (the athlete themself only)", "parameters": athlete_params(&[]),
                "requestBody": json_body(json!({"type": "object", "required": ["coach"], "properties": {"coach": {"type": "string"}}})),
                "responses": scoped(json!({"201": ok("linked (asked: the link takes effect when the coach accepts)", schema_ref("CoachAnswer")),
                    "422": problem("no coach has that username")}), true)}
        },
        "/api/athletes/{id}/coaches/{username}": {"delete": {"summary": "Unlink a coach (the athlete themself only)",
            "parameters": athlete_params(&[("username", "string")]),
            "responses": scoped(json!({"204": {"description": "unlinked"}}), true)}},
        "/login": {
            "get": {"summary": "Web app (multi-user): the login page", "responses": {"200": html("the page"),
                "303": {"description": "already logged in: to / (athlete) or /coach (coach)"}, "404": html("personal mode")}},
            "post": {"summary": "Web app (multi-user): log in; sets the session cookie", "requestBody": form,
                "responses": {"303": {"description": "logged in: to / (athlete) or /coach (coach)"},
                              "401": html("the page again: wrong username or password"),
                              "429": too_many("the page again: too many failed logins, or no free turn to check a password", true)}}
        },
        "/signup": {
            "get": {"summary": "Web app (multi-user): the sign-up page",
                "parameters": [{"name": "invite", "in": "query", "schema": {"type": "string"},
                                "description": "the invitation the form carries (`serve --signup invite`)"}],
                "responses": {"200": html("the page"), "403": html("the page without a form: sign-up is closed, or by invitation and there is none"),
                              "404": html("personal mode")}},
            "post": {"summary": "Web app (multi-user): create an account and log in", "requestBody": form,
                "responses": {"303": {"description": "created and logged in"},
                              "403": html("the page again: sign-up is closed, or the invitation is missing, unknown, used or expired"),
                              "409": html("the page again: the username is taken"),
                              "422": html("the page again, naming the field at fault"),
                              "429": too_many("the page again: too many sign-ups from this client, or no free turn to hash a password", true)}}
        },
        "/logout": {"post": {"summary": "Web app (multi-user): log out", "requestBody": form,
            "responses": {"303": {"description": "to /login; the session is deleted"}}}},
        "/coach": {"get": {"summary": "Web app (multi-user): a coach's runners and their red-flag check-ins",
            "responses": {"200": html("the page"), "303": {"description": "not a coach: to / or /login"}}}},
        "/api/coach/athletes/{id}/accept": {"post": {"summary": "A coach accepts a runner's request: from now on they read the runner's data (multi-user)",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "responses": {"204": {"description": "accepted"}, "401": problem("no session"),
                          "404": problem("not a coach, or this runner has not asked")}}},
        "/api/coach/athletes/{id}": {"delete": {"summary": "A coach declines a runner's request or ends the link (multi-user)",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "responses": {"204": {"description": "ended"}, "401": problem("no session"),
                          "404": problem("not a coach, or no link with this runner")}}},
        "/coach/athletes/{id}/accept": {"post": {"summary": "Web app (multi-user): the coach accepts a runner's request",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "requestBody": form, "responses": {"303": {"description": "back to the coach page"}, "404": problem("no such request")}}},
        "/coach/athletes/{id}/end": {"post": {"summary": "Web app (multi-user): the coach declines a request or stops coaching a runner",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "requestBody": form, "responses": {"303": {"description": "back to the coach page"}, "404": problem("no such link")}}},
        "/coach/athletes/{id}/status": {"get": {"summary": "Web app (multi-user): a linked runner's status page, read only",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "responses": {"200": html("the page"), "404": problem("not a runner of this coach")}}},
        "/coach/athletes/{id}/plans/{plan}": {"get": {"summary": "Web app (multi-user): a linked runner's stored plan, read only",
            "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                {"name": "plan", "in": "path", "required": true, "schema": {"type": "integer"}}
            ],
            "responses": {"200": html("the page"), "404": problem("not a runner of this coach, or no such plan")}}},
        "/coach/invites": {"post": {"summary": "Web app (multi-user, `--signup invite`): a coach makes a one-time sign-up link",
            "requestBody": form,
            "responses": {"200": html("the coach page showing the link once"),
                          "303": {"description": "not a coach: to / or /login"},
                          "404": html("sign-up is not by invitation, or personal mode")}}},
        "/profile/coaches": {"post": {"summary": "Web app (multi-user): the athlete adds a coach by username",
            "requestBody": form, "responses": {"303": {"description": "back to the profile"}}}},
        "/profile/coaches/{username}/remove": {"post": {"summary": "Web app (multi-user): the athlete removes a coach",
            "parameters": [{"name": "username", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": form, "responses": {"303": {"description": "back to the profile"}}}},
        "/api/invites": {"post": {"summary": "Coaches: a one-time sign-up invitation (for `serve --signup invite`), usable for 7 days",
            "responses": {"201": ok("the invitation's token, the sign-up page's path carrying it, and when it expires",
                              schema_ref("InviteAnswer")),
                          "401": problem("no session"), "403": problem("not a coach"),
                          "404": problem("personal mode has no accounts")}}},
        "/api/referrals": {"get": {"summary": "Coaches: the red-flag check-ins (triage not self_care) of their linked athletes, newest first",
            "responses": {"200": ok("athlete_id, athlete, checkin_id, checked_in_at, plan_id, level, reasons of each", json!({"type": "array", "items": schema_ref("Referral")})),
                          "401": problem("no session"), "403": problem("not a coach"),
                          "404": problem("personal mode has no coaches")}}}
    })
}

/// The whole document.
pub fn document() -> Value {
    let refused = "a state-changing request must carry `Origin` (this server's own) or \
                   `Sec-Fetch-Site: same-origin`, or the visitor's own CSRF token (the one \
                   its pages carry: bound to the session, else to the `afterrun_csrf` cookie) \
                   as the `X-CSRF-Token` header or `csrf_token` form field";
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "afterrun",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "What to do for your legs after a run. In personal mode the server \
                            answers only to loopback Host names (else 421). Every error is \
                            application/problem+json (RFC 9457) naming the field, the server's \
                            own 404, 405 (a method an address does not serve, with Allow), 413 \
                            and 503 included; a JSON body that is not JSON, or gives a key \
                            twice, is 422 of type /problems/invalid-json naming the path. Every \
                            answer carries X-Content-Type-Options: nosniff, and every answer \
                            but an asset Cache-Control: no-store. Password checks are bounded \
                            per client and per server: beyond, 429 with Retry-After. Under \
                            `serve --lan` the server also answers to its LAN address and port, \
                            and any request but the owner's (loopback Host and peer) needs a \
                            paired device's cookie (`afterrun_device`, from a one-time pairing \
                            link): else 401, a page explaining pairing, or under /api/ a problem \
                            of type /problems/not-paired."
        },
        "paths": {
            "/healthz": {"get": {"summary": "Liveness", "responses": {
                "200": {"description": "the server is up", "content": {"text/plain": {"schema": {"type": "string"}}}}
            }}},
            "/api/plan": {"post": {
                "summary": "A recovery plan for a check-in (the same JSON as `afterrun plan --json`)",
                "description": refused,
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckIn"}}}},
                "responses": {
                    "200": {"description": "the plan (interfaces.md, Plan)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Plan"}}}},
                    "403": problem("cross-origin request refused"),
                    "421": problem("Host is not a loopback name"),
                    "422": problem("the check-in is invalid; `field` names the JSON path")
                }
            }},
            "/api/guide": {"get": {"summary": "The guide topics", "responses": {
                "200": {"description": "topics in reading order", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["topics"],
                    "properties": {"topics": {"type": "array", "items": {"type": "object",
                        "required": ["id", "title", "summary"],
                        "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "summary": {"type": "string"}}}}}
                }}}}
            }}},
            "/api/guide/{topic}": {"get": {"summary": "One guide topic", "parameters": topic_param(), "responses": {
                "200": {"description": "the topic with its references", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GuideTopic"}}}},
                "404": problem("no such topic")
            }}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object",
                    "required": ["openapi", "info", "paths", "components"],
                    "properties": {"openapi": {"const": "3.1.0"}, "info": {"type": "object", "required": ["title", "version"]},
                                   "paths": {"type": "object"}, "components": {"type": "object"}}}}}}
            }}},
            "/api/athletes/{id}/activities": {"post": {
                "summary": "Import a FIT, GPX or TCX file, or an archive of them (zip, nested zip, gz, tar.gz, a Strava or Garmin export)",
                "description": format!("The body is the file's bytes. Answers with the lines of \
                    `afterrun import --json`, one per file found, and their summary; a file that \
                    fails does not stop the others, and the same bytes again are a duplicate. At \
                    most {} MiB. {refused}", crate::upload::BODY_LIMIT / (1024 * 1024)),
                "parameters": [
                    {"name": "id", "in": "path", "required": true,
                     "description": "the athlete's id, or `me`: the personal athlete, or the logged-in athlete's own",
                     "schema": {"oneOf": [{"type": "integer"}, {"const": "me"}]}},
                    {"name": "name", "in": "query", "required": true,
                     "description": "the file's name (its extension helps when the bytes are ambiguous)",
                     "schema": {"type": "string", "minLength": 1, "examples": ["run.fit", "export.zip"]}}
                ],
                "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {
                    "200": {"description": "every file's import line and the summary",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportResult"}}}},
                    "400": problem("the body is empty or `name` is missing; `field` says which"),
                    "403": problem("cross-origin request refused"),
                    "404": problem("no such athlete, or no store"),
                    "413": problem("the body is too large"),
                    "429": too_many("too many uploads in progress, for this athlete or on the server", false)
                }
            }},
            "/import": {
                "get": {"summary": "Web app: the import page (drag and drop, per-file progress and results)",
                        "responses": {"200": html("the page")}},
                "post": {"summary": "Web app: the import form without JavaScript: every file imported, then the results page",
                    "description": refused,
                    "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {
                        "type": "object",
                        "properties": {
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                            "csrf_token": {"type": "string"}
                        }}}}},
                    "responses": {"200": html("the results page"),
                                  "400": html("no file was chosen"),
                                  "403": problem("cross-origin request refused"),
                                  "413": html("the upload is too large"),
                                  "429": too_many("the page again: too many uploads in progress", true)}}
            },
            "/api/athletes/{id}/status": {"get": {
                "summary": "The athlete's status: the `afterrun status --json` document with `what_works`",
                "parameters": [{"name": "id", "in": "path", "required": true,
                                "description": "the athlete's id, or `me`", "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "fitness, fatigue, form, ACWR, daily series, soreness forecast, what works",
                            "content": {"application/json": {"schema": status_schema()}}},
                    "404": problem("no such athlete, or not one the caller may see")
                }}},
            "/status": {"get": {"summary": "Web app: the status page (fitness chart, ACWR gauge, soreness forecast on the body map, what works for you)",
                "responses": {"200": html("the page")}}},
            "/": {"get": {"summary": "Web app: the check-in page", "responses": {"200": html("the page")}}},
            "/checkin": {"get": {"summary": "Web app: back to the check-in page (a reload of the old plan address)",
                "responses": {"303": {"description": "to /"}}},
              "post": {
                "summary": "Web app: submit the check-in form, get the plan page",
                "description": refused,
                "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "additionalProperties": {"type": "string"}}}}},
                "responses": {"200": html("the plan page (nothing is stored: a server without a store)"),
                              "303": {"description": "the check-in and its plan are stored: to /plans/{id}"},
                              "403": problem("cross-origin request refused"),
                              "422": html("the check-in page again, with the field at fault marked")}
            }},
            "/plan.ics": {"get": {
                "summary": "Web app: a plan's steps as an iCalendar file",
                "parameters": [{"name": "checkin", "in": "query", "required": true,
                                "description": "the check-in as JSON text", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "iCalendar", "content": {"text/calendar": {"schema": {"type": "string"}}}},
                              "400": problem("the checkin parameter is missing"),
                              "422": problem("the check-in is invalid")}
            }},
            "/plans": {"get": {"summary": "Web app: the stored plans, newest first", "responses": {"200": html("the page")}}},
            "/plans/{id}": {"get": {"summary": "Web app: a stored plan with its done steps",
                "parameters": id_param(),
                "responses": {"200": html("the plan page"), "404": html("no such plan")}}},
            "/plans/{id}/calendar.ics": {"get": {"summary": "Web app: a stored plan as an iCalendar file",
                "parameters": id_param(),
                "responses": {"200": {"description": "iCalendar", "content": {"text/calendar": {"schema": {"type": "string"}}}},
                              "404": problem("no such plan")}}},
            "/plans/{id}/steps/{step}/done": step_form("Web app: mark a step of a stored plan done", "done; back to the plan", refused),
            "/plans/{id}/steps/{step}/undo": step_form("Web app: take back a step marked done", "taken back; back to the plan", refused),
            "/profile": {
                "get": {"summary": "Web app: the profile form", "responses": {"200": html("the page"), "404": html("no store")}},
                "post": {"summary": "Web app: save the profile", "description": refused,
                    "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "additionalProperties": {"type": "string"}}}}},
                    "responses": {"303": {"description": "saved; back to the profile"},
                                  "403": problem("cross-origin request refused"),
                                  "422": html("the form again, with the field at fault")}}
            },
            "/guide": {"get": {"summary": "Web app: the guide topics", "responses": {"200": html("the page")}}},
            "/guide/{topic}": {"get": {"summary": "Web app: one guide topic", "parameters": topic_param(),
                "responses": {"200": html("the page"), "404": html("no such topic")}}},
            "/assets/{file}": {"get": {"summary": "Web app: CSS, scripts and the vendored htmx",
                "parameters": [{"name": "file", "in": "path", "required": true, "schema": {"type": "string",
                    "examples": ["app.css", "app.js", "import.css", "import.js", "htmx.min.js", "htmx.LICENSE", "icon.svg", "icon-192.png", "icon-512.png"]}}],
                "responses": {"200": {"description": "the file", "content": {
                    "text/css": {"schema": {"type": "string"}}, "text/javascript": {"schema": {"type": "string"}},
                    "text/plain": {"schema": {"type": "string"}}, "image/svg+xml": {"schema": {"type": "string"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}}}},
                    "404": problem("no such file")}}},
            "/manifest.webmanifest": {"get": {"summary": "Web app: the manifest that makes it installable",
                "responses": {"200": {"description": "the manifest", "content": {"application/manifest+json": {"schema": {"type": "object",
                    "required": ["name", "short_name", "start_url", "display", "icons"],
                    "properties": {"name": {"type": "string"}, "short_name": {"type": "string"},
                        "start_url": {"type": "string"}, "display": {"type": "string"},
                        "icons": {"type": "array", "items": {"type": "object", "required": ["src", "sizes", "type"],
                            "properties": {"src": {"type": "string"}, "sizes": {"type": "string"},
                                "type": {"type": "string"}, "purpose": {"type": "string"}}}}}}}}}}}},
            "/sw.js": {"get": {"summary": "Web app: the service worker (app shell and the last plan offline)",
                "responses": {"200": {"description": "the script", "content": {"text/javascript": {"schema": {"type": "string"}}}}}}}
        },
        "components": {"schemas": {
            "CheckIn": checkin_schema(),
            "Profile": profile_schema(),
            "ImportResult": {
                "type": "object",
                "required": ["files", "summary"],
                "properties": {
                    "files": {"type": "array", "description": "one `import --json` line per file (interfaces.md)",
                              "items": {"type": "object", "required": ["file"], "properties": {
                                  "file": {"type": "string"},
                                  "ok": {"type": "boolean"},
                                  "stored": {"enum": ["new", "duplicate"]},
                                  "duplicate_of": {"type": "integer"},
                                  "error": {"type": "object", "properties": {
                                      "kind": {"enum": ["not_activity_file", "truncated", "bad_header", "bad_crc",
                                                        "bad_structure", "bad_xml", "unsupported", "io"]},
                                      "message": {"type": "string"}}}}}},
                    "summary": {"type": "object", "required": ["files", "new", "duplicates", "skipped", "failed"],
                                "properties": {"files": {"type": "integer"}, "new": {"type": "integer"},
                                               "duplicates": {"type": "integer"}, "skipped": {"type": "integer"},
                                               "failed": {"type": "integer"}}}
                }
            },
            "GuideTopic": {"type": "object", "required": ["id", "title", "summary", "seed_advice", "evidence", "references"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "summary": {"type": "string"},
                    "seed_advice": {"type": "array", "items": {"type": "string"}},
                    "evidence": {"type": "array", "items": {"type": "string"}},
                    "references": {"type": "array", "items": {"type": "object", "required": ["id", "citation"],
                        "properties": {"id": {"type": "string"}, "citation": {"type": ["string", "null"]}}}},
                    "outcome_modalities": {"type": "array", "items": {"type": "string"}},
                    "outcome_note": {"type": "string"}}}
        }}
    });
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (name, schema) in generated_schemas() {
            // A hand-written schema (the check-in's ranges, the profile's) is kept.
            schemas.entry(name).or_insert(schema);
        }
    }
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.extend(device_paths());
        paths.extend(lan_paths());
    }
    // Per path, per method: a path may have methods from several modules.
    if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), accounts_paths()) {
        for (path, methods) in more {
            match (paths.get_mut(&path).and_then(Value::as_object_mut), methods) {
                (Some(existing), Value::Object(methods)) => existing.extend(methods),
                (_, methods) => {
                    paths.insert(path, methods);
                }
            }
        }
    }
    add_common_refusals(&mut doc);
    add_session_refusals(&mut doc);
    add_operation_ids_and_security(&mut doc);
    doc
}

/// The component schemas generated by `schemars` from the types that serialize the answers:
/// the plan ([`PlanDoc`], as `Plan`, and every part of it) and the store's rows (activities,
/// check-ins, plans with their completed steps, outcomes, the export). Written for
/// serialization: a field the server always writes is `required`.
pub fn generated_schemas() -> serde_json::Map<String, Value> {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    generator.subschema_for::<PlanDoc>();
    generator.subschema_for::<crate::problem::Problem>();
    generator.subschema_for::<afterrun_store::ActivityRow>();
    generator.subschema_for::<afterrun_store::CheckinRow>();
    generator.subschema_for::<afterrun_store::PlanRow>();
    generator.subschema_for::<afterrun_store::Export>();
    generator.subschema_for::<afterrun_store::CoachLink>();
    generator.subschema_for::<afterrun_store::Referral>();
    generator.subschema_for::<crate::answers::AccountAnswer>();
    generator.subschema_for::<crate::answers::ActivityAnswer>();
    generator.subschema_for::<crate::answers::CoachAnswer>();
    generator.subschema_for::<crate::answers::InviteAnswer>();
    generator.take_definitions(true)
}

/// A reference to a component schema.
fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Every operation gets an `operationId` (its method and path: `get_api_athletes_id_profile`),
/// and the session cookie is described as the security scheme of the operations that need a
/// session in multi-user mode (everything but the public addresses of `auth::is_public`).
fn add_operation_ids_and_security(doc: &mut Value) {
    doc["components"]["securitySchemes"] = json!({
        "session": {"type": "apiKey", "in": "cookie", "name": "afterrun_session",
            "description": "multi-user mode: the session cookie of `POST /api/session` (personal mode needs none)"},
        "device": {"type": "apiKey", "in": "cookie", "name": "afterrun_device",
            "description": "`serve --lan`: a paired device's cookie, from `GET /pair/{token}` (the owner at loopback needs none)"}
    });
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for (path, methods) in paths.iter_mut() {
        let Some(methods) = methods.as_object_mut() else { continue };
        for (method, operation) in methods.iter_mut() {
            let Some(operation) = operation.as_object_mut() else { continue };
            let id: String = format!("{method}_{path}")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
                .collect::<String>()
                .split('_')
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            operation.entry("operationId").or_insert(json!(id));
            let public = crate::auth::is_public(
                &method.to_ascii_uppercase().parse().unwrap_or_default(),
                path,
            );
            if !public {
                operation.entry("security").or_insert(json!([{"session": []}, {"device": []}, {}]));
            }
        }
    }
}

/// The routes of `serve --lan` (`pages/lan.rs`): the pairing link and the owner's device forms.
fn lan_paths() -> serde_json::Map<String, Value> {
    let form = json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "properties": {"csrf_token": {"type": "string"}}}}}});
    let owner_only =
        problem("not the owner at loopback: a paired device cannot pair or revoke devices");
    let Value::Object(map) = json!({
        "/pair/{token}": {"get": {
            "summary": "Web app (`serve --lan`): open a one-time pairing link on a device",
            "description": format!("Pairs the device: sets the `afterrun_device` cookie (HttpOnly, \
                SameSite=Strict, Path=/, Max-Age {} days; Secure behind TLS) and goes to the home \
                page. A link works once, for {} minutes. The owner and a paired device go home \
                without using the link up.", crate::lan::DEVICE_COOKIE_MAX_AGE_S / 86_400,
                crate::lan::PAIRING_LIFETIME_S / 60),
            "parameters": [{"name": "token", "in": "path", "required": true,
                            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}],
            "responses": {"303": {"description": "paired: to /, with the cookie"},
                          "401": html("the page explaining pairing: the link is unknown, used or expired"),
                          "404": html("the server was not started with --lan")}}},
        "/profile/devices/link": {"post": {
            "summary": "Web app (`serve --lan`): the owner makes a new pairing link, shown with its QR code on the profile page",
            "requestBody": form.clone(),
            "responses": {"303": {"description": "to /profile#phone"}, "403": owner_only.clone(),
                          "404": html("the server was not started with --lan")}}},
        "/profile/devices/{id}/revoke": {"post": {
            "summary": "Web app (`serve --lan`): the owner revokes a paired device; its cookie then gets 401",
            "parameters": id_param(), "requestBody": form,
            "responses": {"303": {"description": "to /profile#phone (also when it was revoked already)"},
                          "403": owner_only, "404": html("the server was not started with --lan")}}}
    }) else {
        return serde_json::Map::new();
    };
    map
}

/// The device simulator's routes (`api/device.rs`, `pages/device.rs`).
fn device_paths() -> serde_json::Map<String, Value> {
    let params = json!([
        {"name": "plan", "in": "query", "schema": {"type": "string", "examples": ["demo", "12"]},
         "description": "a stored plan's id, or `demo`; without it, the latest plan (else the demo program)"},
        {"name": "program", "in": "query", "schema": {"type": "integer", "minimum": 0},
         "description": "an index into the plan's `device_programs`; without it, the first one (of the stream's device; compression first on the page)"},
        {"name": "step", "in": "query", "schema": {"type": "integer", "minimum": 0},
         "description": "instead of `program`: the plan step whose device program to run"},
        {"name": "speed", "in": "query", "schema": {"type": "string", "examples": ["1", "10", "60", "max"]},
         "description": "simulated seconds per real second (above 0, at most 1000), or `max` (the default)"},
        {"name": "fault", "in": "query", "schema": {"type": "string", "examples": ["leak@2:45s", "pump_stuck_on:45s"]},
         "description": "faults to inject, `KIND[@CHAMBER][:VALUE]:TIME` comma-separated (devices.md)"}
    ]);
    let refusals = json!({
        "400": problem("a bad query value; `field` names it"),
        "404": problem("no such plan, or no such program in it")
    });
    let with = |mut responses: Value, ok: Value| {
        responses["200"] = ok;
        responses
    };
    let mut map = serde_json::Map::new();
    map.insert("/device".into(), json!({"get": {
        "summary": "Web app: the device simulator page (a plan's compression or plate program, or the demo)",
        "parameters": params,
        "responses": with(json!({"404": html("no such plan or program"), "400": problem("a bad query value")}), html("the page"))}}));
    map.insert("/device/run".into(), json!({"get": {
        "summary": "Web app: the whole simulated run at once, plotted (the page without JavaScript)",
        "parameters": params,
        "responses": with(json!({"404": html("no such plan or program"), "400": problem("a bad query value")}), html("the page"))}}));
    let stream = json!({"description": "the event stream",
        "content": {"text/event-stream": {"schema": {"type": "string"}}}});
    map.insert("/api/device/compression/stream".into(), json!({"get": {
        "summary": "Run a compression program in the simulator, streamed as Server-Sent Events",
        "description": "Events `frame` (one per 100 ms of simulated time or more, at most 20 per real second): \
            {t_ms, state, phase?, cycle?, chamber?, fault?, left_ms, pressures_mmhg[], targets_mmhg[], pump, dump}, \
            one entry per chamber of the treated legs, left leg first, each from the foot up; then one \
            `summary` event {device, duration_s, cycles, max_pressure_mmhg, time_at_target_s, faults[], injected[], \
            ended_safe} and the stream ends.",
        "parameters": params,
        "responses": with(refusals.clone(), stream.clone())}}));
    map.insert("/api/device/vibration/stream".into(), json!({"get": {
        "summary": "Run a vibrating-plate program in the simulator, streamed as Server-Sent Events",
        "description": "Events `frame` as for compression: {t_ms, state, phase?, segment?, segments?, stance?, \
            fault?, left_ms, frequency_hz, target_hz, accel_g, load_kg, brake, values[frequency_hz, accel_g], \
            targets[target_hz, 0]}; then one `summary` event {device, duration_s, cycles (segments done), \
            max_frequency_hz, max_accel_g, faults[], injected[], ended_safe} and the stream ends.",
        "parameters": params,
        "responses": with(refusals, stream)}}));
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_schema_names_exactly_the_fields_the_server_accepts() {
        let schema = profile_schema();
        let mut documented: Vec<&str> =
            schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        let mut accepted = afterrun_store::Profile::FIELDS.to_vec();
        documented.sort_unstable();
        accepted.sort_unstable();
        assert_eq!(documented, accepted);
        // The check-in's athlete object has the shared fields too.
        let athlete = &checkin_schema()["properties"]["athlete"]["anyOf"][0]["properties"];
        for key in shared_athlete_properties().keys() {
            assert_eq!(athlete[key]["anyOf"][0], schema["properties"][key], "{key}");
        }
        assert!(athlete["threshold_pace"]["anyOf"][0].is_object(), "and its own");
        // And every field of a full profile as served has a property of its JSON type.
        let full = afterrun_store::Profile {
            age: Some(36),
            max_hr: Some(186),
            rest_hr: Some(50),
            threshold_pace_s_per_km: Some(255.0),
            tz: Some("Europe/Berlin".into()),
            units: Some("km".into()),
            seed_fitness: Some(40.0),
            seed_fatigue: Some(30.0),
            seed_date: Some("2026-10-01".into()),
            fitness_tau_days: Some(42.0),
            fatigue_tau_days: Some(7.0),
            prefers_cycling: Some(true),
            equipment: Some(vec!["foam_roller".into()]),
            ..afterrun_store::Profile::default()
        };
        let served = serde_json::to_value(&full).unwrap();
        for (key, value) in served.as_object().unwrap() {
            let property = &schema["properties"][key];
            assert!(property.is_object(), "{key} undocumented");
            let ok = match property["type"].as_str() {
                Some("integer") => value.is_i64() || value.is_u64(),
                Some("number") => value.is_number(),
                Some("string") => value.is_string(),
                Some("boolean") => value.is_boolean(),
                Some("array") => value.is_array(),
                _ => property["enum"].as_array().is_some_and(|e| e.contains(value)),
            };
            assert!(ok, "{key}: {value} against {property}");
        }
    }
}
