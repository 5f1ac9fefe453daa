"""Celery application: workers and beat run it when REDIS_URL is set; otherwise tasks run inline."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
app = Celery("dangjian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
