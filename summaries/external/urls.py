"""Included under /review/: one external reviewer's page per token."""

from django.urls import re_path

from . import views

app_name = "external"

urlpatterns = [
    # The token's own alphabet and length (editorial/external_reviews.token_for): any
    # other address is an ordinary 404 before the database is asked.
    re_path(r"^(?P<token>[A-Za-z0-9_-]{43})/$", views.preview, name="preview"),
]
