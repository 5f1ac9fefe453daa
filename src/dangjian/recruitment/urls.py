"""URLs of the recruitment pipeline (views in `views/` by topic)."""

from django.urls import path

from dangjian.recruitment.views import cases

app_name = "recruitment"
urlpatterns = [
    path("", cases.CaseListView.as_view(), name="list"),
    path("<int:pk>/", cases.detail, name="detail"),
]
