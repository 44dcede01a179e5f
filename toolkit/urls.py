from django.contrib import admin
from django.urls import include, path

from summaries import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("toolkit/", include("summaries.urls")),
    path("admin/", admin.site.urls),
]
