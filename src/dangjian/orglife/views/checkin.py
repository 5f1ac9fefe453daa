"""Organizational life pages: checkin (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
