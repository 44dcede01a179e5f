"""The API's documentation page, ``/api/v1/docs/``: the OpenAPI document rendered as
HTML on the server, from the document itself, so it never disagrees with the API.

No script and nothing from another site: the page is plain HTML with the site's own
stylesheet, under the same Content-Security-Policy as every public page.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .endpoints import api

PATH_PREFIX = "/api/v1"


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict) -> list[tuple[str, str]]:
    """A schema's type as (text, component anchor or "") pieces: "array of Summary"."""
    if not schema:
        return [("any", "")]
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return [(name, name)]
    for combiner in ("anyOf", "oneOf", "allOf"):
        if combiner in schema:
            pieces: list[tuple[str, str]] = []
            for index, option in enumerate(schema[combiner]):
                if index:
                    pieces.append((" or ", ""))
                pieces += type_of(option)
            return pieces
    kind = schema.get("type", "any")
    if kind == "array":
        return [("array of ", ""), *type_of(schema.get("items", {}))]
    if "enum" in schema:
        return [(" | ".join(str(value) for value in schema["enum"]), "")]
    if "const" in schema:
        return [(repr(schema["const"]), "")]
    if fmt := schema.get("format"):
        return [(f"{kind} ({fmt})", "")]
    return [(str(kind), "")]


def _limits(schema: dict) -> str:
    words = []
    for key, label in (("minimum", "at least"), ("maximum", "at most"), ("maxLength", "length ≤")):
        if key in schema:
            words.append(f"{label} {schema[key]}")
    if "default" in schema and schema["default"] not in (None, "", []):
        words.append(f"default {schema['default']}")
    return ", ".join(words)


def _response_schema(response: dict) -> dict:
    """The schema of a response's first (only) media type."""
    media_types: list[dict] = list(response.get("content", {}).values())
    return media_types[0].get("schema", {}) if media_types else {}


def operations(document: dict) -> list[dict]:
    """Each operation of the document, in its order, with what the page shows of it."""
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            found.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": type_of(parameter.get("schema", {})),
                            "limits": _limits(parameter.get("schema", {})),
                            "description": parameter.get("description", "")
                            or parameter.get("schema", {}).get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "type": type_of(_response_schema(response))
                            if response.get("content")
                            else [],
                        }
                        for status, response in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


def components(document: dict) -> list[dict]:
    """Each component schema with its fields, by name."""
    found = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        found.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "fields": [
                    {
                        "name": field,
                        "type": type_of(field_schema),
                        "required": field in required,
                        "description": field_schema.get("description", ""),
                    }
                    for field, field_schema in schema.get("properties", {}).items()
                ],
            }
        )
    return found


@require_safe
def api_docs(request):
    """The documentation page: every endpoint, its parameters and responses, every schema."""
    document = api.get_openapi_schema(path_prefix=PATH_PREFIX)
    return render(
        request,
        "api/docs.html",
        {
            "info": document["info"],
            "openapi_version": document["openapi"],
            "operations": operations(document),
            "components": components(document),
        },
    )
