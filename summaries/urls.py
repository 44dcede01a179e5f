from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("", views.summary_list, name="list"),
    path("scales/<slug:dimension>/", views.scale_detail, name="scale"),
    path("<slug:slug>/", views.summary_detail, name="detail"),
]
