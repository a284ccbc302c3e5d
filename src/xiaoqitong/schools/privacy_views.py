"""Pages of a student's personal-information rights (``privacy``): 我的数据, 个人信息查看记录 and
个人信息删除申请.

The filters are shared with the API (``privacy_api``) and the exports."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs.choices import Role

from . import privacy
from .choices import DataRequestStatus
from .models import DataRequest, Student
from .selectors import Access

PER_PAGE = 50
ACCESS_CHOICES = [(a.value, privacy.ACCESS_LABELS[a]) for a in Access if a != Access.NONE]


class ProfileViewFilterSet(django_filters.FilterSet):
    """Filters of the profile-view log: student, viewer, organization, access level, dates."""

    student = django_filters.CharFilter(method="by_student", label=gettext_lazy("学生（姓名或学号）"))
    viewer = django_filters.CharFilter(method="by_viewer", label=gettext_lazy("查看人"))
    organization = django_filters.CharFilter(method="by_organization", label=gettext_lazy("所属单位"))
    access = django_filters.ChoiceFilter(
        field_name="changes__access", choices=ACCESS_CHOICES, label=gettext_lazy("访问级别")
    )
    date_after = django_filters.DateFilter(
        field_name="time", lookup_expr="date__gte", label=gettext_lazy("起始日期")
    )
    date_before = django_filters.DateFilter(
        field_name="time", lookup_expr="date__lte", label=gettext_lazy("截止日期")
    )

    class Meta:
        model = AuditLog
        fields = ["student", "viewer", "organization", "access", "date_after", "date_before"]

    def __init__(self, *args, with_student: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_student:
            self.filters.pop("student")
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
            if isinstance(field, forms.DateField):
                field.widget.input_type = "date"

    def by_student(self, queryset, name, value):
        value = value.strip()
        user = getattr(self.request, "user", None)
        students = Student.objects.restrict(user).filter(
            Q(name__icontains=value) | Q(student_no__iexact=value)
        )
        return queryset.filter(object_id__in=privacy._as_text(students))

    def by_viewer(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(actor_repr__icontains=value)
            | Q(actor__display_name__icontains=value)
            | Q(actor__username__icontains=value)
        )

    def by_organization(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(actor__enterprise__name__icontains=value)
            | Q(actor__school__name__icontains=value)
            | Q(actor__institution__name__icontains=value)
            | Q(actor__department__name__icontains=value)
        )


class DataRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DataRequestStatus.choices, label=gettext_lazy("状态"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=gettext_lazy("已超期未办"))

    class Meta:
        model = DataRequest
        fields = ["status", "overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")

    def by_overdue(self, queryset, name, value):
        late = Q(status=DataRequestStatus.PENDING, due_date__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


def own_student(user) -> Student | None:
    if user is None or not user.is_authenticated or getattr(user, "role", None) != Role.STUDENT:
        return None
    return Student.objects.restrict(user).filter(user_id=user.pk).select_related("school").first()


def _page(request, qs):
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return page, page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


# --- 个人信息查看记录 -------------------------------------------------------------------------------------
@never_cache
@login_required
def profile_views(request):
    """谁查看了我的档案 (a student) or every view of the school's students' profiles (a school administrator,
    a platform administrator), with filters and csv/xlsx export."""
    user = request.user
    if not privacy.may_read_profile_views(user):
        raise PermissionDenied(_("只有学生本人、学校管理员和平台管理员可以查看个人信息查看记录。"))
    is_student = not user.is_superuser and user.role == Role.STUDENT
    filterset = ProfileViewFilterSet(
        request.GET or None,
        queryset=privacy.profile_views_for(user),
        request=request,
        with_student=not is_student,
    )
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        data = privacy.profile_views_dataset(qs[:50_000], with_student=not is_student)
        return dataset_response(data, fmt, _("个人信息查看记录"), request.GET.get("encoding", "utf-8"))
    page, page_range = _page(request, qs)
    return render(
        request,
        "schools/privacy/profile_views.html",
        {
            "filterset": filterset,
            "page": page,
            "page_range": page_range,
            "rows": privacy.profile_view_rows(page.object_list, with_student=not is_student),
            "is_student": is_student,
            "query": request.GET.urlencode(),
        },
    )


# --- 我的数据 -------------------------------------------------------------------------------------------
class DataRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("申请理由（选填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("我已了解：删除后账号将注销，个人信息无法恢复"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


@never_cache
@login_required
def my_data(request):
    """我的数据: what the platform holds about the student, its download, who viewed it, and the deletion
    request."""
    student = own_student(request.user)
    if student is None:
        messages.info(request, _("只有关联了学生档案的学生账号才有“我的数据”。"))
        return redirect("home")
    sections = privacy.student_data(student)
    recent = privacy.profile_views_for(request.user)[:10]
    return render(
        request,
        "schools/privacy/my_data.html",
        {
            "student": student,
            "sections": [(s["title"], len(s["rows"])) for s in sections],
            "views": privacy.profile_view_rows(recent, with_student=False),
            "views_total": privacy.profile_views_for(request.user).count(),
            "requests": privacy.data_requests_for(request.user).filter(student=student),
            "form": DataRequestForm(),
            "due_days": privacy.DUE_WORKING_DAYS,
        },
    )


@never_cache
@login_required
def my_data_download(request):
    student = own_student(request.user)
    if student is None:
        raise PermissionDenied(_("只有学生本人可以下载自己的个人信息。"))
    try:
        body, content_type, name = privacy.student_data_export(
            actor=request.user, student=student, fmt=request.GET.get("format", "xlsx")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("schools:my_data")
    from urllib.parse import quote

    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_POST
@login_required
def data_request_add(request):
    student = own_student(request.user)
    if student is None:
        raise PermissionDenied(_("只有学生本人可以提出个人信息删除申请。"))
    form = DataRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("schools:my_data")
    try:
        data_request = privacy.data_request_create(
            actor=request.user, student=student, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("申请已提交，学校将在 %(due)s 前办理。") % {"due": data_request.due_date.strftime("%Y-%m-%d")},
        )
    return redirect("schools:my_data")


# --- 个人信息删除申请: the school's side ------------------------------------------------------------------
@never_cache
@login_required
def data_request_list(request):
    qs = privacy.data_requests_for(request.user)
    filterset = DataRequestFilterSet(request.GET or None, queryset=qs, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    page, page_range = _page(request, qs)
    return render(
        request,
        "schools/privacy/datarequest_list.html",
        {"filterset": filterset, "page": page, "page_range": page_range, "today": timezone.localdate()},
    )


class HandleForm(forms.Form):
    reply = forms.CharField(
        label=gettext_lazy("答复"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


@never_cache
@login_required
def data_request_detail(request, pk):
    data_request = get_object_or_404(privacy.data_requests_for(request.user), pk=pk)
    return render(
        request,
        "schools/privacy/datarequest_detail.html",
        {
            "object": data_request,
            "can_handle": data_request.status == DataRequestStatus.PENDING
            and privacy.may_handle(request.user, data_request),
            "form": HandleForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def data_request_handle(request, pk, decision):
    data_request = get_object_or_404(privacy.data_requests_for(request.user), pk=pk)
    form = HandleForm(request.POST)
    form.is_valid()
    reply = form.cleaned_data.get("reply", "")
    try:
        if decision == "approve":
            if request.POST.get("confirm") != "on":
                raise ValidationError(_("请勾选确认：同意后该学生的个人信息将被删除且无法恢复。"))
            privacy.data_request_approve(actor=request.user, data_request=data_request, reply=reply)
            messages.success(request, _("已同意申请：该学生的个人信息已删除，账号已注销。"))
        else:
            privacy.data_request_refuse(actor=request.user, data_request=data_request, reply=reply)
            messages.success(request, _("已拒绝申请，并已通知学生。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("schools:datarequest_detail", pk=data_request.pk)


urlpatterns = [
    path("my-data/", my_data, name="my_data"),
    path("my-data/download/", my_data_download, name="my_data_download"),
    path("my-data/requests/", data_request_add, name="data_request_add"),
    path("profile-views/", profile_views, name="profile_views"),
    path("data-requests/", data_request_list, name="datarequest_list"),
    path("data-requests/<int:pk>/", data_request_detail, name="datarequest_detail"),
    path(
        "data-requests/<int:pk>/approve/",
        data_request_handle,
        {"decision": "approve"},
        name="datarequest_approve",
    ),
    path(
        "data-requests/<int:pk>/refuse/",
        data_request_handle,
        {"decision": "refuse"},
        name="datarequest_refuse",
    ),
]
