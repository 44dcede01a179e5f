from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = "Evidence summaries"
    default_auto_field = "django.db.models.BigAutoField"
