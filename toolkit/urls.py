from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from summaries.api.docs import api_docs
from summaries.api.endpoints import api
from summaries.public import views
from summaries.public.cache import public_page
from summaries.public.sitemaps import SITEMAPS

from . import health
from . import views as project_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", project_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Before the public pages, whose <slug>/ would otherwise take "suggest/".
    path("toolkit/", include("summaries.feedback.urls")),
    path("toolkit/", include("summaries.public.urls")),
    path("api/v1/docs/", api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("follow/", include("summaries.alerts.urls")),
    # External reviewers' pages: a draft for one named person, by the token in their link.
    path("review/", include("summaries.external.urls")),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", project_views.robots_txt, name="robots_txt"),
    path(settings.ADMIN_URL, admin.site.urls),
]

# The admin's refusals explain themselves; an unknown host gets a plain 400 (toolkit/views.py).
handler400 = "toolkit.views.bad_request"
handler403 = "toolkit.views.permission_denied"
