from django.apps import AppConfig


class CooperationConfig(AppConfig):
    name = "xiaoqitong.cooperation"
    verbose_name = "校企合作"
