from django.apps import AppConfig
from django.core import checks


class MatchingConfig(AppConfig):
    name = "xiaoqitong.matching"
    verbose_name = "精准对接"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers its step after enterprises' application_create)

        checks.register(check_weights)


def check_weights(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse bad ``XQT_MATCH_WEIGHTS`` at startup (``check``, ``migrate``, ``runserver``), not at a query."""
    from django.conf import settings

    from .engine import Weights

    try:
        Weights.from_mapping(getattr(settings, "XQT_MATCH_WEIGHTS", None) or {})
    except (TypeError, ValueError, AttributeError) as exc:
        return [checks.Error(f"XQT_MATCH_WEIGHTS: {exc}", id="matching.E001")]
    return []
