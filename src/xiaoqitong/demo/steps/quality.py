"""Training quality in the demo city, as of ``ctx.as_of``: dual-mentor assessment plans and grades,
certificates awarded (1+X around T3's 20 %, some schools short), exam centres and sessions, skills
competitions and awards, skill sampling test results, the shared teaching-resource library with ratings
and uses, social training (programmes, classes, rosters and reported person-times around T4 and T6) and
the teachers' records (training bases T22, 特岗 funding T19, technical-service income T23).

What the demo accounts meet: ``demo-teacher`` grades the theory part and ``demo-mentor`` the practice part of
this term's plan of ``demo-student``'s class (the student's own grades not given yet); last term's plan of the
same class shows ``demo-student`` a combined grade with its history; ``demo-school`` has training
programmes to import rosters into; ``demo-teacher`` has published a teaching resource that other schools
rate."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from xiaoqitong.orgs.choices import Role, SchoolType
from xiaoqitong.orgs.models import Department, User
from xiaoqitong.quality.choices import (
    CompetitionLevel,
    GradePart,
    GradeSource,
    PlanStatus,
    Prize,
    ResourceKind,
    ResourceUseKind,
    SkillTestKind,
    TrainingBaseLevel,
    TrainingKind,
)
from xiaoqitong.quality.models import (
    AssessmentPlan,
    CertificateAward,
    Competition,
    CompetitionAward,
    ExamCentre,
    ExamSession,
    Grade,
    GradeRevision,
    ResourceRating,
    ResourceUse,
    SkillTestResult,
    SpecialPostFunding,
    TeacherTrainingBase,
    TeachingResource,
    TechServiceIncome,
    TrainingParticipant,
    TrainingProgramme,
    TrainingSession,
)
from xiaoqitong.reference.choices import CertificateKind
from xiaoqitong.reference.models import Certificate
from xiaoqitong.schools.choices import StudentStatus
from xiaoqitong.schools.models import Teacher
from xiaoqitong.schools.validators import id_card_hash, make_id_card

from ..context import Context
from ..indexing import Indexer
from ..people import NameMaker, mobile
from .supply_demand import catalog, in_city

AT_SCHOOL = (StudentStatus.STUDYING, StudentStatus.INTERNING)
COURSES = ("专业核心技能实训", "岗位综合实操", "生产性实训项目", "职业技能鉴定强化")
TERMS = ("第一学期", "第二学期")
COMMENTS = ("基础扎实，操作规范。", "理论掌握较好，动手能力需加强。", "实操熟练，安全意识强。", "")


def _users_by(role: str, field: str) -> dict[int, list[User]]:
    by = defaultdict(list)
    for user in User.objects.filter(role=role).exclude(**{f"{field}_id": None}).order_by("pk"):
        by[getattr(user, f"{field}_id")].append(user)
    return by


def _accounts(ctx: Context) -> dict[str, User]:
    return {u.username: u for u in ctx.accounts}


def _term(ctx: Context, back: int = 0) -> str:
    """The school term ``back`` terms before the one ``as_of`` falls in (“2026-2027 学年第一学期”)."""
    autumn = ctx.as_of.month >= 9 or ctx.as_of.month == 1
    index = (ctx.current_year * 2 + (0 if autumn else 1)) - back
    year, half = divmod(index, 2)
    return f"{year}-{year + 1} 学年{TERMS[half]}"


def _at_school(ctx: Context) -> list:
    return [r for r in ctx.objects.get("students", []) if r.student.status in AT_SCHOOL]


# --- dual-mentor assessment -------------------------------------------------------------------------------
def make_assessment(ctx: Context) -> None:
    """Each school: plans for its two or three largest classes now at school, with a local enterprise that
    has a mentor account: last term's plan closed with both parts graded, this term's open with about
    half the grades given. The demo class (``demo-student``'s) gets both, with the demo teacher and mentor."""
    rng = ctx.rng
    teachers = _users_by(Role.TEACHER, "school")
    mentors = _users_by(Role.ENTERPRISE_MENTOR, "enterprise")
    enterprises = [e for e in ctx.enterprises if e.pk in mentors] or list(ctx.enterprises)
    accounts = _accounts(ctx)
    demo = ctx.objects.get("demo_student")
    demo_student = demo.student if demo else None
    anchor = next((e for e in ctx.enterprises if e.credit_code == ctx.anchors.get("enterprise")), None)

    classes: dict[tuple[int, int], list] = defaultdict(list)
    for row in _at_school(ctx):
        classes[(row.student.school_major_id, row.student.grade)].append(row.student)
    by_school: dict[int, list] = defaultdict(list)
    for (sm_id, grade), students in classes.items():
        by_school[students[0].school_id].append((len(students), sm_id, grade, students))

    plans: list[AssessmentPlan] = []
    plan_people: list[tuple[AssessmentPlan, list[User], list[User], list, bool]] = []
    for school in ctx.schools:
        chosen = sorted(by_school.get(school.pk, []), key=lambda c: (-c[0], c[1], c[2]))[: rng.choice((2, 3))]
        demo_key = (demo_student.school_major_id, demo_student.grade) if demo_student else None
        if (
            demo_student
            and demo_student.school_id == school.pk
            and demo_key not in [(c[1], c[2]) for c in chosen]
        ):
            chosen.append((0, *demo_key, classes[demo_key]))
        for _size, sm_id, grade, students in chosen:
            is_demo = (sm_id, grade) == demo_key
            enterprise = anchor if is_demo and anchor else rng.choice(enterprises)
            school_teachers = teachers.get(school.pk, [])
            theory = (
                [accounts["demo-teacher"]]
                if is_demo and "demo-teacher" in accounts
                else rng.sample(school_teachers, min(len(school_teachers), 1))
            )
            practice = (
                [accounts["demo-mentor"]]
                if is_demo and "demo-mentor" in accounts
                else mentors.get(enterprise.pk, [])[:1]
            )
            course = rng.choice(COURSES)
            for back, status in ((1, PlanStatus.CLOSED), (0, PlanStatus.OPEN)):
                weight = rng.choice((40, 50, 60))
                plan = AssessmentPlan(
                    school=school,
                    school_major_id=sm_id,
                    cohort=grade,
                    course=course if back == 0 else f"{course}（基础）",
                    term=_term(ctx, back),
                    enterprise=enterprise,
                    theory_weight=weight,
                    practice_weight=100 - weight,
                    status=status,
                )
                plans.append(plan)
                plan_people.append((plan, theory, practice, students, back == 1))
    ctx.bulk_create(AssessmentPlan, plans, desc="考核计划")
    ctx.insert_rows(
        AssessmentPlan.teachers.through,
        ("assessmentplan_id", "user_id"),
        [(plan.pk, u.pk) for plan, theory, *_ in plan_people for u in theory],
    )
    ctx.insert_rows(
        AssessmentPlan.mentors.through,
        ("assessmentplan_id", "user_id"),
        [(plan.pk, u.pk) for plan, _t, practice, *_ in plan_people for u in practice],
    )

    grades: list[Grade] = []
    for plan, theory, practice, students, finished in plan_people:
        for student in students:
            own_demo = student is demo_student or (demo_student and student.pk == demo_student.pk)
            for part, graders, share in (
                (GradePart.THEORY, theory, 0.6),
                (GradePart.PRACTICE, practice, 0.4),
            ):
                if not finished and (own_demo or rng.random() > share):
                    continue
                # Schools without mentor accounts on the platform import grades from their own systems.
                grades.append(
                    Grade(
                        plan=plan,
                        student=student,
                        part=part,
                        score=Decimal(rng.randint(52, 98)),
                        grader=graders[0] if graders else None,
                        source=GradeSource.MANUAL if graders else GradeSource.IMPORT,
                        comment=rng.choice(COMMENTS),
                    )
                )
    ctx.bulk_create(Grade, grades, desc="考核成绩")
    revisions = [
        GradeRevision(grade=g, score=g.score, grader=g.grader, source=g.source, comment=g.comment)
        for g in grades
    ]
    # A few grades were revised: their first score kept in the history.
    for grade in grades[:: max(1, len(grades) // 40)]:
        revisions.insert(
            0, GradeRevision(grade=grade, score=grade.score - 5, grader=grade.grader, source=grade.source)
        )
    ctx.bulk_create(GradeRevision, revisions, desc="成绩修改记录")


# --- certificates, exam centres and competitions ------------------------------------------------------------
def _one_plus_x(ctx: Context) -> tuple[dict[int, list], list]:
    """1+X certificates by 专业类 (the catalog's links), and all of them for majors without a link."""
    certs = list(Certificate.objects.filter(kind=CertificateKind.ONE_PLUS_X).order_by("code"))
    by_class: dict[int, list] = defaultdict(list)
    through = Certificate.major_classes.through
    cert_by_pk = {c.pk: c for c in certs}
    for cert_pk, class_pk in (
        through.objects.filter(certificate__in=certs)
        .values_list("certificate_id", "majorclass_id")
        .order_by("certificate_id", "majorclass_id")
    ):
        by_class[class_pk].append(cert_by_pk[cert_pk])
    return by_class, certs


def make_certificates(ctx: Context) -> None:
    """1+X certificates for 10-35 % of each school's students now at school (the city near T3's 20 %, some
    schools short), a few 职业技能等级证书; an exam centre in about a third of the schools (the demo school
    always) with last year's sessions."""
    rng = ctx.rng
    by_class, one_plus_x = _one_plus_x(ctx)
    if not one_plus_x:
        return
    skill_level = list(Certificate.objects.exclude(kind=CertificateKind.ONE_PLUS_X).order_by("code"))
    rows = _at_school(ctx)
    by_school = defaultdict(list)
    for row in rows:
        by_school[row.student.school_id].append(row)
    awards: list[CertificateAward] = []
    serial: dict[int, int] = defaultdict(int)

    def award(student, cert):
        serial[cert.pk] += 1
        day = ctx.as_of - dt.timedelta(days=rng.randint(20, 700))
        awards.append(
            CertificateAward(
                student=student,
                certificate=cert,
                number=f"{cert.code}-{day.year}{serial[cert.pk]:06d}",
                awarded_on=day,
                issuer=cert.issuer,
            )
        )

    for school in ctx.schools:
        share = rng.uniform(0.1, 0.35)
        for row in by_school.get(school.pk, []):
            major = row.programme.major
            if rng.random() < share:
                pool = by_class.get(major.major_class_id) or one_plus_x
                award(row.student, rng.choice(pool))
            elif skill_level and rng.random() < 0.08:
                award(row.student, rng.choice(skill_level))
    ctx.bulk_create(CertificateAward, awards, desc="获证记录")

    centres, links, sessions = [], [], []
    for school in ctx.schools:
        if school.code != ctx.anchors.get("school") and rng.random() > 0.35:
            continue
        centre = ExamCentre(
            code=f"KD{school.code[-6:]}",
            name=f"{school.name}职业技能等级证书考核站点",
            school=school,
            approved_by="湖南省教育厅",
            approved_on=dt.date(ctx.as_of.year - rng.randint(1, 4), rng.randint(3, 11), 15),
            capacity=rng.choice((40, 60, 80)),
        )
        centres.append(centre)
        certs = {
            c.pk: c
            for r in by_school.get(school.pk, [])
            for c in by_class.get(r.programme.major.major_class_id, [])
        }
        chosen = sorted(certs.values(), key=lambda c: c.code)[:5] or rng.sample(one_plus_x, 3)
        links.append((centre, chosen))
    ctx.bulk_create(ExamCentre, centres, desc="考点")
    ctx.insert_rows(
        ExamCentre.certificates.through,
        ("examcentre_id", "certificate_id"),
        [(centre.pk, cert.pk) for centre, certs in links for cert in certs],
    )
    for centre, certs in links:
        for cert in certs:
            for month in sorted(rng.sample(range(1, 13), 2)):
                day = dt.date(ctx.as_of.year - 1, month, rng.randint(5, 25))
                candidates = rng.randint(15, centre.capacity)
                sessions.append(
                    ExamSession(
                        centre=centre,
                        certificate=cert,
                        date=day,
                        candidates=candidates,
                        passed=round(candidates * rng.uniform(0.6, 0.95)),
                    )
                )
    ctx.bulk_create(ExamSession, sessions, desc="考试场次")


def make_competitions(ctx: Context) -> None:
    """The last two years' 市级, 省级 and 全国 skills competitions and the prizes the city's schools won."""
    rng = ctx.rng
    rows = _at_school(ctx)
    by_school = defaultdict(list)
    for row in rows:
        by_school[row.student.school_id].append(row)
    teachers = defaultdict(list)
    for teacher in Teacher.objects.filter(school__in=ctx.schools, employment="full_time").order_by("pk"):
        teachers[teacher.school_id].append(teacher)
    editions = [
        ("郴州市职业院校技能竞赛", CompetitionLevel.CITY, "郴州市教育局", (2, 6)),
        ("湖南省职业院校技能竞赛", CompetitionLevel.PROVINCE, "湖南省教育厅", (0, 3)),
        ("全国职业院校技能大赛", CompetitionLevel.NATIONAL, "教育部等", (0, 1)),
    ]
    competitions, awards = [], []
    for year in (ctx.as_of.year - 1, ctx.as_of.year):
        for name, level, organizer, _wins in editions:
            competitions.append(
                Competition(
                    name=name,
                    level=level,
                    year=year,
                    organizer=organizer,
                    held_on=dt.date(year, rng.randint(3, 6), rng.randint(1, 28)),
                )
            )
    ctx.bulk_create(Competition, competitions, desc="技能竞赛")
    for competition in competitions:
        if competition.held_on > ctx.as_of:
            continue
        wins = next(w for _n, lv, _o, w in editions if lv == competition.level)
        for school in ctx.schools:
            pool = by_school.get(school.pk, [])
            for _ in range(rng.randint(*wins) if pool else 0):
                row = rng.choice(pool)
                awards.append(
                    CompetitionAward(
                        competition=competition,
                        school=school,
                        event=f"{row.programme.major.name}技能赛项",
                        prize=rng.choice((Prize.FIRST, Prize.SECOND, Prize.SECOND, Prize.THIRD, Prize.THIRD)),
                        student=row.student,
                        teacher=rng.choice(teachers[school.pk]) if teachers.get(school.pk) else None,
                    )
                )
    ctx.bulk_create(CompetitionAward, awards, desc="竞赛获奖")


# --- skill tests --------------------------------------------------------------------------------------------
def make_skill_tests(ctx: Context) -> None:
    """The last two years' 专业技能抽测 (two or three majors a school) and 专业大类基础理论知识普测 (one or
    two categories a school), as 市教育局 publishes them."""
    rng = ctx.rng
    majors = defaultdict(dict)
    for row in _at_school(ctx):
        major = row.programme.major
        majors[row.student.school_id][major.pk] = major
    results = []
    last = ctx.as_of.year if ctx.as_of.month >= 7 else ctx.as_of.year - 1  # tests are held in the spring
    for year in (last - 1, last):
        for school in ctx.schools:
            own = sorted(majors.get(school.pk, {}).values(), key=lambda m: m.code)
            if not own:
                continue
            sampled = rng.sample(own, min(len(own), rng.choice((2, 3))))
            categories = {m.major_class.category_id: m.major_class.category for m in own}
            surveyed = rng.sample(sorted(categories.values(), key=lambda c: c.code), min(len(categories), 2))
            for kind, subjects in (
                (SkillTestKind.SKILL_SAMPLING, sampled),
                (SkillTestKind.THEORY_SURVEY, surveyed),
            ):
                for subject in subjects:
                    tested = rng.randint(20, 60)
                    results.append(
                        SkillTestResult(
                            kind=kind,
                            year=year,
                            school=school,
                            major=subject if kind == SkillTestKind.SKILL_SAMPLING else None,
                            category=subject if kind == SkillTestKind.THEORY_SURVEY else None,
                            tested=tested,
                            passed=round(tested * rng.uniform(0.72, 0.99)),
                            average_score=Decimal(rng.randint(640, 900)) / 10,
                            organizer="郴州市教育局",
                        )
                    )
    ctx.bulk_create(SkillTestResult, results, desc="抽测结果")


# --- teaching resources -------------------------------------------------------------------------------------
RESOURCE_TITLES = {
    ResourceKind.COURSE: "{major}在线开放课程",
    ResourceKind.LOOSE_LEAF: "{major}活页式教材（校企合编）",
    ResourceKind.WORKBOOK: "{major}岗位工作手册",
    ResourceKind.VIDEO: "{major}实操示范视频",
    ResourceKind.VIRTUAL: "{major}虚拟仿真实训项目",
}


def _pdf(title: str) -> bytes:
    """A small, valid one-page PDF (ASCII text only: the demo file stands for the real material)."""
    text = "XiaoQiTong demo teaching resource"
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_resources(ctx: Context) -> None:
    """Two to four published resources a school (by its teachers) and one or two by enterprises with mentor
    accounts, each tagged with a major and its skills; files are small PDFs written through the storage
    API (virtual-simulation resources are links). Teachers of other schools download, reuse and rate them.
    ``demo-teacher`` has published one."""
    rng = ctx.rng
    cat = catalog(ctx)
    teachers = _users_by(Role.TEACHER, "school")
    accounts = _accounts(ctx)
    majors_of = defaultdict(dict)
    for row in _at_school(ctx):
        majors_of[row.student.school_id][row.programme.major.pk] = row.programme.major
    items: list[tuple[TeachingResource, list, list]] = []
    seq = 0
    indexer = Indexer(TeachingResource)

    def add(title_major, kind, school=None, enterprise=None, author=None):
        nonlocal seq
        seq += 1
        skills = cat.skills_for_major(title_major)[:3]
        topics = "、".join(s.name for s in skills) or "核心技能"
        resource = TeachingResource(
            title=RESOURCE_TITLES[kind].format(major=title_major.name),
            kind=kind,
            summary=f"面向{title_major.name}专业的教学资源，覆盖{topics}。",
            owner_school=school,
            owner_enterprise=enterprise,
            author=author,
            published=True,
        )
        if kind == ResourceKind.VIRTUAL:
            resource.link = f"https://vr.czvet.edu.cn/projects/{seq:04d}"
        else:
            name = f"resources/demo/{ctx.seed}-{seq:04d}.pdf"
            data = _pdf(resource.title)
            if default_storage.exists(name):
                default_storage.delete(name)
            resource.file.name = default_storage.save(name, ContentFile(data))
            resource.file_size = len(data)
        resource.search_text = indexer.text(resource, majors=[title_major], skills=skills)
        items.append((resource, [title_major], skills))

    for school in ctx.schools:
        own = sorted(majors_of.get(school.pk, {}).values(), key=lambda m: m.code)
        authors = teachers.get(school.pk, [])
        if not own:
            continue
        for _ in range(rng.randint(2, 4)):
            author = rng.choice(authors) if authors else None
            add(rng.choice(own), rng.choice(list(RESOURCE_TITLES)), school=school, author=author)
        if school.code == ctx.anchors.get("school") and "demo-teacher" in accounts:
            add(own[0], ResourceKind.LOOSE_LEAF, school=school, author=accounts["demo-teacher"])
    mentors = _users_by(Role.ENTERPRISE_MENTOR, "enterprise")
    all_majors = sorted(
        {m.pk: m for by in majors_of.values() for m in by.values()}.values(), key=lambda m: m.code
    )
    for enterprise in [e for e in ctx.enterprises if e.pk in mentors][:6]:
        if all_majors:
            add(
                rng.choice(all_majors),
                ResourceKind.WORKBOOK,
                enterprise=enterprise,
                author=mentors[enterprise.pk][0],
            )
    ctx.bulk_create(TeachingResource, [r for r, _m, _s in items], desc="教学资源")
    ctx.insert_rows(
        TeachingResource.majors.through,
        ("teachingresource_id", "major_id"),
        [(r.pk, m.pk) for r, majors, _s in items for m in majors],
    )
    ctx.insert_rows(
        TeachingResource.skills.through,
        ("teachingresource_id", "skill_id"),
        [(r.pk, s.pk) for r, _m, skills in items for s in skills],
    )
    users = [u for us in teachers.values() for u in us]
    ratings, uses = [], []
    for resource, _m, _s in items:
        others = [u for u in users if u.school_id != resource.owner_school_id]
        for user in rng.sample(others, min(len(others), rng.randint(0, 6))):
            uses.append(
                ResourceUse(
                    resource=resource, user=user, school_id=user.school_id, kind=ResourceUseKind.DOWNLOAD
                )
            )
            if rng.random() < 0.3:
                uses.append(
                    ResourceUse(
                        resource=resource, user=user, school_id=user.school_id, kind=ResourceUseKind.REUSE
                    )
                )
            if rng.random() < 0.6:
                ratings.append(
                    ResourceRating(
                        resource=resource,
                        user=user,
                        school_id=user.school_id,
                        stars=rng.choice((3, 4, 4, 5, 5)),
                        comment=rng.choice(("内容实用，已用于课堂。", "案例贴近企业实际。", "")),
                    )
                )
    ctx.bulk_create(ResourceRating, ratings, desc="资源评价")
    ctx.bulk_create(ResourceUse, uses, desc="资源使用")


# --- social training --------------------------------------------------------------------------------------
TRAINING_TITLES = {
    TrainingKind.SUBSIDISED: ("{major}职业技能提升培训", "电工职业技能等级认定培训", "焊工技能培训"),
    TrainingKind.EMPLOYEES: ("企业新型学徒制培训", "企业职工岗位技能提升培训"),
    TrainingKind.KEY_GROUPS: ("农村转移劳动力就业技能培训", "退役军人职业技能培训", "脱贫劳动力技能培训"),
    TrainingKind.COMMUNITY: ("社区居民数字技能讲堂", "家政服务社区培训"),
    TrainingKind.SENIORS: ("老年大学智能手机应用班", "老年健康养生讲座"),
}


def make_training(ctx: Context) -> None:
    """This year's and last year's social training: each school's programmes add up to 1.2-2.8 times its
    full-time enrolment in person-times (some under T6's 2x), enterprises and training centres add theirs
    (the city near T4's 100,000). About a quarter of the classes have a roster (names, ID hashes); the
    others, community and seniors' education above all, report a number."""
    rng = ctx.rng
    names = NameMaker()
    enrolment = ctx.objects.get("enrolment", {})
    departments = {
        d.code: d for d in Department.objects.filter(code__in=("CZ-RSJ", "CZ-JYJ", "CZ-GXJ", "CZ-MZJ"))
    }
    local = [e for e in ctx.enterprises if e.registered_in_city and in_city(ctx, e.county)][:30]
    cat = catalog(ctx)
    programmes, sessions, rosters = [], [], []
    seq = 0

    def programme(year, kind, *, school=None, enterprise=None, centre="", total=0, major=None):
        nonlocal seq
        seq += 1
        title = rng.choice(TRAINING_TITLES[kind]).format(major=major.name if major else "数控")
        funder = {
            TrainingKind.SUBSIDISED: "CZ-RSJ",
            TrainingKind.KEY_GROUPS: "CZ-RSJ",
            TrainingKind.EMPLOYEES: "CZ-GXJ",
            TrainingKind.COMMUNITY: "CZ-MZJ",
            TrainingKind.SENIORS: "CZ-JYJ",
        }[kind]
        p = TrainingProgramme(
            code=f"PX{year}{seq:05d}",
            title=title,
            kind=kind,
            year=year,
            provider_school=school,
            provider_enterprise=enterprise,
            provider_centre=centre,
            funding_department=departments.get(funder),
            fucheng_brand=rng.random() < 0.3,
        )
        programmes.append(p)
        classes = rng.randint(2, 8)
        for number in range(1, classes + 1):
            start = dt.date(year, rng.randint(1, 11), rng.randint(1, 20))
            if start > ctx.as_of:
                start = ctx.as_of - dt.timedelta(days=rng.randint(10, 60))
            end = min(start + dt.timedelta(days=rng.choice((3, 5, 7, 14, 30))), dt.date(year, 12, 31))
            size = max(10, round(total / classes * rng.uniform(0.7, 1.3)))
            roster = kind not in (TrainingKind.COMMUNITY, TrainingKind.SENIORS) and rng.random() < 0.25
            session = TrainingSession(
                programme=p,
                number=number,
                start_date=start,
                end_date=max(end, start),
                place=(school.name if school else enterprise.name if enterprise else centre),
                hours=rng.choice((16, 24, 40, 80)),
                reported_person_times=0 if roster else size,
            )
            sessions.append(session)
            if roster:
                rosters.append((session, min(size, 60)))

    years = (ctx.as_of.year - 1, ctx.as_of.year)
    for year in years:
        # A calendar year's training is set against the enrolment of the school year running in its spring.
        for school in ctx.schools:
            students = enrolment.get((school.code, year - 1)) or enrolment.get((school.code, year)) or 1000
            total = (
                students
                * rng.uniform(1.2, 2.8)
                * (1 if year < ctx.as_of.year else ctx.as_of.timetuple().tm_yday / 365)
            )
            kinds = [
                TrainingKind.SUBSIDISED,
                TrainingKind.KEY_GROUPS,
                TrainingKind.EMPLOYEES,
                TrainingKind.COMMUNITY,
            ]
            if school.school_type in (SchoolType.ASSOCIATE, SchoolType.BACHELOR):
                kinds.append(TrainingKind.SENIORS)
            shares = [rng.uniform(0.5, 1.5) for _ in kinds]
            for kind, share in zip(kinds, shares, strict=True):
                major = rng.choice(cat.majors[:200])
                programme(year, kind, school=school, total=total * share / sum(shares), major=major)
        for enterprise in local[:10]:
            programme(year, TrainingKind.EMPLOYEES, enterprise=enterprise, total=rng.randint(200, 900))
        for centre in ("郴州市职业技能培训中心", "郴州市老年大学"):
            kind = TrainingKind.SENIORS if "老年" in centre else TrainingKind.SUBSIDISED
            programme(year, kind, centre=centre, total=rng.randint(3000, 8000))
    ctx.bulk_create(TrainingProgramme, programmes, desc="培训项目")
    ctx.bulk_create(TrainingSession, sessions, desc="培训班次")
    participants = []
    region = ctx.city.code[:6] if ctx.city is not None else "431000"
    serial = 0
    for session, size in rosters:
        for _ in range(size):
            serial += 1
            born = dt.date(rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28))
            participants.append(
                TrainingParticipant(
                    session=session,
                    name=names(rng, rng.choice(("male", "female"))),
                    id_card_hash=id_card_hash(make_id_card(region, born, serial)),
                    phone=mobile(rng),
                    completed=rng.random() < 0.95,
                )
            )
    ctx.bulk_create(TrainingParticipant, participants, desc="培训学员")


# --- teachers' records ------------------------------------------------------------------------------
def make_teacher_records(ctx: Context) -> None:
    """Two provincial “双师型” teacher training bases and no national one yet (T22 half met); 特岗 funding for
    the schools with 特岗 teachers, a few under T19's 70,000 元 a post; technical-service income of the
    colleges and some secondary schools, most paying half their surplus or more to teachers (T23)."""
    rng = ctx.rng
    colleges = [s for s in ctx.schools if s.school_type in (SchoolType.ASSOCIATE, SchoolType.BACHELOR)]
    hosts = (colleges or list(ctx.schools))[:2]
    bases = [
        TeacherTrainingBase(
            name=f"湖南省职业教育“双师型”教师培训基地（{school.name}）",
            level=TrainingBaseLevel.PROVINCE,
            host_school=school,
            recognized_by="湖南省教育厅",
            recognized_year=ctx.as_of.year - n - 1,
        )
        for n, school in enumerate(hosts)
    ]
    ctx.bulk_create(TeacherTrainingBase, bases, desc="教师培训基地")
    posts = Counter(
        Teacher.objects.filter(school__in=ctx.schools, is_special_post=True).values_list(
            "school_id", flat=True
        )
    )
    fundings, incomes = [], []
    for year in (ctx.as_of.year - 1, ctx.as_of.year):
        for school in ctx.schools:
            if posts.get(school.pk):
                per_post = rng.choice((60000, 70000, 70000, 72000, 75000, 80000))
                fundings.append(
                    SpecialPostFunding(
                        school=school,
                        year=year,
                        posts=posts[school.pk],
                        amount=Decimal(per_post * posts[school.pk]),
                        source=rng.choice(("市级财政", "县级财政", "学校自筹")),
                    )
                )
            if school in colleges or rng.random() < 0.4:
                income = Decimal(rng.randint(20, 300) * 10000)
                surplus = (income * Decimal(rng.uniform(0.2, 0.4))).quantize(Decimal("1"))
                paid = (surplus * Decimal(rng.uniform(0.35, 0.7))).quantize(Decimal("1"))
                incomes.append(
                    TechServiceIncome(
                        school=school, year=year, income=income, surplus=surplus, paid_to_teachers=paid
                    )
                )
    ctx.bulk_create(SpecialPostFunding, fundings, desc="特岗经费")
    ctx.bulk_create(TechServiceIncome, incomes, desc="技术服务收入")
