"""OpenAPI post-processing: the error answers every operation may give, in the one shape
``school.api.errors`` produces, so clients (and the fuzzing in the tests) can rely on them."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": '`{"detail": "..."}`, or `{"field": ["message", ...]}` for invalid input.',
    "additionalProperties": True,
}
ERRORS = {
    "400": "Invalid input.",
    "401": "Not signed in.",
    "403": "Not allowed for this role.",
    "404": "Unknown, or not visible to this user.",
    "409": "Conflicts with the current state.",
    "429": "Too many attempts; try again later.",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                # An operation may say more about one of them; the body is the same shape.
                responses.setdefault(code, {"description": description}).setdefault("content", ref)
    return result
