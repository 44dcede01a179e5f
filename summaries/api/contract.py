"""The OpenAPI document says what the API really answers (checked by Schemathesis in
``make test``): every error is ``application/problem+json``, and every operation may
answer 429 (the rate limit, ``middleware.py``), which django-ninja's generator cannot
know about, as neither happens in the endpoints themselves."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from .problems import PROBLEM_CONTENT_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

TOO_MANY_REQUESTS = {
    "description": "Too many requests from this address: wait Retry-After seconds.",
    "headers": {
        "Retry-After": {
            "description": "Seconds until the current window ends",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    "content": {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF}},
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each error response's content typed as problem details and a 429
    response on every operation."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                if int(status) >= 400 and "content" in response:
                    content = response["content"]
                    response["content"] = {
                        PROBLEM_CONTENT_TYPE: content.get("application/json")
                        or content.get(PROBLEM_CONTENT_TYPE)
                    }
            responses.setdefault(429, TOO_MANY_REQUESTS)
    return schema


class ContractApi(NinjaAPI):
    """django-ninja's API with the document completed by ``document_problems``."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema
