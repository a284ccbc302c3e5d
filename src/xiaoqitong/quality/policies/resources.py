"""Who may do what with the shared teaching-resource library (专业教育资源库, 三（六）; DESIGN rule 3).

- **TeachingResource**: a school's administrators and teachers publish for their school, an enterprise's HR
  and mentors for their enterprise (``services.resources.resource_create`` sets the owner). They read every
  published resource and their own organization's drafts; only their own organization's users change or
  delete a resource. Government officers read the published resources and may unpublish any of them
  (``services.resources.resource_unpublish``), but edit none. Researchers read the usage aggregates only;
  students nothing.
- **ResourceRating**: school and enterprise staff rate resources of other organizations (one rating a user,
  ``services.resources.resource_rate``); the ratings of a resource are read by whoever reads the resource.
- **ResourceUse**: a download or a reuse (“引用到课程”) recorded for the user's school
  (``services.resources.resource_use_record``). A school reads its own uses and the uses of its
  resources, an enterprise the uses of its resources; government officers read all.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.navigation import MenuItem, add_menu
from xiaoqitong.core.policy import ALL, Policy, register
from xiaoqitong.orgs.choices import Role

from ..models import ResourceRating, ResourceUse, TeachingResource

GROUP = "培养质量"
SCHOOL_STAFF = {Role.SCHOOL_ADMIN, Role.TEACHER}
ENTERPRISE_STAFF = {Role.ENTERPRISE_HR, Role.ENTERPRISE_MENTOR}
PUBLISHERS = SCHOOL_STAFF | ENTERPRISE_STAFF
OWNER_FIELDS = {"owner_school", "owner_enterprise"}


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def publisher_org(user) -> tuple[int | None, int | None]:
    """``(school_id, enterprise_id)`` the user publishes, rates and uses resources for: the school of school
    staff, the enterprise of enterprise staff, ``(None, None)`` for every other role."""
    if user is None or not user.is_authenticated:
        return None, None
    role = _role(user)
    if role in SCHOOL_STAFF and user.school_id:
        return user.school_id, None
    if role in ENTERPRISE_STAFF and user.enterprise_id:
        return None, user.enterprise_id
    return None, None


def owned_q(user, prefix: str = "") -> Q:
    """The resources (``prefix`` leads from another model to its resource) the user's organization owns."""
    school_id, enterprise_id = publisher_org(user)
    if school_id:
        return Q(**{f"{prefix}owner_school_id": school_id})
    if enterprise_id:
        return Q(**{f"{prefix}owner_enterprise_id": enterprise_id})
    return Q(pk__in=[])


def owns_resource(user, resource: TeachingResource) -> bool:
    """Whether the resource is the user's own organization's (its school's or its enterprise's)."""
    school_id, enterprise_id = publisher_org(user)
    return bool(
        (school_id and resource.owner_school_id == school_id)
        or (enterprise_id and resource.owner_enterprise_id == enterprise_id)
    )


def may_unpublish(user, resource: TeachingResource) -> bool:
    """The owner organization's users, government officers and platform administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or _role(user) == Role.GOV_OFFICER or owns_resource(user, resource)


# --- resources ------------------------------------------------------------------------------------
def published_or_own(qs, user):
    return qs.filter(Q(published=True) | owned_q(user))


def published_only(qs, user):
    return qs.filter(published=True)


def own_resources(qs, user):
    return qs.filter(owned_q(user))


@register(TeachingResource)
class TeachingResourcePolicy(Policy):
    readers = {role: published_or_own for role in PUBLISHERS}
    writers = {role: own_resources for role in PUBLISHERS}
    rules = {
        "view": {Role.GOV_OFFICER: published_only, **readers},
        "export": {Role.GOV_OFFICER: published_only, **readers},
        "add": writers,
        "change": writers,
        "delete": writers,
        "import": writers,
    }
    # The owner is the publisher's organization, never changed by an edit.
    locked = {role: OWNER_FIELDS for role in PUBLISHERS}


# --- ratings --------------------------------------------------------------------------------------
def ratings_of_visible(qs, user):
    return qs.filter(resource__in=TeachingResource.objects.restrict(user, "view").values("pk"))


def own_ratings(qs, user):
    return qs.filter(user_id=user.pk)


@register(ResourceRating)
class ResourceRatingPolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: ratings_of_visible, **{role: ratings_of_visible for role in PUBLISHERS}},
        "export": {Role.GOV_OFFICER: ratings_of_visible},
        # Written by services.resource_rate only (one a user, never on one's own organization's resource).
        "add": {role: own_ratings for role in PUBLISHERS},
        "change": {role: own_ratings for role in PUBLISHERS},
        "delete": {role: own_ratings for role in PUBLISHERS},
    }


# --- uses -----------------------------------------------------------------------------------------
def uses_in_scope(qs, user):
    """A school's own uses and the uses of its resources; an enterprise's the uses of its resources."""
    school_id, _enterprise_id = publisher_org(user)
    mine = owned_q(user, "resource__")
    return qs.filter(mine | Q(school_id=school_id)) if school_id else qs.filter(mine)


def own_uses(qs, user):
    return qs.filter(user_id=user.pk)


@register(ResourceUse)
class ResourceUsePolicy(Policy):
    rules = {
        "view": {Role.GOV_OFFICER: ALL, **{role: uses_in_scope for role in PUBLISHERS}},
        "export": {Role.GOV_OFFICER: ALL, **{role: uses_in_scope for role in PUBLISHERS}},
        # Recorded by services.resource_use_record only (downloads and “引用到课程”); never edited.
        "add": {role: own_uses for role in PUBLISHERS},
    }


def may_view_usage(user) -> bool:
    """The usage page: school and enterprise staff (their own figures), officers, researchers and platform
    administrators (every school's)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or _role(user) in {Role.GOV_OFFICER, Role.RESEARCHER} or any(publisher_org(user))


def sees_every_school(user) -> bool:
    return user.is_superuser or _role(user) in {Role.GOV_OFFICER, Role.RESEARCHER}


add_menu(
    MenuItem(
        GROUP, _("专业教育资源库"), "quality:teachingresource_list", TeachingResource, "collection-play", 160
    )
)
add_menu(
    MenuItem(GROUP, _("资源使用统计"), "quality:resource_usage", None, "bar-chart-line", 161, may_view_usage)
)
