"""Organizational life pages: summaries (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
