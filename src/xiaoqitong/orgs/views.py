from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from xiaoqitong.core.views import ModelViews

from . import filtersets, forms, lockout, services, tables
from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User


class SchoolViews(ModelViews):
    model = School
    filterset = filtersets.SchoolFilterSet
    table = tables.SchoolTable
    form = forms.SchoolForm
    select_related = ("county",)
    detail_template = "orgs/school_detail.html"


class SchoolEnrolmentViews(ModelViews):
    model = SchoolEnrolment
    filterset = filtersets.SchoolEnrolmentFilterSet
    table = tables.SchoolEnrolmentTable
    form = forms.SchoolEnrolmentForm
    select_related = ("school",)


class EnterpriseViews(ModelViews):
    model = Enterprise
    filterset = filtersets.EnterpriseFilterSet
    table = tables.EnterpriseTable
    form = forms.EnterpriseForm
    select_related = ("industry", "county")


class ResearchInstitutionViews(ModelViews):
    model = ResearchInstitution
    filterset = filtersets.ResearchInstitutionFilterSet
    table = tables.ResearchInstitutionTable
    form = forms.ResearchInstitutionForm
    select_related = ("county",)


class DepartmentViews(ModelViews):
    model = Department
    filterset = filtersets.DepartmentFilterSet
    table = tables.DepartmentTable
    form = forms.DepartmentForm
    select_related = ("region",)


class UserViews(ModelViews):
    model = User
    filterset = filtersets.UserFilterSet
    table = tables.UserTable
    form = forms.UserForm
    importable = False
    select_related = ("school", "enterprise", "institution", "department")

    detail_exclude = ("id", "password", "created_at", "updated_at")

    create_service = staticmethod(services.user_create)
    update_service = staticmethod(services.user_update)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change page, writing through the service (audited)."""

    def form_valid(self, form):
        user = services.user_password_change(
            actor=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, get the API token. Throttled per address against password guessing."""

    throttle_classes = [TokenThrottle]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the (DRF) request when the account or address is locked (orgs.lockout).
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": lockout.lockout_message(request)}, status=429)
            raise ValidationError(serializer.errors)
        token = services.token_issue(actor=serializer.validated_data["user"])
        return Response({"token": token.key})
