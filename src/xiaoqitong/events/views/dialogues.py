"""Pages of a 产教对话's minutes and commitments:

- the minutes (``/events/<event>/minutes/``): the minutes and the event's commitments for those who may read
  them; for the organizer the form that writes the minutes, and the links to add, import and export
  commitments;
- the commitments board (``/events/commitments/``): the commitments the user may read with their counts by
  status and overdue (each a quick filter), filters (status, 办结情况, overdue, owner, kind of owner, event,
  year, due date), sorting and export; the import for the organizer (``/events/commitments/import/``);
- a commitment (``/events/commitments/<id>/``): its facts, its follow-ups and, for the owner organization's
  users and the organizer, the follow-up form (POST ``…/follow-up/``); add / edit / delete / history for the
  organizer.

Every write goes through ``services.dialogues``.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.core.policy import policy_for
from xiaoqitong.core.views import ObjectListView, PostStepView
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import OPEN_COMMITMENT, CommitmentStatus
from ..filtersets.dialogues import CommitmentFilterSet
from ..forms.dialogues import CommitmentForm, FollowUpForm, MinutesForm
from ..models import Commitment
from ..policies.dialogues import commitments_q, may_drop, may_follow_up, may_read_minutes, may_write_minutes
from ..resources.dialogues import commitment_export_queryset
from ..selectors import dialogues as selectors
from ..selectors.registrations import event_for
from ..services import dialogues as services
from ..tables.dialogues import CommitmentTable

NAMESPACE = "events"


class CommitmentBoardView(ObjectListView):
    """The generic list with the counts by status and overdue above it (``/events/commitments/``)."""

    template_name = "events/dialogues/commitment_list.html"

    def list_context(self, request, visible) -> dict:
        counts = selectors.commitment_counts(visible)
        board = reverse("events:commitment_list")
        chips = [("total", _("全部"), counts["total"], "secondary", board)]
        chips.append(("overdue", _("逾期"), counts["overdue"], "danger", f"{board}?overdue=true"))
        for status, label in CommitmentStatus.choices:
            chips.append((status, label, counts[status], "primary", f"{board}?status={status}"))
        return {"counts": counts, "chips": chips}


class CommitmentViews(AppModelViews):
    model = Commitment
    filterset = CommitmentFilterSet
    table = CommitmentTable
    form = CommitmentForm
    select_related = selectors.COMMITMENT_RELATED
    detail_template = "events/dialogues/commitment_detail.html"
    create_service = staticmethod(services.commitment_create)
    update_service = staticmethod(services.commitment_update)
    delete_service = staticmethod(services.commitment_delete)

    @classmethod
    def base_queryset(cls):
        return selectors.with_overdue(super().base_queryset())

    @classmethod
    def export_queryset(cls, qs):
        return commitment_export_queryset(qs)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("活动"), obj.event.title),
            (_("承诺事项"), obj.content),
            (_("责任单位"), str(obj.owner or "")),
            (_("责任人"), obj.owner_person),
            (_("完成时限"), day_text(obj.due_date) + (_("（已逾期）") if obj.is_overdue else "")),
            (_("状态"), obj.get_status_display()),
            (_("办结时间"), when_text(obj.done_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        open_ = obj.status in OPEN_COMMITMENT
        return {
            "updates": list(selectors.commitment_updates(obj)),
            "can_follow_up": open_ and may_follow_up(user, obj),
            "follow_up_form": FollowUpForm(may_drop=may_drop(user, obj)),
            "minutes_url": reverse("events:event_minutes", args=[obj.event_id]),
        }

    @classmethod
    def urls(cls, prefix: str, namespace: str) -> list:
        patterns = super().urls(prefix, namespace)
        name = "commitment_list"
        board = type("CommitmentBoard", (CommitmentBoardView,), {"config": cls}).as_view()
        return [path(f"{prefix}/", board, name=name) if p.name == name else p for p in patterns]

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/follow-up/", FollowUpView.as_view(), name="commitment_follow_up"),
        ]


class FollowUpView(PostStepView):
    """POST /events/commitments/<pk>/follow-up/ (``status``, ``note``)."""

    def post(self, request, pk):
        commitment = selectors.commitment_for(request.user, pk)
        form = FollowUpForm(request.POST, may_drop=True)
        if not form.is_valid():
            errors = [f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()]
            messages.error(request, "；".join(errors))
            return self.back(request, commitment)
        data = form.cleaned_data
        return self.run(
            request,
            commitment,
            lambda: services.commitment_follow_up(
                actor=request.user, commitment=commitment, status=data["status"], note=data["note"]
            ),
            _("已填报进展。"),
        )


class MinutesView(LoginRequiredMixin, View):
    """GET/POST /events/<pk>/minutes/."""

    def context(self, request, event, form=None):
        user = request.user
        writer = may_write_minutes(user, event)
        # The organizer follows every commitment; an owner its own (the others' are the organizer's).
        commitments = list(selectors.event_commitments(event).filter(commitments_q(user)))
        return {
            "event": event,
            "current": _("会议纪要与承诺事项"),
            "writer": writer,
            "form": form or MinutesForm(initial={"minutes": event.minutes}),
            "commitments": commitments,
            "counts": selectors.commitment_counts(selectors.event_commitments(event)),
            "can_import": writer and policy_for(Commitment).allows(user, "import"),
        }

    def get(self, request, pk):
        event = event_for(request.user, pk)
        if not event.type.has_minutes:
            raise PermissionDenied(
                _("“%(type)s”类活动不记录会议纪要和承诺事项。") % {"type": event.type.name}
            )
        if not may_read_minutes(request.user, event):
            raise PermissionDenied(_("会议纪要由主办部门、参会各方和承诺事项的责任单位查看。"))
        return render(request, "events/dialogues/minutes.html", self.context(request, event))

    def post(self, request, pk):
        event = event_for(request.user, pk)
        form = MinutesForm(request.POST)
        if form.is_valid():
            try:
                services.event_minutes_update(
                    actor=request.user, event=event, minutes=form.cleaned_data["minutes"]
                )
            except (ValidationError, PermissionDenied) as exc:
                text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                messages.error(request, text)
                if isinstance(exc, PermissionDenied):
                    raise
                return redirect(reverse("events:event_minutes", args=[event.pk]))
            messages.success(request, _("已保存会议纪要。"))
            return redirect(reverse("events:event_minutes", args=[event.pk]))
        return render(
            request, "events/dialogues/minutes.html", self.context(request, event, form), status=400
        )


urlpatterns = [
    path("<int:pk>/minutes/", MinutesView.as_view(), name="event_minutes"),
    *CommitmentViews.urls("commitments", NAMESPACE),
]
