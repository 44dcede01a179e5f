"""Each user's notifications (unread first, mark read) and their own settings (email,
autosave).

Everyone on the staff sees only their own: the list is theirs, whatever their role. The
notifications are written by ``editorial/notifications.py``; here they are only read.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from summaries import converters  # noqa: F401  (registers <row_id:...>)
from summaries.editorial import autosave
from summaries.models import Notification, NotificationPreference

from .common import AccessibleAdminMixin, malformed_id_urls


class OwnRowsMixin:
    """A staff member sees and changes their own rows only; nobody adds or deletes them."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(AccessibleAdminMixin, OwnRowsMixin, admin.ModelAdmin):
    list_display = ["unread", "message_link", "created_at", "actor"]
    list_display_links = None
    list_filter = [("read_at", admin.EmptyFieldListFilter), "kind"]
    list_select_related = ["actor"]
    actions = ["mark_read", "mark_unread"]

    def get_model_perms(self, request):
        return {"view": True, "change": False, "add": False, "delete": False}

    def get_ordering(self, request):
        return [F("read_at").asc(nulls_first=True), "-created_at", "-id"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # Marking read needs no change permission: it is the user's own list.
        return {
            name: (getattr(type(self), name), name, getattr(type(self), name).short_description)
            for name in ("mark_read", "mark_unread")
        }

    # Words, not the admin's boolean icons: a green tick read as "done" for unread ones.
    @admin.display(description="status")
    def unread(self, notification):
        return "Unread" if notification.read_at is None else "Read"

    @admin.display(description="notification")
    def message_link(self, notification):
        url = reverse("admin:summaries_notification_open", args=[notification.pk])
        return format_html('<a href="{}">{}</a>', url, notification.message)

    @admin.action(description="Mark the selected notifications read")
    def mark_read(self, request, queryset):
        count = queryset.filter(read_at=None).update(read_at=timezone.now())
        self.message_user(request, f"{count} marked read.", messages.SUCCESS)

    @admin.action(description="Mark the selected notifications unread")
    def mark_unread(self, request, queryset):
        count = queryset.exclude(read_at=None).update(read_at=None)
        self.message_user(request, f"{count} marked unread.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<row_id:object_id>/open/",
                self.admin_site.admin_view(self.open_view),
                name="summaries_notification_open",
            ),
            *malformed_id_urls(["open"]),
            *super().get_urls(),
        ]

    def open_view(self, request, object_id):
        """Mark the notification read and go to the page it is about."""
        notification = self.get_queryset(request).filter(pk=object_id).first()
        if notification is None:
            raise Http404
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        target = notification.url
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("admin:index")
        return redirect(target)


class NotificationPreferenceForm(forms.ModelForm):
    """The user's email choice and the address it goes to (their own account's, which
    nothing else in the admin lets them change), and autosave on the version form."""

    address = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Where your notification emails go. Leave it empty to get none.",
    )

    class Meta:
        model = NotificationPreference
        fields = ["address", "email", "autosave"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].initial = self.instance.user.email

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("email") and not cleaned_data.get("address"):
            self.add_error(
                "address",
                "Give the address to email you at, or untick “email me”: with “email me” "
                "ticked and no address, no email could reach you.",
            )
        return cleaned_data

    def save(self, commit=True):
        preference = super().save(commit=commit)
        user = preference.user
        if "autosave" in self.changed_data and not preference.autosave:
            autosave.autosave_turn_off(user=user)
        if user.email != self.cleaned_data["address"]:
            user.email = self.cleaned_data["address"]
            user.save(update_fields=["email"])
        return preference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AccessibleAdminMixin, OwnRowsMixin, admin.ModelAdmin):
    form = NotificationPreferenceForm
    fields = ["address", "email", "autosave"]

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def changelist_view(self, request, extra_context=None):
        # One row per user, created on first visit: the list is the user's own settings.
        preference, _ = NotificationPreference.objects.get_or_create(user=request.user)
        return redirect(
            reverse("admin:summaries_notificationpreference_change", args=[preference.pk])
        )

    def response_change(self, request, obj):
        self.message_user(request, "Your settings are saved.", messages.SUCCESS)
        return redirect(reverse("admin:index"))
