"""Events in the demo city, as of ``ctx.as_of`` (T7-T9, 三（四）): last year's and this year's 供需见面会,
大湾区推介会 and 产教对话 with booths, delegations, students, check-ins, 1:1 slots, intentions (signed job
intentions are applications), survey answers and, for the dialogues, minutes and commitments followed up.

Last year met every target; this year one fair and the dialogue are held, the second fair is ahead (in twelve
days, organized by 市教育局 so that ``demo-gov`` runs it: booths approved with their slots, two booths
waiting for approval, ``demo-student``'s school delegation and classmates registered; ``demo-student`` is
registered and books a slot, ``demo-enterprise`` is not registered yet) and no 大湾区推介会 is held yet, so
T8 shows 未达标. Some commitments of this year's dialogue are overdue. From the spring fair,
``demo-enterprise``'s job intention waits for ``demo-student``'s signature and its cooperation intention for
``demo-school``'s."""

import base64
import datetime as dt
from collections import defaultdict

from django.utils import timezone

from xiaoqitong.enterprises.choices import ApplicationStatus, PositionStatus
from xiaoqitong.enterprises.models import Application, ApplicationEvent, Position
from xiaoqitong.events.choices import (
    CommitmentStatus,
    EventStatus,
    IntentionKind,
    IntentionStatus,
    ParticipantKind,
    RegistrationStatus,
)
from xiaoqitong.events.models import (
    Commitment,
    CommitmentUpdate,
    Event,
    EventType,
    Intention,
    Registration,
    Slot,
    SurveyResponse,
)
from xiaoqitong.orgs.models import Department
from xiaoqitong.schools.models import SchoolMajor

from ..context import Context
from .quality import AT_SCHOOL, _accounts
from .supply_demand import EDUCATION_OF_LEVEL, RANK, in_city

VENUES = ("郴州国际会展中心", "郴州市人力资源市场", "郴州职业技术学院体育馆", "郴州高新区企业服务中心")
GBA_VENUES = ("深圳会展中心", "广州琶洲国际会议中心", "东莞市人才大厦")
DIALOGUE_VENUES = ("郴州高新区管委会会议室", "郴州经开区企业服务中心", "湖南有色金属职业技术学院报告厅")
COMMITMENTS = (
    "共建{major}专业产教融合实训基地",
    "开设{major}订单班一个，招收学生 40 人",
    "选派 5 名技术骨干到学校担任兼职教师",
    "接收{major}专业教师到企业实践锻炼",
    "联合申报市级现代学徒制试点项目",
    "共同开发{major}活页式教材一部",
    "为园区企业开展员工技能提升培训 300 人次",
    "建立校企人才供需季度通报机制",
)
UPDATES = ("已召开对接会，明确分工。", "方案已报送主管部门。", "已完成首批任务。", "因企业产线调整暂缓推进。")
SLOT_HOURS = (9, 12)  # the morning's 1:1 slots


def _code(rng) -> str:
    """A check-in code like ``secrets.token_urlsafe(16)``, but from the step's seeded generator."""
    return base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).decode().rstrip("=")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _in_year(rng, year: int, months: tuple[int, int], before: dt.date | None = None) -> dt.date:
    day = dt.date(year, rng.randint(*months), rng.randint(3, 26))
    if before is not None and day >= before:
        day = before - dt.timedelta(days=rng.randint(15, 40))
    return day


def make_events(ctx: Context) -> None:
    """The events, their registrations, slots, intentions, survey answers and commitments (module doc)."""
    rng = ctx.rng
    accounts = _accounts(ctx)
    as_of, year = ctx.as_of, ctx.as_of.year
    types = {t.code: t for t in EventType.objects.all()}
    departments = {d.code: d for d in Department.objects.filter(code__in=("CZ-JYJ", "CZ-GXJ", "CZ-RSJ"))}
    if not {"fair", "gba", "dialogue"} <= set(types) or len(departments) < 3:
        return
    demo_school = next((s for s in ctx.schools if s.code == ctx.anchors.get("school")), None)
    demo_enterprise_code = ctx.anchors.get("enterprise")
    local = [
        e
        for e in ctx.enterprises
        if e.registered_in_city and in_city(ctx, e.county) and e.credit_code != demo_enterprise_code
    ]
    published = defaultdict(list)
    for position in Position.objects.filter(
        enterprise__in=[e.pk for e in local], status=PositionStatus.PUBLISHED
    ).order_by("pk"):
        published[position.enterprise_id].append(position)
    hiring = [e for e in local if published.get(e.pk)]
    students = [r.student for r in ctx.objects.get("students", []) if r.student.status in AT_SCHOOL]
    # who may sign a job intention: final-year students, with the rank of their education (supply_demand)
    final_rank = {
        r.student.pk: RANK[EDUCATION_OF_LEVEL[r.level]]
        for r in ctx.objects.get("students", [])
        if r.final_year and r.student.status in AT_SCHOOL
    }
    season_start = dt.date(ctx.next_graduation - 1, 2, 15)  # this hiring season (as the applications step)
    final_year = [
        r.student for r in ctx.objects.get("students", []) if r.final_year and r.student.status in AT_SCHOOL
    ]
    majors_of = defaultdict(list)
    for sm in SchoolMajor.objects.filter(year=ctx.current_year).order_by("pk"):
        majors_of[sm.school_id].append(sm)
    applied = set(Application.objects.values_list("student_id", "position_id"))
    demo_student_record = getattr(ctx.objects.get("demo_student"), "student", None)

    events, registrations, positions_of, majors_rel = [], [], [], []
    slots, intentions, applications, surveys, commitments, updates = [], [], [], [], [], []

    def event(kind, title, day, organizer, venue, *, capacity=None, booths=None, hours=(9, 16)):
        e = Event(
            type=types[kind],
            title=title,
            organizer=departments[organizer],
            venue=venue,
            starts_at=_at(day, hours[0]),
            ends_at=_at(day, hours[1]),
            registration_opens_at=_at(day - dt.timedelta(days=30), 8),
            registration_closes_at=_at(day - dt.timedelta(days=1), 18),
            capacity=capacity,
            booths=booths,
            status=EventStatus.PUBLISHED,
            description=f"{title}。请参会单位按时报名，现场凭签到码入场。",
        )
        events.append(e)
        return e

    def register(e, kind, *, enterprise=None, school=None, student=None, status=RegistrationStatus.APPROVED):
        held = e.ends_at.date() < as_of
        r = Registration(
            event=e,
            kind=kind,
            enterprise=enterprise,
            school=school,
            student=student,
            status=status,
            delegation_size=rng.randint(2, 6) if kind == ParticipantKind.SCHOOL else 1,
            checkin_code=_code(rng),
        )
        if status == RegistrationStatus.APPROVED:
            r.decided_at = e.registration_closes_at if kind == ParticipantKind.ENTERPRISE else None
            if held and rng.random() < 0.85:
                r.checked_in_at = e.starts_at + dt.timedelta(minutes=rng.randint(-30, 90))
        registrations.append(r)
        return r

    def populate(e, n_booths, n_schools, n_students, *, upcoming=False):
        """Booths (with positions), delegations (with majors) and students; slots for the booths."""
        booths = []
        for i, enterprise in enumerate(rng.sample(hiring, min(n_booths, len(hiring)))):
            pending = upcoming and i >= n_booths - 2
            r = register(
                e,
                ParticipantKind.ENTERPRISE,
                enterprise=enterprise,
                status=RegistrationStatus.PENDING if pending else RegistrationStatus.APPROVED,
            )
            if not pending:
                r.booth_no = f"A{len(booths) + 1:02d}"
                booths.append(r)
            valid = [p for p in published[enterprise.pk] if p.valid_until >= e.starts_at.date()]
            brought = (valid or published[enterprise.pk])[: rng.randint(1, 3)]
            positions_of.append((r, brought))
        schools = [s for s in ctx.schools if majors_of.get(s.pk)]
        chosen = rng.sample(schools, min(n_schools, len(schools)))
        if upcoming and demo_school is not None and demo_school not in chosen:
            chosen[0] = demo_school
        delegations = []
        for school in chosen:
            r = register(e, ParticipantKind.SCHOOL, school=school)
            majors_rel.append((r, rng.sample(majors_of[school.pk], min(3, len(majors_of[school.pk])))))
            delegations.append(r)
        pool = final_year if len(final_year) >= n_students else students
        picked = rng.sample(pool, min(n_students, len(pool)))
        if upcoming and demo_student_record is not None and demo_student_record not in picked:
            picked[0] = demo_student_record
        attendees = [register(e, ParticipantKind.STUDENT, student=s) for s in picked]
        day = e.starts_at.date()
        minutes = e.slot_minutes
        for booth in booths:
            start = _at(day, SLOT_HOURS[0])
            while start < _at(day, SLOT_HOURS[1]):
                slot = Slot(
                    event=e, booth=booth, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes)
                )
                slots.append(slot)
                start = slot.ends_at
        return booths, delegations, attendees

    def book(e, booths, bookers, share):
        """Book ``share`` of the booths' slots, each booker at most one slot an hour."""
        taken = defaultdict(set)
        own = [s for s in slots if s.event is e]
        for slot in own:
            if rng.random() > share or not bookers:
                continue
            booker = rng.choice(bookers)
            if booker.student is not None and booker.student == demo_student_record:
                continue  # demo-student books their own
            hour = slot.starts_at.hour
            if hour in taken[id(booker)]:
                continue
            taken[id(booker)].add(hour)
            slot.booked_by = booker
            slot.booked_at = e.registration_closes_at - dt.timedelta(days=rng.randint(1, 10))

    def outcomes(e, booths, delegations, attendees):
        """Job intentions at this hiring season's events (a final-year student and a position they qualify
        for; signed ones are applications, the others declined), cooperation intentions (declined: the
        waiting ones are the demo accounts', ``walk_through``), survey answers."""
        brought = {id(r): p for r, p in positions_of if r.event is e}
        in_season = e.starts_at.date() >= season_start
        seekers = [r for r in attendees if r.student.pk in final_rank]
        for booth in booths:
            positions = brought.get(id(booth), [])
            if not in_season or not positions or not seekers:
                continue
            for student_reg in rng.sample(seekers, min(rng.randint(1, 4), len(seekers))):
                rank = final_rank[student_reg.student.pk]
                fitting = [p for p in positions if RANK[p.min_education] <= rank]
                if not fitting:
                    continue
                position = rng.choice(fitting)
                pair = (student_reg.student.pk, position.pk)
                signed = pair not in applied and rng.random() < 0.7
                intention = Intention(
                    event=e,
                    kind=IntentionKind.JOB,
                    enterprise=booth.enterprise,
                    position=position,
                    student=student_reg.student,
                    note="现场洽谈，达成求职意向。",
                    status=IntentionStatus.SIGNED if signed else IntentionStatus.DECLINED,
                    signed_at=e.ends_at if signed else None,
                )
                application = None
                if signed:
                    applied.add(pair)
                    application = Application(
                        student=student_reg.student,
                        position=position,
                        status=ApplicationStatus.SUBMITTED,
                        note=f"{e.title}现场签约意向",
                        created_at=e.ends_at,
                        updated_at=e.ends_at,
                    )
                    applications.append(application)
                intentions.append((intention, application))
        for delegation in delegations:
            if not booths or rng.random() < 0.5:
                continue
            booth = rng.choice(booths)
            majors = [m for r, ms in majors_rel if r is delegation for m in ms]
            if not majors:
                continue
            intentions.append(
                (
                    Intention(
                        event=e,
                        kind=IntentionKind.COOPERATION,
                        enterprise=booth.enterprise,
                        school_major=rng.choice(majors),
                        agreement_kind=rng.choice(("order_class", "modern_apprenticeship")),
                        planned_students=rng.choice((20, 30, 40)),
                        note="双方有意开展订单培养或学徒制合作，会后细化方案。",
                        status=IntentionStatus.DECLINED,
                    ),
                    None,
                )
            )
        for r in [*booths, *delegations, *attendees]:
            if r.checked_in_at is not None and rng.random() < 0.6:
                surveys.append(
                    SurveyResponse(
                        event=e,
                        registration=r,
                        satisfaction=rng.choice((3, 4, 4, 5, 5)),
                        usefulness=rng.choice((2, 3, 4, 4, 5)),
                        would_return=rng.random() < 0.85,
                        comment=rng.choice(("", "", "希望增加一对一洽谈时段。", "岗位信息可提前发布。")),
                    )
                )

    def dialogue(e, schools, enterprises, *, this_year):
        e.minutes = (
            f"{e.title}于{e.starts_at:%Y年%m月%d日}举行。与会学校介绍了专业设置和人才培养情况，园区企业介绍了用工需求"
            "和技术岗位要求。双方就订单培养、现代学徒制、共建实训基地和教师企业实践达成共识，形成以下承诺事项。"
        )
        owners = [("school", s) for s in schools] + [("enterprise", x) for x in enterprises]
        owners.append(("department", departments["CZ-GXJ"]))
        for i in range(rng.randint(5, 8)):
            kind, owner = owners[i % len(owners)]
            majors = majors_of.get(owner.pk, []) if kind == "school" else []
            major = rng.choice(majors).major.name if majors else "机电一体化技术"
            due = e.starts_at.date() + dt.timedelta(days=rng.choice((30, 60, 90, 120)))
            if due < as_of:
                # this year's: one in three still in progress past its due date (overdue)
                status = CommitmentStatus.IN_PROGRESS if i % 3 == 0 else CommitmentStatus.DONE
                if not this_year:
                    status = CommitmentStatus.DONE if rng.random() < 0.85 else CommitmentStatus.DROPPED
            else:
                status = rng.choice((CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS))
            c = Commitment(
                event=e,
                content=rng.choice(COMMITMENTS).format(major=major),
                owner_school=owner if kind == "school" else None,
                owner_enterprise=owner if kind == "enterprise" else None,
                owner_department=owner if kind == "department" else None,
                owner_person=rng.choice(("张主任", "李校长", "王经理", "陈科长", "刘总监")),
                due_date=due,
                status=status,
                done_at=_at(min(due, as_of) - dt.timedelta(days=rng.randint(0, 20)), 16)
                if status == CommitmentStatus.DONE
                else None,
            )
            commitments.append(c)
            if status != CommitmentStatus.OPEN:
                updates.append((c, CommitmentStatus.IN_PROGRESS, rng.choice(UPDATES[:2])))
            if status in (CommitmentStatus.DONE, CommitmentStatus.DROPPED):
                note = UPDATES[2] if status == CommitmentStatus.DONE else UPDATES[3]
                updates.append((c, status, note))

    def walk_through(e):
        """What the demo accounts find waiting from this year's spring fair: ``demo-enterprise`` had a booth
        and proposed a job intention to ``demo-student`` (who signs it under 我的意向 and so applies) and a
        cooperation intention to ``demo-school`` (which signs it into an agreement draft)."""
        hr = accounts.get("demo-enterprise")
        enterprise = next((x for x in ctx.enterprises if x.credit_code == demo_enterprise_code), None)
        if hr is None or enterprise is None or demo_school is None or demo_student_record is None:
            return
        rank = final_rank.get(demo_student_record.pk)
        offered = [
            p
            for p in Position.objects.filter(enterprise=enterprise, status=PositionStatus.PUBLISHED).order_by(
                "pk"
            )
            if p.valid_until >= as_of and (demo_student_record.pk, p.pk) not in applied
        ]
        fitting = [p for p in offered if rank is not None and RANK[p.min_education] <= rank]
        ours = {(r.kind, r.school_id or r.student_id): r for r in registrations if r.event is e}
        booth = register(e, ParticipantKind.ENTERPRISE, enterprise=enterprise)
        booth.booth_no = "B01"
        positions_of.append((booth, offered[:3]))
        if (ParticipantKind.STUDENT, demo_student_record.pk) not in ours:
            register(e, ParticipantKind.STUDENT, student=demo_student_record)
        delegation = ours.get((ParticipantKind.SCHOOL, demo_school.pk)) or register(
            e, ParticipantKind.SCHOOL, school=demo_school
        )
        if delegation not in [r for r, _m in majors_rel]:
            majors_rel.append((delegation, majors_of.get(demo_school.pk, [])[:3]))
        if fitting:
            intentions.append(
                (
                    Intention(
                        event=e,
                        kind=IntentionKind.JOB,
                        enterprise=enterprise,
                        position=fitting[0],
                        student=demo_student_record,
                        note="展位面谈后企业有意录用，请学生确认后转为求职申请。",
                        status=IntentionStatus.PROPOSED,
                        proposed_by=hr,
                    ),
                    None,
                )
            )
        majors = [m for r, ms in majors_rel if r is delegation for m in ms]
        if majors:
            intentions.append(
                (
                    Intention(
                        event=e,
                        kind=IntentionKind.COOPERATION,
                        enterprise=enterprise,
                        school_major=majors[0],
                        agreement_kind="order_class",
                        planned_students=30,
                        note="企业拟与学校合作开办订单班，请学校确认后生成合作协议草稿。",
                        status=IntentionStatus.PROPOSED,
                        proposed_by=hr,
                    ),
                    None,
                )
            )

    # --- the calendar -------------------------------------------------------------------------------------
    last = year - 1
    held = []
    for title, kind, day, organizer, venue in (
        (
            f"{last}年春季郴州职业院校与本地企业供需见面会",
            "fair",
            _in_year(rng, last, (3, 4)),
            "CZ-GXJ",
            VENUES[0],
        ),
        (
            f"{last}年秋季郴州职业院校与本地企业供需见面会",
            "fair",
            _in_year(rng, last, (10, 11)),
            "CZ-RSJ",
            VENUES[1],
        ),
        (
            f"{last}年郴州职业院校面向大湾区企业推介会",
            "gba",
            _in_year(rng, last, (6, 7)),
            "CZ-GXJ",
            GBA_VENUES[0],
        ),
        (
            f"{last}年“校长进园区、厂长进学校”产教对话",
            "dialogue",
            _in_year(rng, last, (5, 6)),
            "CZ-JYJ",
            DIALOGUE_VENUES[0],
        ),
        (
            f"{year}年春季郴州职业院校与本地企业供需见面会",
            "fair",
            _in_year(rng, year, (3, 4), as_of),
            "CZ-RSJ",
            VENUES[0],
        ),
        (
            f"{year}年“校长进园区、厂长进学校”产教对话",
            "dialogue",
            _in_year(rng, year, (5, 6), as_of),
            "CZ-JYJ",
            DIALOGUE_VENUES[1],
        ),
    ):
        e = event(kind, title, day, organizer, venue, capacity=400 if kind == "fair" else None, booths=60)
        held.append(e)
    upcoming = event(
        "fair",
        f"{year}年冬季郴州职业院校与本地企业供需见面会",
        as_of + dt.timedelta(days=12),
        "CZ-JYJ",
        VENUES[2],
        capacity=300,
        booths=40,
    )

    for e in held:
        if e.type.code == "dialogue":
            schools = rng.sample(ctx.schools, min(4, len(ctx.schools)))
            firms = rng.sample(hiring, min(5, len(hiring)))
            for school in schools:
                register(e, ParticipantKind.SCHOOL, school=school)
            for firm in firms:
                r = register(e, ParticipantKind.ENTERPRISE, enterprise=firm)
                positions_of.append((r, []))
            dialogue(e, schools, firms, this_year=e.starts_at.year == year)
            continue
        booths, delegations, attendees = populate(
            e, 12 if e.type.code == "fair" else 8, 5, 40 if e.type.code == "fair" else 15
        )
        book(e, booths, [*delegations, *attendees], 0.5)
        outcomes(e, booths, delegations, attendees)
        if e.type.code == "fair" and e.starts_at.year == year:
            walk_through(e)
    booths, delegations, attendees = populate(upcoming, 10, 4, 30, upcoming=True)
    book(upcoming, booths, [*delegations, *attendees], 0.3)
    upcoming.created_by = accounts.get("demo-gov")

    # --- insert -------------------------------------------------------------------------------------------
    ctx.bulk_create(Event, events, desc="产教活动")
    ctx.bulk_create(Registration, registrations, desc="活动报名")
    ctx.insert_rows(
        Registration.positions.through,
        ("registration_id", "position_id"),
        [(r.pk, p.pk) for r, ps in positions_of for p in ps],
    )
    ctx.insert_rows(
        Registration.majors.through,
        ("registration_id", "schoolmajor_id"),
        [(r.pk, m.pk) for r, ms in majors_rel for m in ms],
    )
    ctx.bulk_create(Slot, slots, desc="洽谈时段")
    ctx.bulk_create(
        Application, applications, desc="现场意向转求职申请", keep_timestamps=("created_at", "updated_at")
    )
    ctx.bulk_create(
        ApplicationEvent,
        [
            ApplicationEvent(
                application=a,
                time=a.created_at,
                from_status="",
                to_status=ApplicationStatus.SUBMITTED,
                actor=a.student.user if a.student.user_id else None,
                note="供需见面会现场签约意向转为求职申请",
            )
            for a in applications
        ],
        desc="申请进展",
        keep_timestamps=("time",),
    )
    for intention, application in intentions:
        intention.application = application
    ctx.bulk_create(Intention, [i for i, _a in intentions], desc="签约意向")
    ctx.bulk_create(SurveyResponse, surveys, desc="活动问卷")
    ctx.bulk_create(Commitment, commitments, desc="承诺事项")
    ctx.bulk_create(
        CommitmentUpdate,
        [CommitmentUpdate(commitment=c, status=status, note=note) for c, status, note in updates],
        desc="承诺事项进展",
    )
