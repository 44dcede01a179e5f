from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from summaries import views
from summaries.cache import public_page
from summaries.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("toolkit/", include("summaries.urls")),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(settings.ADMIN_URL, admin.site.urls),
]
