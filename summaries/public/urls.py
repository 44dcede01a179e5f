from django.urls import path

from summaries import converters  # noqa: F401  (registers <version_number:...>)

from . import downloads, evidence_views, numbers, pipeline, views
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
    # The evidence map and the comparison: reserved words, never a summary's slug.
    path("map/", evidence_views.evidence_map, name="map"),
    path("map.csv", evidence_views.evidence_map_csv, name="map_csv"),
    path("map.json", evidence_views.evidence_map_json, name="map_json"),
    path("overview/", evidence_views.overview, name="overview"),
    path("compare/", evidence_views.compare, name="compare"),
    # What is being assessed (pipeline.py): a reserved word, never a summary's slug.
    path("pipeline/", pipeline.pipeline, name="pipeline"),
    path("pipeline.csv", pipeline.pipeline_csv, name="pipeline_csv"),
    path("numbers/", numbers.numbers, name="numbers"),
    path("<slug:slug>/", views.summary_detail, name="detail"),
    path("<slug:slug>/data.json", downloads.summary_data, name="detail_data"),
    path("<slug:slug>/v/<version_number:number>/", views.version_detail, name="version"),
    path(
        "<slug:slug>/v/<version_number:number>/cite.<str:fmt>",
        views.version_citation,
        name="version_citation",
    ),
]
