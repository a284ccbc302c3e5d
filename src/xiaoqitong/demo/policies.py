from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from .models import DemoRun


@register(DemoRun)
class DemoRunPolicy(Policy):
    """Only platform administrators see the generator's runs; nobody edits them by hand."""

    rules = {"view": {Role.PLATFORM_ADMIN: ALL}}
