from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "xiaoqitong.governance"
    verbose_name = "治理与目标"
