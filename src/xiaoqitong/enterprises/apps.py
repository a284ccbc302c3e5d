from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "xiaoqitong.enterprises"
    verbose_name = "企业人才需求"
