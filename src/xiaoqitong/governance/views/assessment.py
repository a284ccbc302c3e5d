"""Pages of the school assessment (``/governance/``):

- ``indicators/``: the indicator model (list, detail, add, edit, delete, export; the lead department of
  annex task 7 edits it);
- ``assessments/``: the assessments by year, with the lead department's “compute” form;
- ``assessments/<pk>/``: the ranking (rank, school, total, each indicator's points), its xlsx/csv export
  with every input, and the lead department's recompute and publish buttons;
- ``assessments/<pk>/schools/<school_pk>/``: one school's score explained indicator by indicator.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.policy import policy_for
from xiaoqitong.core.views import PostStepView
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import AssessmentStatus
from ..filtersets.assessment import IndicatorFilterSet
from ..forms.assessment import ComputeForm, IndicatorForm
from ..models import Assessment, Indicator, SchoolScore
from ..policies.assessment import is_assessment_lead, reads_assessments
from ..resources.assessment import ranking_dataset
from ..selectors import assessment as selectors
from ..selectors.assessment import scoped
from ..selectors.tasks import lead_department
from ..services import assessment as services
from ..tables.assessment import IndicatorTable

NAMESPACE = "governance"


class IndicatorViews(AppModelViews):
    model = Indicator
    filterset = IndicatorFilterSet
    table = IndicatorTable
    form = IndicatorForm
    importable = False
    create_service = staticmethod(services.indicator_create)
    update_service = staticmethod(services.indicator_update)
    delete_service = staticmethod(services.indicator_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        measure = selectors.MEASURES.get(obj.measure)
        unit = measure.unit if measure else selectors.COUNT
        return [
            (_("编号"), obj.code),
            (_("指标名称"), obj.name),
            (_("类别"), obj.group),
            (_("计算来源"), selectors.measure_label(obj.measure)),
            (_("计算方法"), str(measure.explanation) if measure else _("未知的计算来源")),
            (_("分值"), selectors.number_text(obj.weight)),
            (_("方向"), obj.get_direction_display()),
            (_("零分值"), selectors.value_text(unit, obj.floor)),
            (_("满分值"), selectors.value_text(unit, obj.full)),
            (_("计分规则"), selectors.formula_text(unit, obj.direction, obj.floor, obj.full, obj.weight)),
            (_("说明"), obj.description),
            (_("依据"), obj.source),
            (_("启用"), obj.is_active),
        ]


def _require_reader(user) -> None:
    if not reads_assessments(user):
        raise PermissionDenied(_("学校考核结果由政府部门、研究人员和学校查看。"))


def assessment_for(user, pk) -> Assessment:
    return get_object_or_404(Assessment.objects.restrict(user, "view"), pk=pk)


class AssessmentListView(LoginRequiredMixin, View):
    """GET: the assessments the user reads; POST (the lead department): compute a year."""

    def render_page(self, request, form=None, status=200):
        assessments = list(Assessment.objects.restrict(request.user, "view").order_by("-year"))
        department, from_list = lead_department(selectors.ASSESSMENT_TASK, selectors.ASSESSMENT_FALLBACK)
        return render(
            request,
            "governance/assessment_list.html",
            {
                "assessments": assessments,
                "form": form or ComputeForm(),
                "is_lead": is_assessment_lead(request.user),
                "lead": department,
                "lead_from_list": from_list,
                "indicators": Indicator.objects.filter(is_active=True).count(),
            },
            status=status,
        )

    def get(self, request):
        _require_reader(request.user)
        return self.render_page(request)

    def post(self, request):
        if not is_assessment_lead(request.user):
            raise PermissionDenied(_("学校考核由牵头部门计算。"))
        form = ComputeForm(request.POST)
        if form.is_valid():
            try:
                assessment = services.assessment_compute(actor=request.user, year=form.cleaned_data["year"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("已计算 %(year)s 年度考核得分。") % {"year": assessment.year})
                return redirect(assessment.get_absolute_url())
        return self.render_page(request, form, status=400)


class AssessmentDetailView(LoginRequiredMixin, View):
    """The ranking of one year; ``?export=xlsx|csv`` downloads it with every indicator's inputs."""

    def get(self, request, pk):
        _require_reader(request.user)
        assessment = assessment_for(request.user, pk)
        cols = selectors.columns(assessment)
        rows = selectors.ranking_rows(request.user, assessment)
        fmt = request.GET.get("export")
        if fmt:
            if not policy_for(Assessment).allows(request.user, "export"):
                raise PermissionDenied(_("您没有导出此类数据的权限。"))
            name = _("%(year)s年度职业院校考核排名") % {"year": assessment.year}
            return dataset_response(
                ranking_dataset(assessment, rows, cols), fmt, name, request.GET.get("encoding", "utf-8")
            )
        for row in rows:
            row["cells"] = selectors.ranking_cells(row, cols)
        no_data = [
            {
                "col": c,
                "schools": [
                    r["school"]
                    for r in rows
                    if (r["lines"].get(c["id"]) is None or r["lines"][c["id"]].value is None)
                ],
            }
            for c in cols
        ]
        is_lead = is_assessment_lead(request.user)
        return render(
            request,
            "governance/assessment_detail.html",
            {
                "assessment": assessment,
                "cols": cols,
                "rows": rows,
                "no_data": [n for n in no_data if n["schools"]],
                "is_lead": is_lead,
                "can_compute": is_lead and assessment.status == AssessmentStatus.DRAFT,
                "can_publish": is_lead and assessment.status == AssessmentStatus.DRAFT and bool(rows),
                "computed_at": when_text(assessment.computed_at),
                "published_at": when_text(assessment.published_at),
                "partial": not is_lead
                and assessment.status != AssessmentStatus.PUBLISHED,  # a school sees its own row only
                "max_total": sum((float(c["weight"]) for c in cols), 0.0),
            },
        )


class AssessmentComputeView(PostStepView):
    """POST …/<pk>/compute/: recompute a draft."""

    def post(self, request, pk):
        assessment = assessment_for(request.user, pk)
        return self.run(
            request,
            assessment,
            lambda: services.assessment_compute(actor=request.user, year=assessment.year),
            _("已重新计算 %(year)s 年度考核得分。") % {"year": assessment.year},
        )


class AssessmentPublishView(PostStepView):
    """POST …/<pk>/publish/: publish a computed draft."""

    def post(self, request, pk):
        assessment = assessment_for(request.user, pk)
        return self.run(
            request,
            assessment,
            lambda: services.assessment_publish(actor=request.user, assessment=assessment),
            _("已发布 %(year)s 年度考核结果，各校已收到通知。") % {"year": assessment.year},
        )


class SchoolScoreView(LoginRequiredMixin, View):
    """One school's score in an assessment, explained indicator by indicator."""

    def get(self, request, pk, school_pk):
        _require_reader(request.user)
        assessment = assessment_for(request.user, pk)
        score = get_object_or_404(
            scoped(SchoolScore.objects.all(), request.user, "view")
            .select_related("school", "school__county")
            .prefetch_related("lines"),
            assessment=assessment,
            school_id=school_pk,
        )
        cols = selectors.columns(assessment)
        items = selectors.explain(score, cols, assessment.year)
        return render(
            request,
            "governance/assessment_school.html",
            {
                "assessment": assessment,
                "score": score,
                "school": score.school,
                "items": items,
                "schools_total": SchoolScore.objects.filter(assessment=assessment).count(),
                "no_data": [i for i in items if i["no_data"]],
                "max_total": sum((float(c["weight"]) for c in cols), 0.0),
            },
        )


urlpatterns = [
    *IndicatorViews.urls("indicators", NAMESPACE),
    path("assessments/", AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/<int:pk>/", AssessmentDetailView.as_view(), name="assessment_detail"),
    path("assessments/<int:pk>/compute/", AssessmentComputeView.as_view(), name="assessment_compute"),
    path("assessments/<int:pk>/publish/", AssessmentPublishView.as_view(), name="assessment_publish"),
    path(
        "assessments/<int:pk>/schools/<int:school_pk>/",
        SchoolScoreView.as_view(),
        name="assessment_school",
    ),
]
