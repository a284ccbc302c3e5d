"""Pages of matching (精准对接): “为我推荐” for a student, “推荐人选” for a position, a school major's partner
enterprises, an enterprise's supplier school majors, and the invitations (list, detail, the answers).

The rankings and who may ask for them come from ``selectors``; every write goes through ``services``. What an
enterprise sees of a student follows ``schools.selectors.student_access``: a de-identified profile shows
school, major and skills, never name, 学号 or phone.
"""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import export_response
from xiaoqitong.core.policy import can
from xiaoqitong.core.views import ModelViews, ObjectDetailView, ObjectListView
from xiaoqitong.enterprises.choices import HIRED
from xiaoqitong.enterprises.models import Application, Position
from xiaoqitong.enterprises.selectors import open_positions, own_student
from xiaoqitong.enterprises.services import NO_STUDENT_RECORD
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.schools import selectors as school_selectors
from xiaoqitong.schools.models import SchoolMajor, Student

from . import filtersets, forms, selectors, services, tables
from .choices import InvitationStatus
from .models import Invitation
from .policies import is_enterprise, sees_majors
from .resources import InvitationResource

#: How many recommendations each page shows.
POSITIONS_SHOWN = 20
STUDENTS_SHOWN = 20
PARTNERS_SHOWN = 10
SUPPLIERS_SHOWN = 10
CANDIDATE_POSITIONS_PER_PAGE = 30

PERCENT_HELP = gettext_lazy(
    "匹配度是综合得分占满分的百分比：专业对口程度、必备与加分技能和证书、岗位描述与所学专业和技能的相关度，"
    "以及意向产业链、工作地、岗位类型和期望薪资，各按权重相加。"
)


# --- helpers ------------------------------------------------------------------------------------------------
def _notice(request, title: str, message: str, *, status: int = 403, icon: str = "shield-lock"):
    """A page that says in a sentence why there is nothing here for this person (a refusal, 403)."""
    return render(
        request, "matching/notice.html", {"title": title, "message": message, "icon": icon}, status=status
    )


def _back(request, fallback: str):
    """Redirect to the page the form was posted from (``next``, same site only), else ``fallback``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _refused(request, exc: Exception) -> None:
    """A service's refusal as an error message (never a 500)."""
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, str(exc) or _("您没有权限执行此操作。"))


def _places_taken(position_ids) -> dict[int, int]:
    """Offers and hires per position (one query)."""
    return dict(
        Application.objects.filter(position_id__in=list(position_ids), status__in=HIRED)
        .values("position_id")
        .annotate(n=Count("id"))
        .values_list("position_id", "n")
    )


# --- 为我推荐 -----------------------------------------------------------------------------------------------
@dataclasses.dataclass
class PositionRow:
    item: selectors.PositionMatch
    full: bool

    @property
    def position(self):
        return self.item.position

    @property
    def match(self):
        return self.item.match


@login_required
def for_me(request):
    """The open positions that fit the student best, and the invitations waiting for an answer."""
    user = request.user
    if getattr(user, "role", None) != Role.STUDENT:
        return _notice(
            request,
            _("为我推荐"),
            _("“为我推荐”面向学生账号：根据学生档案中的专业、技能和求职意向推荐在招岗位。"),
        )
    student = own_student(user)
    if student is None:
        return render(request, "matching/for_me.html", {"no_record": str(NO_STUDENT_RECORD)})
    matches = selectors.recommend_positions(student, k=POSITIONS_SHOWN)
    taken = _places_taken(m.position.pk for m in matches)
    rows = [PositionRow(m, taken.get(m.position.pk, 0) >= m.position.headcount) for m in matches]
    invitations = (
        Invitation.objects.restrict(user, "view")
        .filter(status=InvitationStatus.SENT)
        .select_related("position__enterprise", "position__county")
        .order_by("-created_at")
    )
    return render(
        request,
        "matching/for_me.html",
        {
            "student": student,
            "rows": rows,
            "invitations": invitations,
            "percent_help": PERCENT_HELP,
        },
    )


# --- 推荐人选 -----------------------------------------------------------------------------------------------
@dataclasses.dataclass
class CandidateRow:
    item: selectors.StudentMatch
    may_invite: bool

    @property
    def student(self):
        return self.item.student

    @property
    def match(self):
        return self.item.match

    @property
    def shows_identity(self) -> bool:
        return school_selectors.shows_identity(self.item.access)

    @property
    def label(self) -> str:
        return school_selectors.student_label(self.item.access, self.item.student)

    @property
    def skills(self) -> str:
        return school_selectors.skill_levels_text(self.item.student)

    @property
    def can_invite(self) -> bool:
        return self.may_invite and self.item.application is None and self.item.invitation is None


def _enterprise_side(user) -> bool:
    return user.is_superuser or is_enterprise(user)


@login_required
def candidates_home(request):
    """“推荐人选”: the enterprise's open positions, each leading to the students recommended for it."""
    user = request.user
    if not _enterprise_side(user):
        return _notice(
            request, _("推荐人选"), _("“推荐人选”面向企业账号：为本企业在招的岗位推荐合适的学生。")
        )
    qs = open_positions(Position.objects.restrict(user, "view")).select_related("enterprise", "county")
    if not user.is_superuser:
        qs = qs.filter(enterprise_id=user.enterprise_id)
    qs = qs.annotate(
        applications_count=Count("applications", distinct=True),
        invitations_count=Count("invitations", distinct=True),
    ).order_by("-published_at", "-pk")
    page = Paginator(qs, CANDIDATE_POSITIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/candidates_home.html",
        {"page": page, "add_url": reverse("enterprises:position_add") if can(user, "add", Position) else ""},
    )


@login_required
def candidates(request, pk):
    """The students recommended for one position, as far as they let the enterprise see them."""
    user = request.user
    position = get_object_or_404(
        Position.objects.restrict(user, "view").select_related("enterprise", "county"), pk=pk
    )
    if not selectors.may_see_candidates(user, position):
        return _notice(request, _("推荐人选"), _("只有发布该岗位的企业可以查看推荐人选。"))
    results = selectors.recommend_students(user, position, k=STUDENTS_SHOWN)
    may_invite = services.may_invite(user, position)
    rows = [CandidateRow(item, may_invite) for item in results or []]
    return render(
        request,
        "matching/candidates.html",
        {
            "position": position,
            "is_open": results is not None,
            "rows": rows,
            "may_invite": may_invite,
            "percent_help": PERCENT_HELP,
        },
    )


@require_POST
@login_required
def invite(request, pk):
    """POST …/positions/<pk>/candidates/invite/: invite one recommended student, with an optional message."""
    user = request.user
    position = get_object_or_404(Position.objects.restrict(user, "view"), pk=pk)
    back = reverse("matching:candidates", kwargs={"pk": position.pk})
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.error_text(form))
        return _back(request, back)
    student = Student.objects.restrict(user, "view").filter(pk=form.cleaned_data["student"]).first()
    if student is None:
        messages.error(request, _("找不到该学生，或该学生未向企业公开简历。"))
        return _back(request, back)
    try:
        invitation = services.invitation_create(
            actor=user, position=position, student=student, message=form.cleaned_data["message"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return _back(request, back)
    access = school_selectors.student_access(user, student)
    messages.success(
        request,
        _("已邀请“%(student)s”投递“%(title)s”，学生回复后可在“投递邀请”中查看。")
        % {"student": school_selectors.student_label(access, student), "title": position.title},
    )
    return _back(request, invitation.get_absolute_url())


# --- 专业对接企业 -------------------------------------------------------------------------------------------
def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def partners(request):
    """For one school major (each school's current ones), the enterprises whose open demand it supplies
    best."""
    user = request.user
    if not sees_majors(user):
        return _notice(
            request,
            _("专业对接企业"),
            _("“专业对接企业”面向学校和政府部门：查看各专业最对口的在招企业，为订单班和校企合作选伙伴。"),
        )
    own_school = getattr(user, "role", None) in selectors.SCHOOL_ROLES and not user.is_superuser
    school_major = None
    wanted = _int(request.GET.get("school_major"))
    if wanted is not None:
        school_major = (
            SchoolMajor.objects.restrict(user, "view")
            .select_related("school", "major")
            .filter(pk=wanted)
            .first()
        )
        if school_major is None:
            return _notice(
                request, _("专业对接企业"), _("找不到这个学校专业，请从列表中重新选择。"), status=404
            )
        if not selectors.may_see_partners(user, school_major):
            return _notice(request, _("专业对接企业"), _("只能查看本校专业的对接企业。"))
    schools = []
    if own_school:
        school = School.objects.restrict(user, "view").filter(pk=user.school_id).first()
    else:
        schools = list(School.objects.restrict(user, "view").order_by("code").only("pk", "code", "name"))
        chosen = school_major.school_id if school_major else _int(request.GET.get("school"))
        school = next((s for s in schools if s.pk == chosen), schools[0] if schools else None)
    majors = []
    if school is not None:
        majors = list(
            selectors.current_school_majors(SchoolMajor.objects.restrict(user, "view").filter(school=school))
            .select_related("school", "major")
            .order_by("major__code")
        )
    if school_major is None and majors:
        school_major = majors[0]
    results = selectors.major_partners(school_major, k=PARTNERS_SHOWN) if school_major else []
    return render(
        request,
        "matching/partners.html",
        {
            "own_school": own_school,
            "schools": schools,
            "school": school,
            "majors": majors,
            "school_major": school_major,
            "results": results,
            "percent_help": PERCENT_HELP,
        },
    )


# --- 合作院校专业 -------------------------------------------------------------------------------------------
@login_required
def suppliers(request):
    """For one enterprise, the school majors that supply its open positions best."""
    user = request.user
    enterprises = []
    if is_enterprise(user) and not user.is_superuser:
        enterprise = Enterprise.objects.restrict(user, "view").filter(pk=user.enterprise_id).first()
    elif user.is_superuser or getattr(user, "role", None) == Role.GOV_OFFICER:
        hiring = open_positions(Position.objects.restrict(user, "view")).values("enterprise_id")
        enterprises = list(
            Enterprise.objects.restrict(user, "view")
            .filter(pk__in=hiring)
            .order_by("name")
            .only("pk", "name")
        )
        wanted = _int(request.GET.get("enterprise"))
        enterprise = None
        if wanted is not None:
            enterprise = Enterprise.objects.restrict(user, "view").filter(pk=wanted).first()
            if enterprise is None:
                return _notice(
                    request, _("合作院校专业"), _("找不到这家企业，请从列表中重新选择。"), status=404
                )
        elif enterprises:
            enterprise = enterprises[0]
    else:
        return _notice(
            request,
            _("合作院校专业"),
            _("“合作院校专业”面向企业和政府部门：查看最能供给企业在招岗位的院校专业。"),
        )
    if enterprise is not None and not selectors.may_see_suppliers(user, enterprise):
        return _notice(request, _("合作院校专业"), _("只能查看本企业的合作院校专业。"))
    results = selectors.enterprise_suppliers(enterprise, k=SUPPLIERS_SHOWN) if enterprise else []
    hiring_now = (
        enterprise is not None
        and open_positions(Position.objects.restrict(user, "view").filter(enterprise=enterprise)).exists()
    )
    return render(
        request,
        "matching/suppliers.html",
        {
            "enterprises": enterprises,
            "enterprise": enterprise,
            "results": results,
            "hiring_now": hiring_now,
            "percent_help": PERCENT_HELP,
        },
    )


# --- invitations --------------------------------------------------------------------------------------------
class InvitationListView(ObjectListView):
    """The generic list; its export names students only as far as the person exporting may see them."""

    def get(self, request):
        if not request.GET.get("export"):
            return super().get(request)
        self.require("view")
        self.require("export")
        qs = self.config.base_queryset().restrict(request.user, "view")
        filterset = self.config.filterset(request.GET, queryset=qs, request=request)
        qs = filterset.qs if filterset.is_valid() else qs
        export_qs = Invitation.objects.filter(pk__in=qs.values("pk")).restrict(request.user, "export")
        resource = InvitationResource()
        resource.actor = request.user
        return export_response(
            resource,
            export_qs.order_by("-created_at"),
            "xlsx" if request.GET["export"] == "xlsx" else "csv",
            str(Invitation._meta.verbose_name_plural),
            request.GET.get("encoding", "utf-8"),
        )


class _Shown:
    """An invitation as the page titles it: the position, and the student as the viewer may name them (the
    student themself reads the enterprise instead)."""

    def __init__(self, obj, label: str):
        self._obj = obj
        self._label = label

    def __getattr__(self, name):
        return getattr(self._obj, name)

    def __str__(self):
        return _("%(title)s · %(who)s") % {"title": self._obj.position.title, "who": self._label}


class InvitationDetailView(ObjectDetailView):
    """The invitation: position, enterprise, the student (de-identified for an enterprise when so), the
    answer; the student answers here, the enterprise's HR withdraws."""

    def get(self, request, pk):
        invitation = self.get_object()
        user = request.user
        student = invitation.student
        access = school_selectors.student_access(user, student)
        label = school_selectors.student_label(access, student)
        position = invitation.position
        is_student = getattr(user, "role", None) == Role.STUDENT and student.user_id == user.pk
        waiting = invitation.status == InvitationStatus.SENT
        rows = [
            (_("岗位"), position.title),
            (_("企业"), position.enterprise),
            (_("工作地点"), position.county),
        ]
        if not is_student:
            rows += [
                (_("学生"), label),
                (_("学校"), student.school),
                (_("专业"), student.school_major.major.name),
            ]
        rows += [
            (_("邀请留言"), invitation.message),
            (_("状态"), invitation.get_status_display()),
            (_("邀请时间"), when_text(invitation.created_at)),
            (
                _("撤回时间") if invitation.status == InvitationStatus.WITHDRAWN else _("回复时间"),
                when_text(invitation.responded_at),
            ),
        ]
        if selectors.may_see_inviter(user, invitation):
            rows.append((_("邀请人"), invitation.invited_by.display_name if invitation.invited_by else ""))
        student_visible = (
            school_selectors.shows_identity(access)
            and not is_student
            and Student.objects.restrict(user, "view").filter(pk=student.pk).exists()
        )
        application_visible = (
            invitation.application_id is not None
            and Application.objects.restrict(user, "view").filter(pk=invitation.application_id).exists()
        )
        return render(
            request,
            "matching/invitation_detail.html",
            self.context(
                object=_Shown(invitation, position.enterprise.name if is_student else label),
                is_student=is_student,
                invitation=invitation,
                fields=rows,
                can_change=False,
                can_delete=False,
                can_respond=is_student and waiting,
                can_withdraw=waiting and services.may_invite(user, position),
                position_url=position.get_absolute_url()
                if Position.objects.restrict(user, "view").filter(pk=position.pk).exists()
                else "",
                student_url=student.get_absolute_url() if student_visible else "",
                application_url=invitation.application.get_absolute_url() if application_visible else "",
                candidates_url=reverse("matching:candidates", kwargs={"pk": position.pk})
                if selectors.may_see_candidates(user, position)
                else "",
            ),
        )


class InvitationViews(ModelViews):
    model = Invitation
    filterset = filtersets.InvitationFilterSet
    table = tables.InvitationTable
    importable = False
    select_related = (
        "position__enterprise",
        "position__county",
        "student__school",
        "student__school_major__major",
    )
    detail_template = "matching/invitation_detail.html"

    @classmethod
    def urls(cls, prefix: str, namespace: str) -> list:
        patterns = super().urls(prefix, namespace)
        replaced = {
            "invitation_list": type("InvitationViewsList", (InvitationListView,), {"config": cls}).as_view(),
            "invitation_detail": type(
                "InvitationViewsDetail", (InvitationDetailView,), {"config": cls}
            ).as_view(),
        }
        return [
            path(str(p.pattern), replaced[p.name], name=p.name) if p.name in replaced else p for p in patterns
        ]


def _visible_invitation(request, pk) -> Invitation:
    return get_object_or_404(
        Invitation.objects.restrict(request.user, "view").select_related("position", "student"), pk=pk
    )


@require_POST
@login_required
def invitation_respond(request, pk):
    """POST …/invitations/<pk>/respond/: the invited student accepts (and so applies) or declines."""
    invitation = _visible_invitation(request, pk)
    form = forms.RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.error_text(form))
        return _back(request, invitation.get_absolute_url())
    accept = form.cleaned_data["accept"]
    try:
        invitation = services.invitation_respond(
            actor=request.user, invitation=invitation, accept=accept, note=form.cleaned_data["note"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return _back(request, invitation.get_absolute_url())
    title = invitation.position.title
    if accept:
        messages.success(
            request, _("已接受邀请并投递“%(title)s”，进展可在“求职申请”中查看。") % {"title": title}
        )
    else:
        messages.success(request, _("已婉拒“%(title)s”的投递邀请。") % {"title": title})
    return _back(request, invitation.get_absolute_url())


@require_POST
@login_required
def invitation_withdraw(request, pk):
    """POST …/invitations/<pk>/withdraw/: the enterprise's HR withdraws an invitation not yet answered."""
    invitation = _visible_invitation(request, pk)
    try:
        invitation = services.invitation_withdraw(actor=request.user, invitation=invitation)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return _back(request, invitation.get_absolute_url())
    messages.success(request, _("已撤回对该学生的投递邀请。"))
    return _back(request, invitation.get_absolute_url())


def urlpatterns() -> list:
    return [
        path("for-me/", for_me, name="for_me"),
        path("candidates/", candidates_home, name="candidates_home"),
        path("positions/<int:pk>/candidates/", candidates, name="candidates"),
        path("positions/<int:pk>/candidates/invite/", invite, name="invite"),
        path("partners/", partners, name="partners"),
        path("suppliers/", suppliers, name="suppliers"),
        *InvitationViews.urls("invitations", "matching"),
        path("invitations/<int:pk>/respond/", invitation_respond, name="invitation_respond"),
        path("invitations/<int:pk>/withdraw/", invitation_withdraw, name="invitation_withdraw"),
    ]
