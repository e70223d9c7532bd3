//! What the `#[utoipa::path]` annotations leave to one place: the problem body every error
//! answers with, the error statuses every route shares, and objects that serde flattens.
//!
//! The annotations name the statuses that depend on the route (403, 404, 409, ...). This
//! modifier adds those no route can avoid: 400 where there is a path or query parameter or a
//! body to get wrong, 401 where credentials are required, 500 everywhere; and it gives every
//! 4xx/5xx response the `application/problem+json` body of [`crate::problem::Problem`].
//! It also adds OpenAPI links from each create operation to those that use what it created,
//! so clients (and stateful API testers) can follow them.

use std::collections::BTreeMap;

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{AdditionalProperties, Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Components, Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// The media type of every error body.
const PROBLEM_JSON: &str = "application/problem+json";

pub(super) struct Conventions;

impl utoipa::Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert("Problem".into(), RefOr::T(problem_schema()));
        // serde refuses unknown fields of these request bodies; the response is open.
        merge_flattened(components, "ProfileSpec", true);
        merge_flattened(components, "ProfileChange", true);
        merge_flattened(components, "ProfileView", false);
        let mut by_id = BTreeMap::new();
        for item in openapi.paths.paths.values_mut() {
            for op in operations(item) {
                complete_errors(op);
                if let Some(id) = op.operation_id.clone() {
                    by_id.insert(id, op);
                }
            }
        }
        for &(from, status, to, parameters) in LINKS {
            // A link to or from an operation that is not in the document would be a broken
            // promise; `tests::every_link_names_documented_operations` keeps the table honest.
            if !by_id.contains_key(to) {
                continue;
            }
            let Some(RefOr::T(answer)) = by_id
                .get_mut(from)
                .and_then(|op| op.responses.responses.get_mut(status))
            else {
                continue;
            };
            let link = parameters.iter().fold(
                LinkBuilder::new().operation_id(to),
                |link, &(name, value)| link.parameter(name, value),
            );
            answer.links.insert(to.into(), RefOr::T(link.build()));
        }
    }
}

/// A link's parameters: name, and the runtime expression that gives its value.
type Parameters = &'static [(&'static str, &'static str)];

/// From which operation's answer (operation id, status) to which operation, with which
/// parameters taken from the request or the answer.
const LINKS: &[(&str, &str, &str, Parameters)] = &[
    ("createParticipant", "201", "getParticipant", PARTICIPANT),
    ("createParticipant", "201", "deleteParticipant", PARTICIPANT),
    ("createParticipant", "201", "addCapability", PARTICIPANT),
    (
        "createParticipant",
        "201",
        "prepareMigrationKey",
        PARTICIPANT,
    ),
    (
        "createParticipant",
        "201",
        "setParkingLifecycle",
        PARTICIPANT,
    ),
    ("addCapability", "201", "removeCapability", CAPABILITY),
    ("createProfile", "201", "getProfile", PROFILE),
    ("createProfile", "201", "updateProfile", PROFILE),
    ("createProfile", "201", "deleteProfile", PROFILE),
    ("createUser", "201", "deleteUser", USER),
    ("createUser", "201", "createToken", USER),
    ("createUser", "201", "listTokens", USER),
    ("createToken", "201", "deleteToken", TOKEN),
    ("createWebhook", "201", "deleteWebhook", ID),
    ("createWebhook", "201", "listDeliveries", ID),
    ("createMigration", "201", "getMigration", ID),
    ("createMigration", "201", "checkMigration", ID),
    ("createMigration", "201", "retryMigration", ID),
    ("createMigration", "201", "cancelMigration", ID),
    ("partyConfig", "201", "getMigration", ID),
    ("partyConfig", "201", "cancelMigration", ID),
    ("prepareMigrationKey", "200", "getMigration", MIGRATION_ID),
    (
        "prepareMigrationKey",
        "200",
        "revealMigrationKey",
        MIGRATION_ID,
    ),
    (
        "prepareMigrationKey",
        "200",
        "cancelMigration",
        MIGRATION_ID,
    ),
    ("createBulkMigration", "202", "getBulkMigration", ID),
];
const PARTICIPANT: Parameters = &[("participant", "$response.body#/participant")];
const CAPABILITY: Parameters = &[
    ("participant", "$request.path.participant"),
    (
        "document_type",
        "$response.body#/capabilities/0/documentType",
    ),
];
const PROFILE: Parameters = &[("name", "$response.body#/name")];
const USER: Parameters = &[("username", "$response.body#/username")];
const TOKEN: Parameters = &[
    ("username", "$request.path.username"),
    ("id", "$response.body#/id"),
];
const ID: Parameters = &[("id", "$response.body#/id")];
const MIGRATION_ID: Parameters = &[("id", "$response.body#/migrationId")];

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// RFC 9457 problem details as `problem.rs` writes them.
fn problem_schema() -> Schema {
    let string = |description: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
    };
    ObjectBuilder::new()
        .description(Some(
            "RFC 9457 problem details. `code` is stable; `detail` is a short message for people.",
        ))
        .property("type", string("`https://ferry.dev/problems/{code}`"))
        .required("type")
        .property("title", string("The HTTP reason phrase"))
        .required("title")
        .property(
            "status",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(400))
                .maximum(Some(599)),
        )
        .required("status")
        .property("detail", string("What went wrong, for people"))
        .required("detail")
        .property(
            "code",
            string("Stable error code, e.g. `participant.not_found`"),
        )
        .required("code")
        .build()
        .into()
}

fn complete_errors(op: &mut Operation) {
    let public = op
        .security
        .as_ref()
        .is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()));
    // actix decodes a string path or query parameter lossily, so only a body or a typed
    // parameter (a number, an enum) can be refused by the framework itself.
    let has_input = op.request_body.is_some()
        || op
            .parameters
            .iter()
            .flatten()
            .any(|p| !matches!(p, RefOr::T(p) if is_plain_string(p.schema.as_ref())));
    let responses = &mut op.responses.responses;
    if has_input {
        responses.entry("400".into()).or_insert_with(|| {
            response(
                "input.invalid: a path or query parameter or the body is not as documented \
                 (the body must be `application/json`)",
            )
        });
    }
    if !public {
        responses
            .entry("401".into())
            .or_insert_with(|| response("auth.missing | auth.invalid: no or unknown credentials"));
    }
    responses
        .entry("500".into())
        .or_insert_with(|| response("internal: a fault in Ferry; the detail is in its log"));
    for (status, answer) in responses.iter_mut() {
        // `description` is required in a response object; utoipa leaves it empty when the
        // annotation gives none.
        if let RefOr::T(answer) = answer
            && answer.description.is_empty()
        {
            answer.description = reason_phrase(status).into();
        }
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(answer)) = (is_error, answer)
            && answer.content.is_empty()
        {
            answer.content.insert(
                PROBLEM_JSON.into(),
                RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
            );
        }
    }
}

fn is_plain_string(schema: Option<&RefOr<Schema>>) -> bool {
    matches!(schema, Some(RefOr::T(Schema::Object(o))) if o.schema_type == Type::String.into())
}

fn reason_phrase(status: &str) -> &'static str {
    status
        .parse()
        .ok()
        .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
        .and_then(|s| s.canonical_reason())
        .unwrap_or("answer")
}

fn response(description: &str) -> RefOr<Response> {
    RefOr::T(ResponseBuilder::new().description(description).build())
}

/// utoipa describes `#[serde(flatten)]` as `allOf: [{$ref: Inner}, {outer fields}]`. With
/// `additionalProperties: false` on the inner object (its `deny_unknown_fields`) no value
/// satisfies both, so the two become one object here. `closed`: the outer type refuses
/// unknown fields too.
fn merge_flattened(components: &mut Components, name: &str, closed: bool) {
    let Some(RefOr::T(Schema::AllOf(all_of))) = components.schemas.get(name) else {
        return;
    };
    let mut merged = Object::new();
    merged.description.clone_from(&all_of.description);
    for item in &all_of.items {
        let part = match item {
            RefOr::Ref(r) => r
                .ref_location
                .rsplit('/')
                .next()
                .and_then(|inner| components.schemas.get(inner)),
            RefOr::T(_) => Some(item),
        };
        let Some(RefOr::T(Schema::Object(part))) = part else {
            // Nothing this function knows how to merge: leave the schema as utoipa made it.
            return;
        };
        merged.properties.extend(part.properties.clone());
        merged.required.extend(part.required.iter().cloned());
    }
    merged.schema_type = Type::Object.into();
    if closed {
        merged.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
    }
    components
        .schemas
        .insert(name.into(), RefOr::T(Schema::Object(merged)));
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::LINKS;
    use crate::api::ApiDoc;

    #[test]
    fn operation_ids_are_unique() {
        let doc = ApiDoc::openapi();
        let mut seen = std::collections::BTreeSet::new();
        for item in doc.paths.paths.values() {
            for op in [&item.get, &item.put, &item.post, &item.delete]
                .into_iter()
                .flatten()
            {
                let id = op.operation_id.clone().unwrap_or_default();
                assert!(seen.insert(id.clone()), "operationId `{id}` is used twice");
            }
        }
    }

    #[test]
    fn every_link_names_documented_operations_and_statuses() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        for &(from, status, to, _) in LINKS {
            let found = doc["paths"]
                .as_object()
                .into_iter()
                .flat_map(|paths| paths.values())
                .flat_map(|item| item.as_object().into_iter().flat_map(|ops| ops.values()))
                .find(|op| op["operationId"] == from);
            let links = found.map(|op| &op["responses"][status]["links"]);
            assert!(
                links.is_some_and(|l| l.get(to).is_some()),
                "no link {from} {status} -> {to}"
            );
        }
    }

    #[test]
    fn every_error_answer_is_a_problem() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        let problem = serde_json::json!({"$ref": "#/components/schemas/Problem"});
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                for (status, answer) in op["responses"].as_object().into_iter().flatten() {
                    if status.starts_with('4') || status.starts_with('5') {
                        assert_eq!(
                            answer["content"]["application/problem+json"]["schema"], problem,
                            "{method} {path} {status}"
                        );
                    }
                }
                assert!(
                    op["responses"].get("500").is_some(),
                    "{method} {path}: no 500"
                );
                for (status, answer) in op["responses"].as_object().into_iter().flatten() {
                    assert!(
                        answer["description"]
                            .as_str()
                            .is_some_and(|d| !d.is_empty()),
                        "{method} {path} {status}: a response needs a description"
                    );
                }
            }
        }
    }
}
