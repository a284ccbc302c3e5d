"""Filters of the invitation list (pages and exports)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.enterprises.models import Position

from .choices import InvitationStatus
from .models import Invitation


def positions_invited_to(request):
    """The positions of the invitations the person may see: the choices of the position filter."""
    user = getattr(request, "user", None)
    if user is None:
        return Position.objects.none()
    invited = Invitation.objects.restrict(user, "view").values("position_id")
    return Position.objects.restrict(user, "view").filter(pk__in=invited).order_by("title", "pk")


class InvitationFilterSet(django_filters.FilterSet):
    # No search by student name: an enterprise must not find a de-identified student by a name it guessed.
    q = django_filters.CharFilter(method="search", label=_("搜索岗位或企业"), max_length=100)
    status = django_filters.MultipleChoiceFilter(choices=InvitationStatus.choices, label=_("状态"))
    position = django_filters.ModelChoiceFilter(queryset=positions_invited_to, label=_("岗位"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("邀请日期不早于")
    )

    class Meta:
        model = Invitation
        fields = ["q", "status", "position", "created_after"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(position__title__icontains=value) | Q(position__enterprise__name__icontains=value)
        )
