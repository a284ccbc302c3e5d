from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "xiaoqitong.analytics"
    verbose_name = "专业设置与供需分析"
