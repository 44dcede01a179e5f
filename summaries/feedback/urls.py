"""Included under /toolkit/ before the public pages: "suggest" is a reserved slug."""

from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/sent/", views.suggest_sent, name="suggest_sent"),
    path("<slug:slug>/report/", views.report, name="report"),
    path("<slug:slug>/report/sent/", views.report_sent, name="report_sent"),
    path("<slug:slug>/challenge/", views.challenge, name="challenge"),
    path("<slug:slug>/challenge/sent/", views.challenge_sent, name="challenge_sent"),
]
