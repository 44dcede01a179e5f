from django.urls import path

from . import downloads, views
from .cache import public_page
from .feeds import RecentSummariesFeed

app_name = "summaries"

urlpatterns = [
    path("", views.summary_list, name="list"),
    path("scales/<slug:dimension>/", views.scale_detail, name="scale"),
    # Before the summaries' addresses: "feed" is not a summary's slug.
    path("feed/", public_page(RecentSummariesFeed()), name="feed"),
    # Open data (downloads.py). A slug has no dot, so these never shadow a summary.
    path("data.json", downloads.summaries_json, name="data_json"),
    path("data.csv", downloads.summaries_csv, name="data_csv"),
    path("<slug:slug>/", views.summary_detail, name="detail"),
    path("<slug:slug>/data.json", downloads.summary_data, name="detail_data"),
    path("<slug:slug>/v/<int:number>/", views.version_detail, name="version"),
    path(
        "<slug:slug>/v/<int:number>/cite.<str:fmt>",
        views.version_citation,
        name="version_citation",
    ),
]
