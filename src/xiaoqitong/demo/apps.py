from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xiaoqitong.demo"
    verbose_name = "演示数据"
