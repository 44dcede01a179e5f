"""The audit log: every transition and publication, readable by staff, changed by nobody."""

from django.contrib import admin
from django.utils.html import format_html

from summaries.models import AuditEvent

from .common import NulSafeSearchMixin, version_change_url


@admin.register(AuditEvent)
class AuditEventAdmin(NulSafeSearchMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "intervention", "version_link", "states", "comment"]
    list_filter = ["action", "at"]
    list_select_related = ["actor", "intervention", "version"]
    search_fields = ["intervention__slug", "comment", "actor__username"]
    date_hierarchy = "at"
    # Append-only, for superusers too: the rows are written by the services alone.
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="version")
    def version_link(self, event):
        return format_html(
            '<a href="{}">v{}</a>', version_change_url(event.version_id), event.version.number
        )

    @admin.display(description="state")
    def states(self, event):
        to = event.get_to_state_display().lower()
        return f"{event.get_from_state_display().lower()} → {to}" if event.from_state else to
