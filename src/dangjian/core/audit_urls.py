from django.urls import path

from dangjian.core.views import audit as views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEventListView.as_view(), name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("verify/", views.verify, name="verify"),
]
