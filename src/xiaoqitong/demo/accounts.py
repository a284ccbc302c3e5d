"""Demo accounts: one per role, ``is_demo=True``, password ``settings.DEMO_PASSWORD``.

They log in only while ``settings.DEMO_MODE`` is on (``orgs.auth.PlatformBackend``)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from xiaoqitong.core import audit
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Department, Enterprise, ResearchInstitution, School, User
from xiaoqitong.schools.models import Student

from .context import DemoError
from .models import DemoRun


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str
    # "school", "school2", "enterprise", "institution" (the run's anchors) or "department:<code>"
    org: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("demo-admin", Role.PLATFORM_ADMIN, "平台管理员"),
    DemoAccount("demo-gov", Role.GOV_OFFICER, "刘建华", "department:CZ-JYJ"),  # 市教育局
    DemoAccount("demo-hrss", Role.GOV_OFFICER, "陈志强", "department:CZ-RSJ"),  # 市人社局
    DemoAccount("demo-ndrc", Role.GOV_OFFICER, "黄晓燕", "department:CZ-FGW"),  # 市发改委
    DemoAccount("demo-finance", Role.GOV_OFFICER, "吴晓峰", "department:CZ-CZJ"),  # 市财政局
    DemoAccount("demo-school", Role.SCHOOL_ADMIN, "周海涛", "school"),
    DemoAccount("demo-teacher", Role.TEACHER, "李雪梅", "school"),
    DemoAccount("demo-teacher2", Role.TEACHER, "王芳", "school2"),  # another school's teacher
    DemoAccount("demo-enterprise", Role.ENTERPRISE_HR, "王磊", "enterprise"),
    DemoAccount("demo-mentor", Role.ENTERPRISE_MENTOR, "赵国平", "enterprise"),
    DemoAccount("demo-student", Role.STUDENT, "张子涵", "school"),
    DemoAccount("demo-researcher", Role.RESEARCHER, "孙立新", "institution"),
]
DEMO_USERNAMES = [a.username for a in DEMO_ACCOUNTS]
ORG_FIELD = {"school2": "school"}  # the user's organization field of an anchor not named after it


def _anchors(anchors: dict | None) -> dict:
    if anchors is None:
        run = DemoRun.objects.order_by("-created_at", "-id").first()
        if run is None:
            raise DemoError("还没有演示数据：请先运行 xiaoqitong demo_data。")
        anchors = run.anchors
    return anchors


def _organizations(anchors: dict) -> dict[str, object]:
    try:
        orgs = {
            "school": School.objects.get(code=anchors["school"]),
            # runs made before the second demo school existed: the demo school
            "school2": School.objects.get(code=anchors.get("school2") or anchors["school"]),
            "enterprise": Enterprise.objects.get(credit_code=anchors["enterprise"]),
            "institution": ResearchInstitution.objects.get(code=anchors["institution"]),
        }
    except (KeyError, School.DoesNotExist, Enterprise.DoesNotExist, ResearchInstitution.DoesNotExist):
        raise DemoError(
            "演示数据不完整（演示账号所属的学校、企业或科研机构已不存在）："
            "请运行 xiaoqitong demo_data --reset 重新生成。"
        ) from None
    codes = [a.org.split(":", 1)[1] for a in DEMO_ACCOUNTS if a.org.startswith("department:")]
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    missing = sorted(set(codes) - set(departments))
    if missing:
        raise DemoError(f"缺少政府部门 {'、'.join(missing)}：请先运行 xiaoqitong demo_data 导入部门目录。")
    orgs.update({f"department:{code}": d for code, d in departments.items()})
    return orgs


def _link_student(anchors: dict, users: list[User]) -> None:
    """The student account's profile is the generated student of ``anchors["student"]`` (school code and
    学号): linked again if the account was made anew (the link is dropped with a deleted account)."""
    key = anchors.get("student")
    user = next((u for u in users if u.role == Role.STUDENT), None)
    if not key or user is None or "/" not in key:
        return
    school_code, student_no = key.split("/", 1)
    student = Student.objects.filter(school__code=school_code, student_no=student_no).first()
    if student is None or student.user_id == user.pk:
        return
    if student.user_id is not None:  # someone else's account: leave it
        return
    Student.objects.filter(user=user).update(user=None)
    Student.objects.filter(pk=student.pk).update(user=user)


@transaction.atomic
def ensure_demo_accounts(*, anchors: dict | None = None, record_audit: bool = True) -> list[User]:
    """Create or repair the demo accounts (idempotent): role, organization and display name as listed in
    ``DEMO_ACCOUNTS``, ``is_demo=True``, active, password reset to ``settings.DEMO_PASSWORD``.

    Needs the generated demo data: their school, enterprise and institution are the ``anchors`` of the
    latest ``DemoRun`` (the generator passes its own while it runs); the student account is linked to the
    generated student named there once it exists. Refuses to touch an existing account of the same
    username that is not a demo account."""
    anchors = _anchors(anchors)
    orgs = _organizations(anchors)
    existing = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    taken = sorted(name for name, u in existing.items() if not u.is_demo)
    if taken:
        raise DemoError(f"用户名 {'、'.join(taken)} 已被非演示账号使用，不能用作演示账号。")
    password = make_password(settings.DEMO_PASSWORD)  # hashed once: the same password for every account
    users, created = [], 0
    for spec in DEMO_ACCOUNTS:
        user = existing.get(spec.username) or User(username=spec.username)
        created += user.pk is None
        user.role = spec.role
        user.display_name = spec.display_name
        user.is_demo = True
        user.is_active = True
        user.is_superuser = user.is_staff = spec.role == Role.PLATFORM_ADMIN
        for name in User.ORG_FIELDS:
            setattr(user, name, None)
        if spec.org:
            setattr(user, ORG_FIELD.get(spec.org, spec.org.split(":", 1)[0]), orgs[spec.org])
        user.password = password
        user.full_clean(exclude=["password"])
        user.save()
        users.append(user)
    _link_student(anchors, users)
    if record_audit:
        audit.record(
            actor=None,
            action=AuditAction.OTHER,
            verb="demo_accounts",
            model=User,
            object_repr="演示账号",
            changes={"accounts": DEMO_USERNAMES, "created": created},
        )
    return users
