"""The Celery application: SQLite broker by default, Redis when ZHIBAN_BROKER_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("zhiban")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
