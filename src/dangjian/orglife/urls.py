"""URLs of organizational life: each views module lists its own patterns."""

from django.urls import URLPattern, URLResolver

app_name = "orglife"
urlpatterns: list[URLPattern | URLResolver] = []
