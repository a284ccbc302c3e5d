from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "xiaoqitong.reference"
    verbose_name = "基础目录"
