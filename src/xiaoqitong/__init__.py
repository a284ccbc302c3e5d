"""校企通 (XiaoQiTong): school-enterprise cooperation platform for vocational education."""

from .celery import app as celery_app

__all__ = ["celery_app"]
