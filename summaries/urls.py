from django.urls import path

from . import views
from .cache import public_page
from .feeds import RecentSummariesFeed

app_name = "summaries"

urlpatterns = [
    path("", views.summary_list, name="list"),
    path("scales/<slug:dimension>/", views.scale_detail, name="scale"),
    # Before the summaries' addresses: "feed" is not a summary's slug.
    path("feed/", public_page(RecentSummariesFeed()), name="feed"),
    path("<slug:slug>/", views.summary_detail, name="detail"),
]
