"""Organizational life pages: events (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
