from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "xiaoqitong.quality"
    verbose_name = "培养质量"
