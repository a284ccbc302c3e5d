from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "xiaoqitong.events"
    verbose_name = "产教活动"
