"""WSGI entry point (gunicorn xiaoqitong.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaoqitong.settings")
application = get_wsgi_application()
