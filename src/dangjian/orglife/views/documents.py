"""Organizational life pages: documents (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
