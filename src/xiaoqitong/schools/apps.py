from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "xiaoqitong.schools"
    verbose_name = "学校人才供给"
