"""School-enterprise cooperation in the demo city, as of ``ctx.as_of``: practice bases and their
bookings, agreements (订单班, 学徒制, 预备员工制) with their students, apprenticeship subsidy rates
and claims, and this school year's internships with weekly logs, check-ins, leave and subsidies.

What the demo accounts meet: ``demo-student`` is interning at the demo enterprise under
``demo-mentor`` (school mentor ``demo-teacher``), with last week's log waiting for the
countersignature and an order-class place to confirm; ``demo-school`` has a proposed apprenticeship
waiting for ``demo-enterprise``; ``demo-hrss`` (市人社局) reviews apprenticeship subsidy claims. The
figures leave some schools short of the policy (T13 bases, T16 local share) so that the compliance
pages have something to show."""

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import (
    APPRENTICESHIP_KINDS,
    AgreementKind,
    AgreementStatus,
    BaseKind,
    BookingStatus,
    ClaimStatus,
    LogStatus,
    MemberStatus,
    PlacementStatus,
    RuleKey,
)
from xiaoqitong.cooperation.models import (
    Agreement,
    AgreementMember,
    BaseBooking,
    CheckIn,
    InternshipLog,
    InternshipPlan,
    InternshipSubsidy,
    LeaveRequest,
    Placement,
    PracticeBase,
    SubsidyClaim,
    SubsidyClaimLine,
    SubsidyRate,
)
from xiaoqitong.cooperation.selectors import subsidies as subsidy_selectors
from xiaoqitong.cooperation.services.internships import add_months, t16_flag
from xiaoqitong.cooperation.services.internships import in_city as placement_in_city
from xiaoqitong.cooperation.services.subsidies import line_amount
from xiaoqitong.orgs.choices import EnterpriseSize, Role
from xiaoqitong.orgs.models import Department, Enterprise, User
from xiaoqitong.orgs.validators import make_credit_code
from xiaoqitong.reference.models import Industry, Region
from xiaoqitong.schools.choices import StudentStatus

from ..context import Context, graduation_day
from .supply_demand import at, in_city

LOG_TEXTS = (
    "跟随师傅熟悉生产线工艺流程，完成设备日常点检 {n} 次，学习了安全操作规程。",
    "参与产品装配与调试，独立完成 {n} 个工位的作业，记录了常见故障及处理方法。",
    "在质检岗位实习，学习使用量具检测零件尺寸，本周检测 {n} 批次，合格率有所提高。",
    "协助技术员编写作业指导书，整理了 {n} 份工艺文件，对标准化作业有了更深理解。",
)
MENTOR_COMMENTS = ("表现认真，继续保持。", "操作规范，进步明显。", "注意总结问题，下周加强练习。", "")
PURPOSES = ("数控加工实训", "电工技能实训", "企业新员工培训", "技能抽测考前集训", "社会培训班实操")


def _local_enterprises(ctx: Context) -> list:
    return [e for e in ctx.enterprises if e.registered_in_city and in_city(ctx, e.county)]


def _short(name: str) -> str:
    """An enterprise's name without its legal form, for titles (…机械设备股份有限公司 → …机械设备)."""
    for suffix in ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _users(ctx: Context) -> dict[str, User]:
    return {u.username: u for u in ctx.accounts}


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- practice bases ---------------------------------------------------------------------------------------
def make_bases(ctx: Context) -> None:
    """Each school: one to three 产教融合实习基地 with local enterprises (about a third of schools
    still short of T13's two), sometimes a 实习实训基地 or 生产性实训基地; a 县域共享性实训基地 in most
    counties with a school (some still without one, T14); one 市级共享性智能实训基地. Shared bases have
    bookings in the coming weeks."""
    rng = ctx.rng
    local = _local_enterprises(ctx) or list(ctx.enterprises)
    bases: list[PracticeBase] = []
    seq = 0

    def add(kind, school, enterprise, county, name, capacity, shared=False):
        nonlocal seq
        seq += 1
        bases.append(
            PracticeBase(
                code=f"JD{ctx.as_of.year % 100:02d}{seq:05d}",
                name=name,
                kind=kind,
                owner_school=school,
                owner_enterprise=enterprise,
                county=county,
                capacity=capacity,
                shared=shared,
                established=dt.date(
                    rng.randint(ctx.as_of.year - 8, ctx.as_of.year - 1), rng.randint(1, 12), 1
                ),
            )
        )

    for school in ctx.schools:
        for _ in range(rng.choice((1, 2, 2, 3))):
            enterprise = rng.choice(local)
            add(
                BaseKind.INTEGRATION,
                school,
                enterprise,
                enterprise.county,
                f"{school.name}—{enterprise.name}产教融合实习基地",
                rng.choice((30, 40, 60, 80)),
            )
        if rng.random() < 0.5:
            kind = rng.choice((BaseKind.TRAINING, BaseKind.FACTORY, BaseKind.LABOUR, BaseKind.INNOVATION))
            add(
                kind,
                school,
                None,
                school.county,
                f"{school.name}{BaseKind(kind).label}",
                rng.choice((50, 100)),
            )
    by_county = defaultdict(list)
    for school in ctx.schools:
        by_county[school.county_id].append(school)
    for county in ctx.counties:
        schools = by_county.get(county.pk)
        if schools and rng.random() < 0.75:
            add(
                BaseKind.COUNTY_SHARED,
                schools[0],
                None,
                county,
                f"{county.name}县域共享性职业技能实习实训基地",
                rng.choice((80, 120, 150)),
                shared=True,
            )
    if ctx.schools:
        host = next((s for s in ctx.schools if s.school_type == "associate"), ctx.schools[0])
        add(
            BaseKind.CITY_SHARED,
            host,
            None,
            host.county,
            "市级共享性大型智能（仿真）实习实训基地",
            300,
            shared=True,
        )
    ctx.bulk_create(PracticeBase, bases, desc="实习实训基地")
    ctx.objects["bases"] = bases
    majors_of_school = defaultdict(set)
    for programme in ctx.objects.get("programmes", []):
        majors_of_school[programme.school.pk].add(programme.major.pk)
    served = PracticeBase.majors.through
    links = []
    for base in bases:
        own = sorted(majors_of_school.get(base.owner_school_id, ()))
        for major_id in rng.sample(own, k=min(len(own), rng.randint(1, 4))):
            links.append(served(practicebase_id=base.pk, major_id=major_id))
    ctx.bulk_create(served, links, desc="基地服务专业")

    bookings: list[BaseBooking] = []
    shared = [b for b in bases if b.shared]
    for base in shared:
        for _ in range(rng.randint(2, 6)):
            day = ctx.as_of + dt.timedelta(days=rng.randint(1, 28))
            start = at(day, rng.choice((8, 9, 14)))
            booker = rng.choice(ctx.schools)
            bookings.append(
                BaseBooking(
                    base=base,
                    school=booker,
                    start=start,
                    end=start + dt.timedelta(hours=rng.choice((2, 3, 4))),
                    headcount=rng.randint(5, max(6, base.capacity // 3)),
                    purpose=rng.choice(PURPOSES),
                    status=BookingStatus.CONFIRMED,
                )
            )
    ctx.bulk_create(BaseBooking, bookings, desc="基地预约")


# --- agreements -------------------------------------------------------------------------------------------
def make_agreements(ctx: Context) -> None:
    """One or two agreements for about half of each school's programmes, with a local enterprise of the
    programme's chain, for a cohort now at school; 70-100 % of the planned places confirmed. The demo school
    also has an order class proposed to the demo enterprise (waiting for its approval) and the demo student
    an invitation to confirm."""
    rng = ctx.rng
    rows = [
        r
        for r in ctx.objects.get("students", [])
        if not r.graduated and r.student.status != StudentStatus.DROPPED
    ]
    local = _local_enterprises(ctx) or list(ctx.enterprises)
    by_cohort = defaultdict(list)  # (school major pk, grade) -> students
    for r in rows:
        by_cohort[(r.student.school_major_id, r.student.grade)].append(r.student)
    anchor_school = ctx.anchors.get("school")
    anchor_enterprise = next(
        (e for e in ctx.enterprises if e.credit_code == ctx.anchors.get("enterprise")), None
    )
    demo = ctx.objects.get("demo_student")
    demo_student = demo.student if demo else None
    agreements: list[Agreement] = []
    members: list[tuple[int, object, str]] = []  # (agreement index, student, status)
    taken: set[int] = set()
    keys = sorted(by_cohort, key=lambda k: (k[0], k[1]))
    for key in keys:
        students = [s for s in by_cohort[key] if s is not demo_student]
        if len(students) < 8 or rng.random() < 0.5:
            continue
        school_major = students[0].school_major
        kind = rng.choice(list(AgreementKind))
        enterprise = rng.choice(local)
        entry = key[1]
        years = max(
            2, (students[0].expected_graduation.year - entry) if students[0].expected_graduation else 3
        )
        start = dt.date(entry, 9, 1)
        planned = max(5, min(45, round(len(students) * rng.uniform(0.3, 0.8))))
        agreements.append(
            Agreement(
                kind=kind,
                title=f"{_short(enterprise.name)}{school_major.major.name}{AgreementKind(kind).label}（{entry}级）",
                school_id=school_major.school_id,
                enterprise=enterprise,
                school_major=school_major,
                cohort=entry,
                planned_headcount=planned,
                start_date=start,
                end_date=graduation_day(entry + years - 1),
                training_plan="校企共同制定人才培养方案：第一学年校内学习专业基础，第二学年起每学期安排企业岗位轮训，"
                "最后一学年到企业跟岗、顶岗实习，企业师傅与学校教师共同授课和考核。",
                cost_sharing="企业承担企业课程、师傅带教费用及学徒期间的劳动报酬；学校承担校内教学成本。",
                confirm_deadline=start + dt.timedelta(days=45),
                status=AgreementStatus.ACTIVE,
                school_approved_at=at(start - dt.timedelta(days=30)),
                enterprise_approved_at=at(start - dt.timedelta(days=28)),
            )
        )
        index = len(agreements) - 1
        chosen = [s for s in students if s.pk not in taken][: round(planned * rng.uniform(0.7, 1.0))]
        for student in chosen:
            taken.add(student.pk)
            members.append((index, student, MemberStatus.CONFIRMED))
    # The demo school: a proposed order class for the demo enterprise, and an invitation for the demo student.
    if demo_student is not None and anchor_enterprise is not None:
        sm = demo_student.school_major
        start = dt.date(ctx.current_year, 9, 1)
        agreements.append(
            Agreement(
                kind=AgreementKind.ORDER_CLASS,
                title=f"{_short(anchor_enterprise.name)}{sm.major.name}订单班（{demo_student.grade}级）",
                school_id=sm.school_id,
                enterprise=anchor_enterprise,
                school_major=sm,
                cohort=demo_student.grade,
                planned_headcount=20,
                start_date=start,
                end_date=graduation_day(ctx.current_year),
                training_plan="订单班：企业参与课程设置，开设企业定制课程，毕业后优先录用。",
                cost_sharing="企业设立订单班奖学金，承担企业课程费用。",
                confirm_deadline=ctx.as_of + dt.timedelta(days=14),
                status=AgreementStatus.ACTIVE,
                school_approved_at=at(ctx.as_of - dt.timedelta(days=10)),
                enterprise_approved_at=at(ctx.as_of - dt.timedelta(days=8)),
            )
        )
        members.append((len(agreements) - 1, demo_student, MemberStatus.INVITED))
        others = [
            s
            for s in by_cohort.get((sm.pk, demo_student.grade), [])
            if s.pk not in taken and s is not demo_student
        ]
        for student in others[:6]:
            taken.add(student.pk)
            members.append((len(agreements) - 1, student, MemberStatus.CONFIRMED))
        agreements.append(
            Agreement(
                kind=AgreementKind.MODERN_APPRENTICESHIP,
                title=f"{_short(anchor_enterprise.name)}现代学徒制试点班（{ctx.current_year}级）",
                school_id=sm.school_id,
                enterprise=anchor_enterprise,
                school_major=sm,
                cohort=ctx.current_year,
                planned_headcount=25,
                start_date=dt.date(ctx.current_year + 1, 3, 1),
                end_date=graduation_day(ctx.current_year + 2),
                training_plan="现代学徒制：招生即招工，企业师傅一对二带徒，工学交替。",
                cost_sharing="企业承担学徒工资与师傅津贴，学校承担理论课程。",
                confirm_deadline=dt.date(ctx.current_year + 1, 2, 15),
                status=AgreementStatus.PROPOSED,
                school_approved_at=at(ctx.as_of - dt.timedelta(days=2)),
            )
        )
    users = _users(ctx)
    school_admin = users.get("demo-school")
    hr = users.get("demo-enterprise")
    for agreement in agreements:
        if agreement.school.code == anchor_school and agreement.school_approved_at:
            agreement.school_approved_by = school_admin
        own = anchor_enterprise is not None and agreement.enterprise_id == anchor_enterprise.pk
        if own and agreement.enterprise_approved_at:
            agreement.enterprise_approved_by = hr
    ctx.bulk_create(Agreement, agreements, desc="校企合作协议")
    ctx.bulk_create(
        AgreementMember,
        [
            AgreementMember(
                agreement=agreements[i],
                student=student,
                status=status,
                responded_at=at(agreements[i].start_date + dt.timedelta(days=rng.randint(3, 30)))
                if status == MemberStatus.CONFIRMED
                else None,
            )
            for i, student, status in members
        ],
        desc="协议学生",
    )
    ctx.objects["agreements"] = agreements


# --- apprenticeship subsidies -----------------------------------------------------------------------------
def make_subsidies(ctx: Context) -> None:
    """Rates for last year and this year (above T17's 5,000 元 minimum, reviewed by 市人社局) and last year's
    claims of the apprenticeship agreements, in every state of the review (a year is claimed once its months
    are over). Lines are computed as the claim service computes them (whole months, rate x months / 12)."""
    rng = ctx.rng
    department = Department.objects.filter(code="CZ-RSJ").first() or Department.objects.order_by("pk").first()
    if department is None:
        return
    last, this = ctx.as_of.year - 1, ctx.as_of.year
    minimum = rules.value(RuleKey.APPRENTICE_SUBSIDY_MIN)  # T17; the demo pays 企业新型学徒制 a little more
    amounts = {
        AgreementKind.MODERN_APPRENTICESHIP: minimum,
        AgreementKind.ENTERPRISE_APPRENTICESHIP: minimum + 1000,
    }
    rates = {
        (year, kind): SubsidyRate(
            year=year,
            kind=kind,
            amount=amount,
            reviewing_department=department,
            source=rules.rule(RuleKey.APPRENTICE_SUBSIDY_MIN).source,
        )
        for year in (last, this)
        for kind, amount in amounts.items()
    }
    ctx.bulk_create(SubsidyRate, list(rates.values()), desc="学徒补贴标准")
    reviewer = _users(ctx).get("demo-hrss")
    claims, lines = [], []
    for agreement in ctx.objects.get("agreements", []):
        if agreement.kind not in APPRENTICESHIP_KINDS or agreement.status != AgreementStatus.ACTIVE:
            continue
        rate = rates[(last, agreement.kind)]
        spans = subsidy_selectors.apprentice_spans(agreement, last, on=ctx.as_of)
        if not spans:
            continue
        rows = [(span.student.pk, span.months, line_amount(rate.amount, span.months)) for span in spans]
        status = rng.choice(
            (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)
        )
        submitted = min(
            at(dt.date(this, 1, 1) + dt.timedelta(days=rng.randint(5, 60))),
            at(ctx.as_of - dt.timedelta(days=1)),
        )
        claim = SubsidyClaim(
            agreement=agreement,
            year=last,
            rate=rate,
            apprentices=len(rows),
            amount=sum((amount for _s, _m, amount in rows), Decimal("0")),
            status=status,
            submitted_at=submitted if status != ClaimStatus.DRAFT else None,
        )
        if status in (ClaimStatus.APPROVED, ClaimStatus.PAID):
            claim.reviewed_by = reviewer
            claim.reviewed_at = submitted + dt.timedelta(days=rng.randint(5, 20))
            claim.approved_amount = claim.amount
            claim.review_note = "材料齐全，学徒名册与劳动合同核对无误。"
        if status == ClaimStatus.PAID:
            claim.paid_at = min(
                (claim.reviewed_at + dt.timedelta(days=rng.randint(10, 30))).date(), ctx.as_of
            )
            claim.payment_ref = f"CZRS{last}{len(claims) + 1:05d}"
        claims.append(claim)
        lines.append(rows)
    ctx.bulk_create(SubsidyClaim, claims, desc="学徒补贴申请")
    ctx.bulk_create(
        SubsidyClaimLine,
        [
            SubsidyClaimLine(claim=claim, student_id=student_id, months=months, amount=amount)
            for claim, rows in zip(claims, lines, strict=True)
            for student_id, months, amount in rows
        ],
        desc="补贴明细",
    )


# --- internships ------------------------------------------------------------------------------------------
# Host enterprises outside the city where interns also go: the Greater Bay Area (深圳, 东莞), whose
# employers the policy's 大湾区 promotions court (the generated enterprises all lie in the city). Their rows
# are recorded under Enterprise, so --reset deletes them with the enterprises step's.
BAY_AREA_HOSTS = (
    ("440306", "深圳宝安精密电子制造有限公司", "C3982"),
    ("440305", "深圳南山智能装备科技有限公司", "C3491"),
    ("440307", "深圳龙岗新能源电池有限公司", "C3841"),
    ("441900", "东莞松山湖电子科技有限公司", "C3971"),
)


def _bay_area_hosts(ctx: Context) -> list[Enterprise]:
    regions = {r.code: r for r in Region.objects.filter(code__in=[h[0] for h in BAY_AREA_HOSTS])}
    industries = {i.code: i for i in Industry.objects.filter(code__in=[h[2] for h in BAY_AREA_HOSTS])}
    taken = set(Enterprise.objects.values_list("credit_code", flat=True))
    hosts = []
    for n, (county, name, industry) in enumerate(BAY_AREA_HOSTS):
        code = make_credit_code(county, 77_000_000 + n)
        if county in regions and industry in industries and code not in taken:
            hosts.append(
                Enterprise(
                    credit_code=code,
                    name=name,
                    size=EnterpriseSize.LARGE,
                    industry=industries[industry],
                    county=regions[county],
                    registered_in_city=False,
                    employees=ctx.rng.randint(1200, 5000),
                )
            )
    ctx.bulk_create(Enterprise, hosts, desc="市外实习单位")
    return hosts


def make_internships(ctx: Context) -> None:
    """This school year's internships of final-year students who are interning: one plan per programme and
    cohort, running from some weeks before ``as_of`` to the end of the school year; placements mostly in local
    enterprises (a few schools under T16's 60 %); weekly logs up to last week (the last one waiting for the
    countersignature), check-ins on the last ten working days, some leave and monthly subsidies. The demo
    student interns at the demo enterprise under the demo mentor and the demo teacher."""
    rng = ctx.rng
    rows = [
        r
        for r in ctx.objects.get("students", [])
        if r.final_year and r.student.status == StudentStatus.INTERNING
    ]
    local = _local_enterprises(ctx) or list(ctx.enterprises)
    outside = _bay_area_hosts(ctx) or local
    # Plans are made to pass T16 (the service refuses the others); placements then fall short in some schools.
    rule_share = float(rules.value(RuleKey.LOCAL_INTERN_SHARE))
    users = _users(ctx)
    mentor, teacher = users.get("demo-mentor"), users.get("demo-teacher")
    anchor_enterprise = next(
        (e for e in ctx.enterprises if e.credit_code == ctx.anchors.get("enterprise")), None
    )
    demo = ctx.objects.get("demo_student")
    demo_student = demo.student if demo else None
    teachers_by_school = defaultdict(list)
    for user in User.objects.filter(role=Role.TEACHER, school__in=[s.pk for s in ctx.schools]).only(
        "pk", "school_id"
    ):
        teachers_by_school[user.school_id].append(user)
    mentors_by_enterprise = defaultdict(list)
    for user in User.objects.filter(role=Role.ENTERPRISE_MENTOR).only("pk", "enterprise_id"):
        mentors_by_enterprise[user.enterprise_id].append(user)
    by_plan = defaultdict(list)
    for r in rows:
        by_plan[(r.student.school_major_id, r.student.grade)].append(r.student)
    low_share_schools = {s.pk for s in ctx.schools if rng.random() < 0.2}
    period_start = max(
        _month_start(ctx.as_of - dt.timedelta(days=rng.randint(40, 80))), dt.date(ctx.current_year, 9, 1)
    )
    period_end = graduation_day(ctx.current_year)
    plans, placements = [], []
    for key in sorted(by_plan):
        students = by_plan[key]
        sm = students[0].school_major
        school_id = sm.school_id
        low = school_id in low_share_schools
        lo, hi = (rule_share - 0.15, rule_share - 0.02) if low else (rule_share + 0.05, 0.95)
        share = rng.uniform(lo, hi)
        planned = len(students)
        plans.append(
            InternshipPlan(
                school_id=school_id,
                school_major=sm,
                cohort=key[1],
                title=f"{sm.major.name}{key[1]}级岗位实习（{ctx.current_year}-{ctx.current_year + 1}学年）",
                period_start=period_start,
                period_end=period_end,
                planned_interns=planned,
                planned_local=max(math.ceil(planned * rule_share), round(planned * share)),
            )
        )
        plan = plans[-1]
        for student in students:
            is_demo = student is demo_student
            if is_demo and anchor_enterprise is not None:
                enterprise = anchor_enterprise
            else:
                enterprise = rng.choice(local) if rng.random() < share else rng.choice(outside)
            start = period_start + dt.timedelta(days=rng.randint(0, 14))
            school_mentor = (
                teacher
                if is_demo
                else (rng.choice(teachers_by_school[school_id]) if teachers_by_school[school_id] else None)
            )
            enterprise_mentor = (
                mentor
                if is_demo
                else (
                    rng.choice(mentors_by_enterprise[enterprise.pk])
                    if mentors_by_enterprise[enterprise.pk]
                    else None
                )
            )
            placements.append(
                Placement(
                    plan=plan,
                    student=student,
                    enterprise=enterprise,
                    school_mentor=school_mentor,
                    enterprise_mentor=enterprise_mentor,
                    start_date=start,
                    end_date=period_end,
                    in_city=placement_in_city(enterprise),
                    status=PlacementStatus.ACTIVE if start <= ctx.as_of else PlacementStatus.PLANNED,
                )
            )
    ctx.bulk_create(InternshipPlan, plans, desc="实习计划")
    # T16 flags as the placement service writes them: on the out-of-city placements of plans under the share.
    by_plan_placements = defaultdict(list)
    for p in placements:
        by_plan_placements[id(p.plan)].append(p)
    for group in by_plan_placements.values():
        flag = t16_flag(group[0].plan, len(group), sum(p.in_city for p in group))
        for p in group:
            if flag and not p.in_city:
                p.flags = [flag]
    ctx.bulk_create(Placement, placements, desc="实习安排")

    logs, check_ins, leaves, subsidies = [], [], [], []
    last_monday = ctx.as_of - dt.timedelta(days=ctx.as_of.weekday() + 7)
    for p in placements:
        if p.status != PlacementStatus.ACTIVE:
            continue
        week = p.start_date - dt.timedelta(days=p.start_date.weekday())
        while week <= last_monday:
            last = week == last_monday
            submitted = at(week + dt.timedelta(days=4), 18)
            log = InternshipLog(
                placement=p,
                week_start=week,
                content=rng.choice(LOG_TEXTS).format(n=rng.randint(3, 12)),
                hours=rng.choice((32, 36, 40, 40, 44)),
                status=LogStatus.SUBMITTED if last else LogStatus.COUNTERSIGNED,
                submitted_at=submitted,
            )
            if not last and p.enterprise_mentor_id:
                log.countersigned_by = p.enterprise_mentor
                log.countersigned_at = submitted + dt.timedelta(days=rng.randint(1, 3))
                log.mentor_comment = rng.choice(MENTOR_COMMENTS)
            elif not last:
                log.status = LogStatus.SUBMITTED
            logs.append(log)
            week += dt.timedelta(days=7)
        for back in range(1, 15):
            day = ctx.as_of - dt.timedelta(days=back)
            if day.weekday() < 5 and day >= p.start_date and rng.random() < 0.95:
                check_ins.append(
                    CheckIn(
                        placement=p,
                        date=day,
                        time=at(day, 8, rng.randint(0, 29)),
                        location=p.enterprise.address[:200],
                    )
                )
        month = _month_start(p.start_date)
        while add_months(month, 1) <= ctx.as_of:
            subsidies.append(
                InternshipSubsidy(
                    placement=p,
                    month=month,
                    amount=Decimal(rng.choice((1800, 2000, 2200, 2500))),
                    paid_on=add_months(month, 1) + dt.timedelta(days=9),
                )
            )
            month = add_months(month, 1)
    active = [p for p in placements if p.status == PlacementStatus.ACTIVE]
    for p in rng.sample(active, k=min(20, len(active))):
        day = ctx.as_of + dt.timedelta(days=rng.randint(2, 20))
        end = day + dt.timedelta(days=rng.randint(0, 2))
        leaves.append(
            LeaveRequest(placement=p, start_date=day, end_date=end, reason="家中有事，需回家处理。")
        )
    ctx.bulk_create(InternshipLog, logs, desc="实习周志")
    ctx.bulk_create(CheckIn, check_ins, desc="实习签到")
    ctx.bulk_create(LeaveRequest, leaves, desc="实习请假")
    ctx.bulk_create(InternshipSubsidy, subsidies, desc="实习补贴")
