"""Errors as RFC 9457 problem details: ``application/problem+json``, one shape for every
status, so a client reads ``status``, ``title`` and ``detail`` whatever went wrong."""

import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_response(
    request: HttpRequest, status: int, detail: str, **extensions: object
) -> HttpResponse:
    """A problem response for ``request``; ``extensions`` are extra members (RFC 9457 §3.2)."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
        **{key: value for key, value in extensions.items() if value is not None},
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


class ApiProblem(Exception):
    """Raised by an endpoint to answer with a problem (400, 404, 410)."""

    def __init__(self, status: int, detail: str, **extensions: object) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extensions = extensions
