"""Organizational life pages: plans (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
