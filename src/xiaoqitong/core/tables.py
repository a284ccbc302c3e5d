import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import AuditLog


class AuditLogTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("时间"))
    content_type = tables.Column(verbose_name=_("对象类型"), accessor="content_type__name")

    class Meta:
        model = AuditLog
        fields = ("time", "actor_repr", "action", "verb", "content_type", "object_repr", "request_id")
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("-time",)
