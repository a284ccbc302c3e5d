"""Celery application. Brokers on Redis when REDIS_URL is set, otherwise on a folder on disk."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaoqitong.settings")

app = Celery("xiaoqitong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
