from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "xiaoqitong.core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        # Each app declares who may do what (policies.py) and its import formats (resources.py).
        autodiscover_modules("policies", "resources", "search")
        # the workers' signals that record every background run (the 后台任务 page)
        from . import jobs  # noqa: F401
