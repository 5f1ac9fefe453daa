"""URLs of organizational life: each views module lists its own patterns."""

from django.urls import URLPattern, URLResolver

from dangjian.orglife.views import checkin, compliance, documents, events, plans, summaries

app_name = "orglife"
urlpatterns: list[URLPattern | URLResolver] = [
    *events.urlpatterns,
    *checkin.urlpatterns,
    *compliance.urlpatterns,
    *summaries.urlpatterns,
    *plans.urlpatterns,
    *documents.urlpatterns,
]
