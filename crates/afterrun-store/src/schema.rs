//! The documents the store keeps as JSON (a check-in, a plan) are the protocol's; the store's
//! rows name them by the component names of the server's OpenAPI document, where their schemas
//! are generated from the protocol's types.

/// `{"$ref": "#/components/schemas/CheckIn"}`.
pub fn checkin_ref(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"$ref": "#/components/schemas/CheckIn"})
}

/// `{"$ref": "#/components/schemas/Plan"}`.
pub fn plan_ref(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"$ref": "#/components/schemas/Plan"})
}

/// An array of the plan's triage reasons (`ReasonDoc`).
pub fn reasons(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "array", "items": {"$ref": "#/components/schemas/ReasonDoc"}})
}
