"""Pages of the booths' 1:1 time slots:

- the booths of an event (``/events/<event>/booths/``): each approved booth with the positions it brings and
  its free slots; the user's own bookings at the event; for the organizer a button that generates the slots
  of every booth;
- a booth's schedule (``/events/<event>/booths/<booth>/slots/``): its slots as a time grid by day (a phone
  shows two a row), each with a 预约 / 取消 button that htmx answers with the slot's tile (without
  JavaScript the form posts and the page comes back); for the booth's HR and the organizer the form that
  generates slots, a 删除 button on free slots and the download of the schedule (``?export=xlsx|csv``);
- 我的预约 (``/events/slots/mine/``): the bookings of the user's side, with their 取消 buttons;
- the slots' list (``/events/slots/``: filter, export) and a slot's page (``/events/slots/<id>/``).

Booking, cancelling, generating and deleting go through ``services.slots``.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.enterprises.views import AppModelViews
from xiaoqitong.orgs.choices import Role

from ..filtersets.slots import SlotFilterSet
from ..forms.slots import SlotCancelForm, SlotGenerateForm
from ..models import Slot
from ..policies.registrations import is_organizer
from ..policies.slots import may_export_schedule, may_see_booker, may_view_my_slots
from ..selectors import slots as selectors
from ..services import slots as services
from ..tables.slots import SlotTable

NAMESPACE = "events"


def _refusal(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您没有权限执行此操作。")


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# --- the slots' list and a slot's page --------------------------------------------------------------------
class SlotViews(AppModelViews):
    model = Slot
    filterset = SlotFilterSet
    table = SlotTable
    importable = False
    select_related = selectors.SLOT_RELATED
    detail_template = "events/slots/slot_detail.html"

    @classmethod
    def detail_rows(cls, obj, user):
        booker = ""
        if obj.booked_by_id:
            booker = services.booker_label(obj.booked_by) if may_see_booker(user, obj) else _("已预约")
        return [
            (_("活动"), obj.event),
            (_("展位"), f"{obj.booth.booth_no} {obj.booth.participant_name}".strip()),
            (_("时段"), services.time_range(obj)),
            (_("状态"), _("已预约") if obj.booked_by_id else _("空闲")),
            (_("预约方"), booker),
            (_("预约时间"), when_text(obj.booked_at) if may_see_booker(user, obj) else ""),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        return {
            "line": selectors.slot_line(
                request.user, obj, selectors.booker_for(request.user, obj.event), timezone.now()
            ),
            "schedule_url": services.schedule_path(obj.booth),
        }


# --- the booths of an event -------------------------------------------------------------------------------
class BoothsView(LoginRequiredMixin, View):
    """GET /events/<pk>/booths/: the approved booths with their free slots."""

    def get(self, request, pk):
        event = selectors.event_for(request.user, pk)
        booths = selectors.booths_overview(request.user, event)
        booker = selectors.booker_for(request.user, event)
        return render(
            request,
            "events/slots/booths.html",
            {
                "event": event,
                "booths": booths,
                "booker": booker,
                "organizer": is_organizer(request.user, event),
                "free_total": sum(b.slots_free for b in booths),
                "generate_all_url": reverse("events:booths_generate", kwargs={"pk": event.pk}),
                "mine_url": reverse("events:slots_mine"),
            },
        )


class BoothsGenerateView(LoginRequiredMixin, View):
    """POST /events/<pk>/booths/generate/: the organizer generates the slots of every approved booth (each
    booth its own service call: one audit record per booth)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        event = selectors.event_for(request.user, pk)
        if not is_organizer(request.user, event):
            raise PermissionDenied(_("只有活动主办部门的工作人员可以为全部展位生成洽谈时段。"))
        back = reverse("events:event_booths", kwargs={"pk": event.pk})
        booths = selectors.booths_overview(request.user, event)
        if not booths:
            messages.error(request, _("本活动还没有审核通过的企业展位。"))
            return redirect(back)
        made, refusals = 0, []
        for booth in booths:
            try:
                made += len(services.slots_generate(actor=request.user, booth=booth))
            except (ValidationError, PermissionDenied) as exc:
                refusals.append(f"{booth.participant_name}：{_refusal(exc)}")
        messages.success(
            request,
            _("已为 %(booths)s 个展位新生成 %(made)s 个洽谈时段（已有的时段保持不变）。")
            % {"booths": len(booths) - len(refusals), "made": made},
        )
        for text in refusals:
            messages.error(request, text)
        return redirect(back)


# --- a booth's schedule -----------------------------------------------------------------------------------
class BoothScheduleView(LoginRequiredMixin, View):
    """GET /events/<event_pk>/booths/<pk>/slots/ (``?export=xlsx|csv`` for the booth's enterprise and the
    organizer)."""

    def get(self, request, event_pk, pk):
        booth = selectors.booth_for(request.user, event_pk, pk)
        fmt = request.GET.get("export")
        if fmt:
            if not may_export_schedule(request.user, booth):
                raise PermissionDenied(_("只有展位企业和活动主办部门可以下载时段表。"))
            name = _("洽谈时段表-%(booth)s") % {"booth": booth.booth_no or booth.enterprise.credit_code}
            return dataset_response(
                selectors.schedule_dataset(booth), fmt, name, request.GET.get("encoding", "utf-8")
            )
        report = selectors.schedule(request.user, booth)
        return render(request, "events/slots/schedule.html", self.context(request, booth, report))

    @staticmethod
    def context(request, booth, report, form=None) -> dict:
        event = booth.event
        return report | {
            "booth": booth,
            "event": event,
            "positions": list(booth.positions.order_by("title").values_list("title", flat=True)),
            "form": form or SlotGenerateForm(event=event),
            "generate_url": reverse(
                "events:booth_slots_generate", kwargs={"event_pk": event.pk, "pk": booth.pk}
            ),
            "booths_url": reverse("events:event_booths", kwargs={"pk": event.pk}),
            "here": request.get_full_path(),
            "organizer": is_organizer(request.user, event),
        }


class SlotsGenerateView(LoginRequiredMixin, View):
    """POST /events/<event_pk>/booths/<pk>/slots/generate/ with ``start``, ``end`` (both optional)."""

    http_method_names = ["post"]

    def post(self, request, event_pk, pk):
        booth = selectors.booth_for(request.user, event_pk, pk)
        form = SlotGenerateForm(request.POST, event=booth.event)
        back = services.schedule_path(booth)
        if not form.is_valid():
            messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
            return redirect(back)
        before = booth.slots.count()
        try:
            made = services.slots_generate(
                actor=request.user,
                booth=booth,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _refusal(exc))
            return redirect(back)
        if made:
            messages.success(
                request,
                _("已新生成 %(made)s 个洽谈时段（每个 %(minutes)s 分钟）；原有 %(kept)s 个保持不变。")
                % {"made": len(made), "minutes": booth.event.slot_minutes, "kept": before},
            )
        else:
            messages.info(
                request,
                _("没有新生成时段：这段时间的时段已经生成过（共 %(kept)s 个），或已经开始。")
                % {"kept": before},
            )
        return redirect(back)


# --- booking, cancelling, deleting (htmx answers with the slot's tile) ------------------------------------
class SlotStepView(LoginRequiredMixin, View):
    """A step on one slot posted from a tile (the schedule) or a row (我的预约, ``fragment=mine``)."""

    http_method_names = ["post"]

    def slot(self, request, pk) -> Slot:
        return get_object_or_404(selectors.slot_queryset(request.user), pk=pk)

    def call(self, request, slot):  # pragma: no cover - defined by each step
        raise NotImplementedError

    def post(self, request, pk):
        slot = self.slot(request, pk)
        error = success = ""
        try:
            success = self.call(request, slot)
        except (ValidationError, PermissionDenied) as exc:
            error = _refusal(exc)
        except Slot.DoesNotExist:  # deleted a moment ago
            error = _("该时段已被删除。")
        if request.htmx:
            response = self.fragment(request, pk, error, success)
            if not error:
                response["HX-Trigger"] = "slotsChanged"  # the schedule's counts refresh themselves
            return response
        if error:
            messages.error(request, error)
        else:
            messages.success(request, success)
        return _back(request, services.schedule_path(slot.booth))

    def fragment(self, request, pk, error: str, success: str):
        slot = selectors.slot_queryset(request.user).filter(pk=pk).first()
        if slot is None:  # deleted
            return HttpResponse("")
        now = timezone.now()
        if request.POST.get("fragment") == "mine":
            slot.line = selectors.slot_line(request.user, slot, None, now)
            return render(
                request,
                "events/slots/_mine_row.html",
                {"slot": slot, "error": error, "success": success, "gone": slot.booked_by_id is None},
            )
        line = selectors.slot_line(
            request.user, slot, selectors.booker_for(request.user, slot.event, now), now
        )
        return render(
            request,
            "events/slots/_slot.html",
            {"line": line, "error": error, "success": success, "here": request.POST.get("next", "")},
        )


class SlotBookView(SlotStepView):
    """POST /events/slots/<pk>/book/."""

    def call(self, request, slot):
        slot = services.slot_book(actor=request.user, slot=slot)
        return _("已预约“%(booth)s”的洽谈时段 %(when)s。") % {
            "booth": slot.booth.participant_name,
            "when": services.time_range(slot),
        }


class SlotCancelView(SlotStepView):
    """POST /events/slots/<pk>/cancel/ with an optional ``reason`` (htmx: the prompt's answer)."""

    def call(self, request, slot):
        form = SlotCancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        reason = reason or request.headers.get("HX-Prompt", "")
        slot = services.slot_cancel(actor=request.user, slot=slot, reason=reason)
        return _("已取消时段 %(when)s 的预约。") % {"when": services.time_range(slot)}


class SlotRemoveView(SlotStepView):
    """POST /events/slots/<pk>/remove/: delete a free slot (the booth's HR, the organizer)."""

    def call(self, request, slot):
        services.slot_delete(actor=request.user, slot=slot)
        return _("已删除时段 %(when)s。") % {"when": services.time_range(slot)}


# --- 我的预约 ---------------------------------------------------------------------------------------------
class MySlotsView(LoginRequiredMixin, View):
    """GET /events/slots/mine/: the bookings of the user's side, coming ones first."""

    def get(self, request):
        if not may_view_my_slots(request.user):
            raise PermissionDenied(_("“我的预约”面向学生、学校和企业用户。"))
        slots = selectors.my_slots(request.user)
        now = timezone.now()
        return render(
            request,
            "events/slots/mine.html",
            {
                "coming": [s for s in slots if s.ends_at > now],
                "past": [s for s in slots if s.ends_at <= now][::-1],
                "enterprise": request.user.role in {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR},
            },
        )


urlpatterns = [
    path("slots/mine/", MySlotsView.as_view(), name="slots_mine"),
    path("slots/<int:pk>/book/", SlotBookView.as_view(), name="slot_book"),
    path("slots/<int:pk>/cancel/", SlotCancelView.as_view(), name="slot_cancel"),
    path("slots/<int:pk>/remove/", SlotRemoveView.as_view(), name="slot_remove"),
    *SlotViews.urls("slots", NAMESPACE),
    path("<int:pk>/booths/", BoothsView.as_view(), name="event_booths"),
    path("<int:pk>/booths/generate/", BoothsGenerateView.as_view(), name="booths_generate"),
    path("<int:event_pk>/booths/<int:pk>/slots/", BoothScheduleView.as_view(), name="booth_slots"),
    path(
        "<int:event_pk>/booths/<int:pk>/slots/generate/",
        SlotsGenerateView.as_view(),
        name="booth_slots_generate",
    ),
]
