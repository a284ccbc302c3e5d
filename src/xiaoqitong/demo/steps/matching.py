"""Invitations of the demo city: what the matching engine recommends, acted on.

The demo enterprise's HR invites the best consenting candidates of each of its open postings who have not
applied (at most two a posting), and the enterprises of the demo student's best recommendations invite it (at
most three), so that 为我推荐 and 推荐人选 show invitations waiting for an answer. Ranked by the real engine
(``matching.selectors``) on the generated records, as of ``ctx.as_of``; sent in the week before it.
"""

import datetime as dt

from xiaoqitong.enterprises.choices import PositionStatus
from xiaoqitong.enterprises.models import Position
from xiaoqitong.matching import selectors, services
from xiaoqitong.matching.models import Invitation
from xiaoqitong.orgs.choices import Role
from xiaoqitong.schools.models import Student

from ..accounts import DEMO_ACCOUNTS
from ..context import Context
from .supply_demand import at

MESSAGES = (
    "你好！你的专业和技能与我们的岗位很匹配，欢迎投递，期待与你面谈。",
    "我们正在招聘，看到你的简历后觉得很合适，欢迎了解岗位详情并投递。",
    "公司提供带教师傅和住宿，欢迎投递，有问题可以随时联系我们。",
)


def make_invitations(ctx: Context) -> None:
    rng = ctx.rng
    users = {u.username: u for u in ctx.accounts}
    hr = next((users.get(a.username) for a in DEMO_ACCOUNTS if a.role == Role.ENTERPRISE_HR), None)
    student_user = next((users.get(a.username) for a in DEMO_ACCOUNTS if a.role == Role.STUDENT), None)
    services.forget_index()
    invitations: dict[tuple[int, int], Invitation] = {}

    def invite(position: Position, student: Student, score: float | None, by) -> None:
        if (position.pk, student.pk) in invitations:
            return
        sent = at(ctx.as_of - dt.timedelta(days=rng.randint(1, 7)), rng.randint(9, 17), rng.randint(0, 59))
        invitations[(position.pk, student.pk)] = Invitation(
            position=position,
            student=student,
            invited_by=by,
            message=rng.choice(MESSAGES),
            score=score,
            created_at=sent,
            updated_at=sent,
        )

    if hr is not None and hr.enterprise_id:
        own = Position.objects.filter(
            enterprise_id=hr.enterprise_id, status=PositionStatus.PUBLISHED, valid_until__gte=ctx.as_of
        ).order_by("pk")
        for position in own:
            found = selectors.recommend_students(hr, position, k=10, on=ctx.as_of) or []
            for candidate in [c for c in found if c.application is None][:2]:
                invite(position, candidate.student, candidate.match.score, hr)
    if student_user is not None:
        student = Student.objects.filter(user=student_user).first()
        if student is not None:
            found = selectors.recommend_positions(student, k=10, on=ctx.as_of)
            for result in [r for r in found if r.application is None][:3]:
                invite(result.position, student, result.match.score, None)
    services.forget_index()
    ctx.bulk_create(
        Invitation, list(invitations.values()), desc="投递邀请", keep_timestamps=("created_at", "updated_at")
    )
