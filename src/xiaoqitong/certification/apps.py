from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "xiaoqitong.certification"
    verbose_name = "产教融合型企业"
