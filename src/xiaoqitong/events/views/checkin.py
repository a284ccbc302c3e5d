"""Pages of check-in on site:

- “现场签到” (``/events/checkin/``): the organizer's events whose check-in is open or ahead, with their counts
  and a link to each one's scanning page;
- the scanning page (``/events/<event>/scan/``), made for a phone: a big button that takes a photo of a QR
  code (decoded in the browser by jsQR: nothing is uploaded), live scanning with the camera where the browser
  allows it (HTTPS), a box to type the code, and the live counts (checked in / approved, per kind; refreshed
  by htmx every few seconds);
- a scanned code (``/events/checkin/<code>/``): for the organizer, the registration and a big 确认签到
  button (POST: ``services.checkin.registration_check_in``); for the registrant's own side, their pass; for
  anybody else a 404;
- a pass (``/events/registrations/<id>/pass/``): the QR code (inline SVG), the code in text, the event, time,
  venue and booth, printable; the QR code as PNG or SVG (``…/pass/qr.png``, ``…/pass/qr.svg``);
- the on-site booth list (``/events/<event>/booths/<booth>/candidates/``): for each position the booth
  brings, the registered students ranked by the matching score (top 20), printable and exportable.
"""

import io
import re

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.core.imports import dataset_response

from ..choices import ParticipantKind
from ..policies.checkin import is_organizer, may_checkin
from ..selectors import checkin as selectors
from ..services import checkin as services

#: A code typed or pasted on the scanning page: the code itself, or a check-in URL carrying it.
CODE_IN_TEXT = re.compile(r"(?:/events/checkin/)?([A-Za-z0-9_-]{4,64})/?\s*$")


def _scan_url(event) -> str:
    return reverse("events:checkin_scan", kwargs={"pk": event.pk})


def _event_url(event) -> str:
    """The event's page (the registrations area's), "" while it has none."""
    try:
        return event.get_absolute_url()
    except NoReverseMatch:
        return ""


HOURS_BEFORE = int(services.OPENS_BEFORE.total_seconds() // 3600)


class CheckinHomeView(LoginRequiredMixin, View):
    """GET /events/checkin/: the organizer's events to check in."""

    def get(self, request):
        user = request.user
        if not may_checkin(user):
            raise PermissionDenied(_("现场签到由活动主办部门的工作人员使用。"))
        events = selectors.checkin_events(user)
        for event in events:
            event.scan_url = _scan_url(event)
            event.checkin_open = services.checkin_open(event)
        return render(request, "events/checkin/home.html", {"events": events, "hours": HOURS_BEFORE})


class CheckinView(LoginRequiredMixin, View):
    """GET/POST /events/checkin/<code>/: what a scanned code opens."""

    def get(self, request, code):
        registration = selectors.registration_by_code(request.user, code)
        if not is_organizer(request.user, registration.event):
            return redirect("events:registration_pass", pk=registration.pk)
        return render(request, "events/checkin/checkin.html", self.context(registration))

    def post(self, request, code):
        registration = selectors.registration_by_code(request.user, code)
        try:  # PermissionDenied (the registrant's own side) answers 403 with its reason
            registration, first = services.registration_check_in(
                actor=request.user, registration=registration
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("events:checkin", code=code)
        if first:
            messages.success(
                request,
                _("签到成功：%(who)s（%(time)s）")
                % {"who": registration.participant_name, "time": when_text(registration.checked_in_at)},
            )
        else:
            messages.info(
                request,
                _("%(who)s %(already)s")
                % {
                    "who": registration.participant_name,
                    "already": services.already_text(registration),
                },
            )
        return redirect("events:checkin", code=code)

    @staticmethod
    def context(registration) -> dict:
        event = registration.event
        opens, closes = services.checkin_window(event)
        return {
            "registration": registration,
            "event": event,
            "refusal": services.checkin_refusal(registration),
            "already": services.already_text(registration) if registration.checked_in_at else "",
            "window": (when_text(opens), when_text(closes)),
            "scan_url": _scan_url(event),
            "pass_url": reverse("events:registration_pass", kwargs={"pk": registration.pk}),
            "positions": list(registration.positions.order_by("title").values_list("title", flat=True))
            if registration.kind == ParticipantKind.ENTERPRISE
            else [],
        }


class PassView(LoginRequiredMixin, View):
    """GET /events/registrations/<pk>/pass/: the pass, printable."""

    def get(self, request, pk):
        registration = selectors.pass_for(request.user, pk)
        event = registration.event
        context = selectors.pass_context(request, registration) | {
            "organizer": is_organizer(request.user, event),
            "event_url": _event_url(event),
            "scan_url": _scan_url(event),
            "checkin_page": selectors.checkin_path(registration),
            "positions": list(registration.positions.order_by("title").values_list("title", flat=True))
            if registration.kind == ParticipantKind.ENTERPRISE
            else [],
            "window": [when_text(t) for t in services.checkin_window(event)],
        }
        return render(request, "events/checkin/pass.html", context)


class PassQrView(LoginRequiredMixin, View):
    """GET /events/registrations/<pk>/pass/qr.png (or .svg): the QR code as a file."""

    def get(self, request, pk, fmt):
        registration = selectors.pass_for(request.user, pk)
        qr = selectors.qr_code(selectors.checkin_url(request, registration))
        buffer = io.BytesIO()
        qr.save(buffer, kind=fmt, scale=selectors.PNG_SCALE, border=4)
        content_type = "image/png" if fmt == "png" else "image/svg+xml"
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="checkin-{registration.pk}.{fmt}"'
        return response


class ScanView(LoginRequiredMixin, View):
    """GET /events/<pk>/scan/ (``?code=`` opens the check-in page of a typed code)."""

    def get(self, request, pk):
        event = selectors.scan_event(request.user, pk)
        typed = request.GET.get("code", "").strip()
        if typed:
            match = CODE_IN_TEXT.search(typed)
            if match:
                return redirect("events:checkin", code=match.group(1))
            messages.error(request, _("签到码格式不正确：请输入二维码下方的签到码。"))
        opens, closes = services.checkin_window(event)
        return render(
            request,
            "events/checkin/scan.html",
            {
                "event": event,
                "counts": selectors.checkin_counts(event),
                "recent": selectors.recent_check_ins(event),
                "checkin_base": reverse("events:checkin", kwargs={"code": "CODE"}).replace("CODE/", ""),
                "counts_url": reverse("events:checkin_scan_counts", kwargs={"pk": event.pk}),
                "checkin_open": services.checkin_open(event),
                "window": (when_text(opens), when_text(closes)),
            },
        )


class ScanCountsView(LoginRequiredMixin, View):
    """GET /events/<pk>/scan/counts/: the counts' fragment the scanning page polls."""

    def get(self, request, pk):
        event = selectors.scan_event(request.user, pk)
        return render(
            request,
            "events/checkin/_counts.html",
            {
                "event": event,
                "counts": selectors.checkin_counts(event),
                "recent": selectors.recent_check_ins(event),
            },
        )


def candidates_dataset(report: dict, booth) -> tablib.Dataset:
    out = tablib.Dataset(
        headers=[
            "岗位",
            "名次",
            "学生",
            "学校",
            "专业",
            "匹配度（%）",
            "具备必备技能",
            "具备加分技能",
            "可到岗",
            "签到",
        ]
    )
    for line in report["positions"]:
        for rank, c in enumerate(line.candidates, 1):
            out.append(
                [
                    line.position.title,
                    rank,
                    c.label,
                    c.student.school.name,
                    c.major,
                    c.percent,
                    "、".join(c.required_skills),
                    "、".join(c.bonus_skills),
                    day_text(c.available_from) or _("按期到岗"),
                    _("已签到") if c.checked_in else _("未签到"),
                ]
            )
    return out


class BoothCandidatesView(LoginRequiredMixin, View):
    """GET /events/<event_pk>/booths/<pk>/candidates/ (``?export=csv|xlsx``)."""

    def get(self, request, event_pk, pk):
        booth = selectors.booth_for(request.user, event_pk, pk)
        report = selectors.booth_candidates(request.user, booth)
        fmt = request.GET.get("export")
        if fmt:
            name = _("展位推荐人选-%(booth)s") % {"booth": booth.booth_no or booth.enterprise.credit_code}
            return dataset_response(
                candidates_dataset(report, booth), fmt, name, request.GET.get("encoding", "utf-8")
            )
        return render(
            request,
            "events/checkin/candidates.html",
            report
            | {
                "booth": booth,
                "event": booth.event,
                "organizer": is_organizer(request.user, booth.event),
                "event_url": _event_url(booth.event),
                "not_open": selectors.NOT_OPEN,
            },
        )


urlpatterns = [
    path("checkin/", CheckinHomeView.as_view(), name="checkin_home"),
    path("checkin/<str:code>/", CheckinView.as_view(), name="checkin"),
    path("registrations/<int:pk>/pass/", PassView.as_view(), name="registration_pass"),
    *[
        path(
            f"registrations/<int:pk>/pass/qr.{fmt}",
            PassQrView.as_view(),
            {"fmt": fmt},
            name=f"registration_pass_{fmt}",
        )
        for fmt in ("png", "svg")
    ],
    path("<int:pk>/scan/", ScanView.as_view(), name="checkin_scan"),
    path("<int:pk>/scan/counts/", ScanCountsView.as_view(), name="checkin_scan_counts"),
    path(
        "<int:event_pk>/booths/<int:pk>/candidates/",
        BoothCandidatesView.as_view(),
        name="booth_candidates",
    ),
]
