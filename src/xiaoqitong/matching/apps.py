from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "xiaoqitong.matching"
    verbose_name = "精准对接"
