"""Pieces every admin page of the app shares."""

from django.db import models
from django.urls import reverse
from django.utils.html import escape

# For model fields without help_text of their own (the position of child rows).
FALLBACK_HELP_TEXT = {"position": "Order on the page; lower numbers come first."}


def version_change_url(pk) -> str:
    return reverse("admin:summaries_summaryversion_change", args=[pk])


class EditorFieldsMixin:
    """Form fields as editors need them: explained, and links that default to https."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            # Django 6 makes https the default; saying so now keeps 5.2 free of warnings.
            kwargs.setdefault("assume_scheme", "https")
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            # The admin renders help_text as HTML; ours is plain text ("/toolkit/<slug>/").
            help_text = formfield.help_text or FALLBACK_HELP_TEXT.get(db_field.name, "")
            formfield.help_text = escape(help_text)
        return formfield


class AccessibleAdminMixin:
    """Our fixes to the admin for WCAG 2.2 AA (see static/css/admin.css, static/js/admin.js)."""

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin.js"]
