"""Pages of certificates, exam centres and competitions (T3):

- 获证记录 (``/quality/certificates/awards/``), 技能证书考点 (``…/centres/``), 证书考试场次 (``…/sessions/``),
  技能竞赛 (``/quality/competitions/``) and 竞赛获奖 (``/quality/competitions/awards/``): the generic
  list/detail/add/edit/delete/import/export/history pages; a centre's page lists its sessions with their pass
  rates, a competition's page its award counts per school;
- “我的证书” (``/quality/certificates/mine/``): a student's own certificates and competition awards;
- 1+X 证书覆盖面 (``/quality/certificates/coverage/?year=``): the city's coverage against T3 with its source,
  one line per school (students, holders, coverage, met or not), a school's drill-down per major
  (``…/coverage/<school id>/``); export of the same rows;
- 各校竞赛获奖统计 (``/quality/competitions/award-counts/?year=&level=``): award counts per school.
"""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import day_text, percent_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.policy import can, policy_for
from xiaoqitong.enterprises.views import AppModelViews
from xiaoqitong.orgs.models import School

from ..choices import CompetitionLevel
from ..filtersets.certificates import (
    CertificateAwardFilterSet,
    CompetitionAwardFilterSet,
    CompetitionFilterSet,
    ExamCentreFilterSet,
    ExamSessionFilterSet,
)
from ..forms.certificates import (
    CertificateAwardForm,
    CompetitionAwardForm,
    CompetitionForm,
    ExamCentreForm,
    ExamSessionForm,
)
from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession
from ..policies.certificates import (
    is_student,
    may_view_coverage,
    may_view_school,
    own_school_id,
    sees_every_school,
)
from ..selectors import certificates as selectors
from ..services import certificates as services
from ..tables.certificates import (
    CertificateAwardTable,
    CompetitionAwardTable,
    CompetitionTable,
    ExamCentreTable,
    ExamSessionTable,
)
from .targets import chosen_year, year_choices

NAMESPACE = "quality"


def _form_service(form, create, update):
    """``create``/``update`` classmethods that pass the form's data through ``form.service_data``."""

    def do_create(cls, *, actor, data):
        return create(actor=actor, data=form.service_data(data))

    def do_update(cls, *, actor, instance, data):
        return update(actor=actor, instance=instance, data=form.service_data(data))

    return classmethod(do_create), classmethod(do_update)


# --- certificate awards ---------------------------------------------------------------------------
class CertificateAwardViews(AppModelViews):
    model = CertificateAward
    filterset = CertificateAwardFilterSet
    table = CertificateAwardTable
    form = CertificateAwardForm
    select_related = ("student__school", "certificate")
    create, update = _form_service(
        CertificateAwardForm, services.certificate_award_create, services.certificate_award_update
    )
    delete_service = staticmethod(services.certificate_award_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        session = obj.session
        return [
            (_("学校"), obj.student.school),
            (_("学号"), obj.student.student_no),
            (_("姓名"), obj.student.name),
            (_("证书"), f"{obj.certificate}（{obj.certificate.code}）"),
            (_("类别"), obj.certificate.get_kind_display()),
            (_("证书编号"), obj.number),
            (_("发证日期"), day_text(obj.awarded_on)),
            (_("发证机构"), obj.issuer or obj.certificate.issuer),
            (_("考试场次"), session or ""),
        ]


# --- exam centres and sessions --------------------------------------------------------------------
class ExamCentreViews(AppModelViews):
    model = ExamCentre
    filterset = ExamCentreFilterSet
    table = ExamCentreTable
    form = ExamCentreForm
    select_related = ("school",)
    detail_template = "quality/certificates/examcentre_detail.html"
    create, update = _form_service(ExamCentreForm, services.exam_centre_create, services.exam_centre_update)
    delete_service = staticmethod(services.exam_centre_delete)

    @classmethod
    def base_queryset(cls):
        return selectors.with_session_totals(super().base_queryset())

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("school").prefetch_related("certificates")

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("考点编号"), obj.code),
            (_("承办学校"), obj.school),
            (_("可考证书"), "、".join(f"{c}（{c.code}）" for c in obj.certificates.all())),
            (_("批准机构"), obj.approved_by),
            (_("批准日期"), day_text(obj.approved_on)),
            (_("单场容量"), obj.capacity or ""),
            (_("在用"), obj.active),
            (_("考试场次"), obj.session_count),
            (_("通过率"), percent_text(obj.passed_total, obj.candidates_total)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        sessions = list(obj.sessions.select_related("certificate").order_by("-date", "pk"))
        for session in sessions:
            session.rate_text = percent_text(session.passed, session.candidates)
        return {
            "sessions": sessions,
            "can_add_session": can(request.user, "change", obj),
            "session_add_url": reverse(f"{NAMESPACE}:examsession_add"),
            "session_import_url": reverse(f"{NAMESPACE}:examsession_import"),
        }


class ExamSessionViews(AppModelViews):
    model = ExamSession
    filterset = ExamSessionFilterSet
    table = ExamSessionTable
    form = ExamSessionForm
    select_related = ("centre", "certificate")
    create_service = staticmethod(services.exam_session_create)
    update_service = staticmethod(services.exam_session_update)
    delete_service = staticmethod(services.exam_session_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("考点"), obj.centre),
            (_("证书"), f"{obj.certificate}（{obj.certificate.code}）"),
            (_("考试日期"), day_text(obj.date)),
            (_("报考人数"), obj.candidates),
            (_("通过人数"), obj.passed),
            (_("通过率"), percent_text(obj.passed, obj.candidates)),
        ]


# --- competitions ---------------------------------------------------------------------------------
def _award_school_ids(user) -> set[int] | None:
    """The schools whose award counts the user reads: all (None) or their own (empty for others)."""
    if sees_every_school(user):
        return None
    own = own_school_id(user)
    return {own} if own else set()


class CompetitionViews(AppModelViews):
    model = Competition
    filterset = CompetitionFilterSet
    table = CompetitionTable
    form = CompetitionForm
    detail_template = "quality/certificates/competition_detail.html"
    create, update = _form_service(CompetitionForm, services.competition_create, services.competition_update)
    delete_service = staticmethod(services.competition_delete)

    @classmethod
    def base_queryset(cls):
        from django.db.models import Count

        return (
            super()
            .base_queryset()
            .annotate(
                award_count=Count("awards", distinct=True),
                school_count=Count("awards__school", distinct=True),
            )
        )

    @classmethod
    def export_queryset(cls, qs):
        return qs.prefetch_related("majors")

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("赛事名称"), obj.name),
            (_("级别"), obj.get_level_display()),
            (_("年度"), obj.year),
            (_("主办单位"), obj.organizer),
            (_("比赛日期"), day_text(obj.held_on)),
            (_("相关专业"), "、".join(f"{m.name}（{m.code}）" for m in obj.majors.all())),
            (_("获奖数"), obj.award_count),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        school_ids = _award_school_ids(request.user)
        lines = selectors.award_lines(obj.awards.all(), school_ids) if school_ids != set() else []
        return {
            "lines": lines,
            "prizes": selectors.Prize.choices,
            "awards_url": reverse(f"{NAMESPACE}:competitionaward_list") + f"?competition={obj.pk}",
            "can_list_awards": policy_for(CompetitionAward).allows(request.user, "view"),
        }


class CompetitionAwardViews(AppModelViews):
    model = CompetitionAward
    filterset = CompetitionAwardFilterSet
    table = CompetitionAwardTable
    form = CompetitionAwardForm
    select_related = ("competition", "school", "student", "teacher")
    create_service = staticmethod(services.competition_award_create)
    update_service = staticmethod(services.competition_award_update)
    delete_service = staticmethod(services.competition_award_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("赛事"), obj.competition),
            (_("学校"), obj.school),
            (_("赛项"), obj.event),
            (_("奖项"), obj.get_prize_display()),
            (_("获奖学生"), f"{obj.student.name}（{obj.student.student_no}）" if obj.student_id else ""),
            (_("获奖团队"), obj.team),
            (_("指导教师"), obj.teacher.name if obj.teacher_id else ""),
        ]


# --- my certificates --------------------------------------------------------------------------------
class MyCertificatesView(LoginRequiredMixin, View):
    """GET /quality/certificates/mine/: a student's own certificates and competition awards."""

    def get(self, request):
        if not is_student(request.user):
            raise PermissionDenied(_("“我的证书”是学生本人的页面。"))
        return render(request, "quality/certificates/mine.html", selectors.my_certificates(request.user))


# --- coverage (T3) ----------------------------------------------------------------------------------
def _met(met: bool | None) -> str:
    return {True: _("达标"), False: _("未达标"), None: _("暂无数据")}[met]


def _num(value) -> object:
    return "" if value is None else value


COVERAGE_HEADERS = [
    "年度",
    "范围",
    "代码",
    "名称",
    "在校生",
    "持 1+X 证书学生",
    "覆盖面（%）",
    "目标（%）",
    "是否达标",
    "依据",
]


def coverage_dataset(report: dict) -> tablib.Dataset:
    """The city's line, then one row per school: students, holders, coverage, target, met, source."""
    out = tablib.Dataset(headers=COVERAGE_HEADERS)
    target = report["target"]
    for scope, line in [(_("全市"), report["city"]), *((_("学校"), line) for line in report["schools"])]:
        out.append(
            [
                report["year"],
                scope,
                line.code,
                line.label,
                line.students,
                line.holders,
                _num(line.coverage),
                target["percent"],
                _met(line.met),
                target["cite"],
            ]
        )
    return out


def majors_dataset(report: dict) -> tablib.Dataset:
    out = tablib.Dataset(headers=COVERAGE_HEADERS)
    target = report["target"]
    for scope, line in [(_("学校"), report["total"]), *((_("专业"), line) for line in report["majors"])]:
        out.append(
            [
                report["year"],
                scope,
                line.code,
                line.label,
                line.students,
                line.holders,
                _num(line.coverage),
                target["percent"],
                _met(line.met),
                target["cite"],
            ]
        )
    return out


def _coverage_allowed(user) -> None:
    if not may_view_coverage(user):
        raise PermissionDenied(_("1+X 证书覆盖面统计面向政府部门、研究人员和学校。"))


class CoverageView(LoginRequiredMixin, View):
    """GET /quality/certificates/coverage/?year=2026 (``&export=xlsx|csv``)."""

    def get(self, request):
        _coverage_allowed(request.user)
        year = chosen_year(request)
        report = selectors.coverage_report(request.user, year)
        fmt = request.GET.get("export")
        if fmt:
            name = _("1+X证书覆盖面（T3）") + f"-{year}"
            return dataset_response(coverage_dataset(report), fmt, name, request.GET.get("encoding", "utf-8"))
        return render(
            request,
            "quality/certificates/coverage.html",
            report
            | {
                "years": year_choices(),
                "can_import": policy_for(CertificateAward).allows(request.user, "import"),
                "import_url": reverse(f"{NAMESPACE}:certificateaward_import"),
            },
        )


class CoverageSchoolView(LoginRequiredMixin, View):
    """GET /quality/certificates/coverage/<school id>/?year=2026 (``&export=xlsx|csv``): per major."""

    def get(self, request, pk):
        _coverage_allowed(request.user)
        if not may_view_school(request.user, pk):
            raise Http404
        school = School.objects.filter(pk=pk).first()
        if school is None:
            raise Http404
        year = chosen_year(request)
        report = selectors.major_report(school, year)
        fmt = request.GET.get("export")
        if fmt:
            name = _("1+X证书覆盖面（分专业）") + f"-{school.code}-{year}"
            return dataset_response(majors_dataset(report), fmt, name, request.GET.get("encoding", "utf-8"))
        return render(
            request,
            "quality/certificates/coverage_school.html",
            report | {"years": year_choices(), "coverage_url": reverse(f"{NAMESPACE}:certificate_coverage")},
        )


# --- award counts per school ------------------------------------------------------------------------
def _chosen_level(request) -> str:
    level = request.GET.get("level", "")
    return level if level in CompetitionLevel.values else ""


def award_counts_dataset(report: dict) -> tablib.Dataset:
    prizes = [str(label) for _value, label in report["prizes"]]
    out = tablib.Dataset(headers=["年度", "级别", "学校代码", "学校名称", *prizes, "合计"])
    for line in report["lines"]:
        out.append(
            [
                _num(report["year"]),
                report["level_label"] or _("全部"),
                line.school.code,
                line.school.name,
                *line.cells,
                line.total,
            ]
        )
    return out


class AwardCountsView(LoginRequiredMixin, View):
    """GET /quality/competitions/award-counts/?year=2026&level=province (``&export=xlsx|csv``)."""

    def get(self, request):
        _coverage_allowed(request.user)
        year = chosen_year(request)
        report = selectors.award_counts_report(request.user, year, _chosen_level(request))
        fmt = request.GET.get("export")
        if fmt:
            name = _("各校竞赛获奖统计") + f"-{year}"
            return dataset_response(
                award_counts_dataset(report), fmt, name, request.GET.get("encoding", "utf-8")
            )
        return render(
            request,
            "quality/certificates/award_counts.html",
            report
            | {
                "years": year_choices(),
                "levels": CompetitionLevel.choices,
                "competition_list_url": reverse(f"{NAMESPACE}:competition_list"),
            },
        )


urlpatterns = [
    path("certificates/mine/", MyCertificatesView.as_view(), name="certificate_mine"),
    path("certificates/coverage/", CoverageView.as_view(), name="certificate_coverage"),
    path("certificates/coverage/<int:pk>/", CoverageSchoolView.as_view(), name="certificate_coverage_school"),
    path("competitions/award-counts/", AwardCountsView.as_view(), name="competition_award_counts"),
    *CertificateAwardViews.urls("certificates/awards", NAMESPACE),
    *ExamCentreViews.urls("certificates/centres", NAMESPACE),
    *ExamSessionViews.urls("certificates/sessions", NAMESPACE),
    *CompetitionAwardViews.urls("competitions/awards", NAMESPACE),
    *CompetitionViews.urls("competitions", NAMESPACE),
]
