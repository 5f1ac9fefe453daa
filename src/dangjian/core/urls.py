from django.urls import path

from dangjian.core.views import pages

app_name = "core"
urlpatterns = [
    path("", pages.home, name="home"),
    path("notifications/", pages.notifications, name="notifications"),
    path("notifications/<int:pk>/", pages.notification_open, name="notification_open"),
    path("figures/", pages.figures_page, name="figures"),
    path("rules/", pages.rules_page, name="rules"),
    path("system/", pages.system_status, name="system"),
]
