"""Pages of the policy's numbers (``Rule``, T13-T17): every logged-in user reads the list (value, target id,
source, note) and each rule; government officers and platform administrators change a value and its note
(``services.subsidies.rule_set``, audited). Rules are seeded by the migrations, never added or deleted."""

from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.enterprises.views import AppModelViews

from ..filtersets.subsidies import RuleFilterSet
from ..forms.subsidies import RuleForm
from ..models import Rule
from ..services import subsidies as services
from ..tables.subsidies import RuleTable


class RuleViews(AppModelViews):
    # No add or delete: the policy grants neither, so the generic pages refuse them (403).
    model = Rule
    filterset = RuleFilterSet
    table = RuleTable
    form = RuleForm
    importable = False

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.rule_set(
            actor=actor, key=instance.key, value=data["value"], note=data.get("note", "")
        )

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("规则"), obj.get_key_display()),
            (_("取值"), f"{obj.value.normalize():f}"),
            (_("指标编号"), obj.target),
            (_("政策依据"), obj.source),
            (_("说明"), obj.note),
            (_("最近修改"), timezone.localtime(obj.updated_at).strftime("%Y-%m-%d %H:%M")),
        ]


urlpatterns = RuleViews.urls("rules", "cooperation")
