"""产教融合型企业 in the demo city, as of ``ctx.as_of`` (issue 9: T12, T2, R1 “一年一考核，三年一授牌”).

- The setup (市发改委 leads, 市教育局 and 市人社局 give opinions), made if the database has none.
- 31 enterprises have held the title since the first municipal batch five years before ``as_of``: a batch a
  year (``MUNICIPAL_BATCHES``), two provincial titles and one provincial title that superseded its
  municipal one. Each title has its certified application (the opinions of 市教育局 and 市人社局, claims,
  documents and the checklist kept on submission), its plaques (a second one where the renewal passed) and
  its annual reviews: past ones passed; this year one in rectification, one missed (the title expired), one
  failed (revoked), one open and a renewal submitted and waiting for 市发改委 (the enterprise's platform
  records meet the criteria, so passing it awards the second plaque). T12 counts 28 titles at the end of
  last year and 29 now: just short of 30, which ``demo-enterprise``'s certification in the walk-through
  reaches.
- Applications in every other state: a draft, one submitted and waiting for ``demo-ndrc`` to accept it, one
  under review with 市人社局's opinion given and 市教育局's waiting for ``demo-gov``, one returned, one
  rejected, one withdrawn.
- The incentive ledger of the titled enterprises, year by year (金融 by 市政府金融办, 财政 by 市财政局,
  土地 by 市自然资源和规划局, 信用 by 市发改委, 税费 by 市税务局).
- Part-time teachers from enterprises (``Teacher.employer``, updated in place: the teachers step made them).
- ``demo-enterprise`` holds no title and has no application, and its platform records meet every computed
  municipal criterion: with the order class of the agreements step, a base made here, last school year's
  completed internship of 22 graduates under three mentors (``demo-mentor`` and two colleagues made here)
  and three employees teaching part-time. So the walk-through works: it applies (claims for the two claimed
  criteria and their documents), ``demo-ndrc`` accepts, ``demo-gov`` and ``demo-hrss`` give opinions,
  ``demo-ndrc`` certifies.

The cooperation records of the demo start with this school year (and last school year's internships made
here), so the checklists kept on past applications and reviews are drawn as the reviewers found them then
(``_drawn_lines``); those of this year's open applications and of the submitted renewal are computed from the
platform's records, as the services compute them. Rows made here for other apps (a base, internship plans
and placements, two mentor accounts) are recorded under their models, so ``--reset`` deletes them with
those of the steps that own the models.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from xiaoqitong.certification.choices import (
    ApplicationStatus,
    CertificationStatus,
    DocumentKind,
    IncentiveKind,
    Level,
    Measure,
    OpinionStance,
    ReviewKind,
    ReviewStatus,
)
from xiaoqitong.certification.models import (
    Application,
    Certification,
    Claim,
    Criterion,
    Document,
    Incentive,
    Opinion,
    Plaque,
    Review,
    Setup,
)
from xiaoqitong.certification.selectors import evidence
from xiaoqitong.certification.services.applications import LEVEL_PREFIX
from xiaoqitong.certification.services.common import add_years
from xiaoqitong.certification.services.reviews import REVIEW_REMINDERS
from xiaoqitong.cooperation import rules
from xiaoqitong.cooperation.choices import BaseKind, PlacementStatus, RuleKey
from xiaoqitong.cooperation.models import InternshipPlan, Placement, PracticeBase
from xiaoqitong.cooperation.services.internships import in_city as placement_in_city
from xiaoqitong.orgs.choices import EnterpriseSize, Role
from xiaoqitong.orgs.models import Department, User
from xiaoqitong.schools.choices import Employment
from xiaoqitong.schools.models import Teacher

from ..context import Context
from ..people import NameMaker, mobile
from .cooperation import _short
from .quality import _accounts
from .supply_demand import at, in_city

# Municipal titles certified per batch, by years before ``as_of``'s year (one batch a year).
MUNICIPAL_BATCHES = {5: 5, 4: 5, 3: 6, 2: 5, 1: 5, 0: 3}
# Provincial titles: years before ``as_of``'s year, and whether the enterprise held a municipal title of the
# batch ``UPGRADED_BATCH`` years back (which the provincial one ends).
PROVINCIAL = ((3, False), (2, False), (2, True))
UPGRADED_BATCH = 4
# This year's reviews that tell a story: (fate, batch, days from ``as_of`` to the review's due date). The
# title of that batch is dated so that its review of this year falls due that day.
FATES = (
    (ReviewStatus.FAILED, 5, -100),
    (ReviewStatus.MISSED, 4, -45),
    (ReviewStatus.SUBMITTED, 3, 24),  # the renewal (third review): passing it awards the second plaque
    (ReviewStatus.RECTIFICATION, 2, -75),
    (ReviewStatus.OPEN, 1, 18),
)
LARGE_MEDIUM_SHARE = 0.3  # the share of the local large and medium enterprises given a title (T2)
DEMO_INTERNS = 22  # last school year's interns of demo-enterprise (the municipal threshold is 20)
RENEWAL_INTERNS = 21
DEMO_TEACHERS = 3  # demo-enterprise's employees teaching part-time (the municipal threshold is 2)

LEVEL_TEXT = {Level.MUNICIPAL: "市级", Level.PROVINCIAL: "省级"}
STATEMENTS = (
    "{name}与{schools}所职业院校建立长期合作关系，共建产教融合实习实训基地，开设订单班，每年接收职业院校学生岗位实习，"
    "选派技术骨干到学校兼职任教，参与专业人才培养方案制定和课程开发。",
    "{name}坚持“招生即招工、入校即入企”，与职业院校合作开展现代学徒制培养，设立企业奖学金，"
    "近三年累计投入设备和资金支持学校实训条件建设。",
    "{name}依托生产线建设生产性实训基地，面向职业院校开放实习岗位，建立企业导师队伍，"
    "与学校共同开发活页式教材和岗位工作手册。",
)
OPINION_TEXTS = {
    OpinionStance.AGREE: ("", "同意认定。", "企业校企合作基础扎实，同意认定。"),
    OpinionStance.CONDITIONAL: (
        "原则同意。建议企业进一步充实企业导师队伍，规范实习学生管理。",
        "原则同意。建议加大兼职教师选派力度，参与学校课程建设。",
    ),
}
SELF_REPORTS = (
    "{year}年度，本企业继续与合作院校共建实训基地，接收岗位实习学生，企业导师按计划带教；"
    "投入校企合作资金和设备，兼职教师按学期到校授课。无失信记录和安全生产事故。",
    "{year}年度，本企业与合作院校联合开设订单班，共同制定人才培养方案，实习学生留用率稳步提高；"
    "按要求报送年度投入凭证和信用报告。",
)
REVIEW_NOTES = {
    ReviewStatus.PASSED: ("考核合格。", "各项条件持续满足，考核合格。"),
    ReviewStatus.RECTIFICATION: (
        "近 12 个月接收实习学生人数低于门槛，企业导师带教不足，限期整改。",
        "请在整改期限内补充实习学生名册和实习协议，充实企业导师队伍。",
    ),
    ReviewStatus.FAILED: (
        "年度考核不合格：近 12 个月未在平台登记接收实习学生，共建实训基地已停用，不再符合认定条件。"
    ),
}
INCENTIVES = {
    # kind: (department code, title, amount range in 万元 or None, document number, note)
    IncentiveKind.FINANCE: (
        "CZ-JRB",
        "产教融合专项贷款（“产教融合贷”）",
        (300, 2000),
        "郴金办函〔{year}〕{n}号",
        "合作银行给予优惠利率，用于实训基地和实训设备建设。",
    ),
    IncentiveKind.FISCAL: (
        "CZ-CZJ",
        "产教融合型企业奖补资金",
        (10, 50),
        "郴财教〔{year}〕{n}号",
        "按校企合作投入和接收实习学生情况核定。",
    ),
    IncentiveKind.LAND: (
        "CZ-ZRZYJ",
        "实习实训基地建设用地优先保障",
        None,
        "郴自然资规〔{year}〕{n}号",
        "新增实习实训用地按教育用地供应。",
    ),
    IncentiveKind.CREDIT: (
        "CZ-FGW",
        "纳入产教融合信用激励对象名单",
        None,
        "郴发改信用〔{year}〕{n}号",
        "在项目申报、行政审批中享受绿色通道和容缺受理。",
    ),
    IncentiveKind.TAX: (
        "CZ-SWJ",
        "投资职业教育抵免教育费附加和地方教育附加",
        (5, 60),
        "郴税通〔{year}〕{n}号",
        "按当年实际投资额的 30% 抵免当年应缴教育费附加和地方教育附加。",
    ),
}
INCENTIVE_DEPARTMENTS = sorted({spec[0] for spec in INCENTIVES.values()})


def _pdf(text: str = "XiaoQiTong demo certification evidence") -> bytes:
    """A small, valid one-page PDF (ASCII text only: the demo file stands for the real document)."""
    stream = f"BT /F1 16 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
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


def _stamp(obj, created: dt.datetime, updated: dt.datetime | None = None):
    """Set the row's timestamps (inserted with ``keep_timestamps``): when it happened, not when generated."""
    obj.created_at = created
    obj.updated_at = updated or created
    return obj


STAMPED = ("created_at", "updated_at")


@dataclass
class Title:
    """One title to make: its enterprise, level and day, what becomes of this year's review (``fate``), and
    the day a provincial title ended it (``ends_on``)."""

    enterprise: object
    level: str
    certified_on: dt.date
    fate: str = ""
    ends_on: dt.date | None = None
    certification: Certification | None = None
    plaques: list = field(default_factory=list)


class Maker:
    """Builds the step's rows in memory (inserted in one go at the end) with the step's random stream."""

    def __init__(self, ctx: Context, criteria: list[Criterion], departments: dict, accounts: dict):
        self.ctx = ctx
        self.rng = ctx.rng
        self.as_of = ctx.as_of
        self.criteria = criteria
        self.departments = departments
        self.ndrc = accounts.get("demo-ndrc")
        self.officers = {"CZ-JYJ": accounts.get("demo-gov"), "CZ-RSJ": accounts.get("demo-hrss")}
        self.names = NameMaker()
        self.applications: list[Application] = []
        self.opinions: list[Opinion] = []
        self.certifications: list[Certification] = []
        self.plaques: list[Plaque] = []
        self.reviews: list[Review] = []
        self.claims: list[Claim] = []
        self.documents: list[Document] = []
        self.incentives: list[Incentive] = []
        self.files = 0
        config = Setup.objects.order_by("pk").first()
        self.open_days = config.review_open_days if config else 60
        self.opinion_days = config.opinion_days if config else 15
        self.rectification_days = config.rectification_days if config else 90
        self.interval = int(rules.value(RuleKey.CERT_REVIEW_INTERVAL_YEARS))
        self.cycle = int(rules.value(RuleKey.CERT_PLAQUE_CYCLE_YEARS))

    # --- evidence --------------------------------------------------------------------------------------
    def drawn_lines(self, level: str, *, short: tuple[str, ...] = ()) -> list[evidence.Line]:
        """A checklist as the reviewers found it on a past day: every required criterion met except the
        measures in ``short``; a non-required one now and then short; claims mostly the platform's figure."""
        rng = self.rng
        lines = []
        for c in self.criteria:
            threshold = c.threshold(level)
            computed = None
            if c.measure == Measure.CLAIMED:
                if threshold is None:
                    claimed = Decimal(rng.randint(1, 10))
                elif threshold <= 1:
                    claimed = threshold  # a promise (信用记录良好: 1)
                else:
                    claimed = (threshold * Decimal(rng.uniform(1.1, 3.5))).quantize(Decimal("1"))
            else:
                if threshold is None:
                    computed = Decimal(rng.randint(0, 12))
                elif c.measure in short:
                    computed = (threshold * Decimal(rng.uniform(0.2, 0.7))).to_integral_value(ROUND_FLOOR)
                elif c.required or rng.random() < 0.8:
                    computed = (threshold * Decimal(rng.uniform(1.0, 2.5))).quantize(Decimal("1"))
                else:
                    computed = max(threshold - 1, Decimal(0))
                claimed = computed + (rng.randint(1, 5) if rng.random() < 0.15 else 0)
            lines.append(
                evidence.Line(
                    criterion=c,
                    computed=computed,
                    claimed=claimed,
                    claim_note="",
                    threshold=threshold,
                    documents=1 if c.needs_document else 0,
                )
            )
        return lines

    def add_claims(self, parent: Application | Review, values: dict[int, Decimal], when: dt.datetime) -> None:
        key = "application" if isinstance(parent, Application) else "review"
        for c in self.criteria:
            if values.get(c.pk) is not None:
                self.claims.append(_stamp(Claim(**{key: parent}, criterion=c, value=values[c.pk]), when))

    def add_documents(self, parent: Application | Review, year: int, when: dt.datetime) -> list[Document]:
        """A document for every criterion that needs one, its file a small PDF written through the storage."""
        review = isinstance(parent, Review)
        made = []
        for c in self.criteria:
            if not c.needs_document:
                continue
            self.files += 1
            name = f"certification/demo/{self.ctx.seed}-{self.files:04d}.pdf"
            data = _pdf()
            if default_storage.exists(name):
                default_storage.delete(name)
            document = Document(
                kind=DocumentKind.REVIEW if review else DocumentKind.APPLICATION,
                application=None if review else parent,
                review=parent if review else None,
                criterion=c,
                title=(f"{year}年度{c.name}证明材料" if review else f"{c.name}证明材料")[:100],
                file_size=len(data),
            )
            document.file.name = default_storage.save(name, ContentFile(data))
            made.append(_stamp(document, when))
        self.documents.extend(made)
        return made

    def claimed_only(self, level: str) -> dict[int, Decimal]:
        """Figures for the claimed-only criteria that meet them (investment, the credit promise)."""
        return {line.criterion.pk: line.claimed for line in self.drawn_lines(level) if line.computed is None}

    def computed_lines(
        self, parent: Application | Review, enterprise_id: int, level: str, on: dt.date, values: dict
    ) -> list[evidence.Line]:
        """The checklist as the services compute it on ``on``, with the claims and documents of ``parent``."""
        key = "application" if isinstance(parent, Application) else "review"
        claims = [
            Claim(**{key: parent}, criterion=c, value=values[c.pk])
            for c in self.criteria
            if values.get(c.pk) is not None
        ]
        documents = [d for d in self.documents if getattr(d, key) is parent]
        return evidence.checklist(
            enterprise_id=enterprise_id, level=level, on=on, claims=claims, documents=documents
        )

    # --- applications -----------------------------------------------------------------------------------
    def application(self, enterprise, level: str, status: str, submitted: dt.date | None, created: dt.date):
        rng = self.rng
        statement = rng.choice(STATEMENTS).format(name=_short(enterprise.name), schools=rng.randint(2, 6))
        app = Application(
            enterprise=enterprise,
            level=level,
            year=(submitted or created).year,
            statement=statement,
            contact_person=self.names(rng, rng.choice(("male", "female"))),
            contact_phone=mobile(rng),
            status=status,
            submitted_at=at(submitted, 10, rng.randint(0, 59)) if submitted else None,
        )
        _stamp(app, at(created, 9))
        self.applications.append(app)
        return app

    def opinion(self, app: Application, code: str, stance: str, given: dt.date | None, text: str = ""):
        officer = self.officers.get(code)
        opinion = Opinion(
            application=app,
            department=self.departments[code],
            stance=stance,
            text=text if stance else "",
            given_by=officer if stance else None,
            given_at=at(given, 15) if stance and given else None,
        )
        _stamp(opinion, app.accepted_at, opinion.given_at or app.accepted_at)
        self.opinions.append(opinion)
        return opinion

    def accept(self, app: Application, accepted: dt.date) -> None:
        app.accepted_at = at(accepted, 9, 30)
        app.opinions_due = accepted + dt.timedelta(days=self.opinion_days)

    def decide(self, app: Application, status: str, day: dt.date, note: str) -> None:
        app.status = status
        app.decided_at = at(day, 16)
        app.decided_by = self.ndrc
        app.decision_note = note
        app.updated_at = app.decided_at

    def certified_application(self, title: Title) -> Application:
        """The application that earned ``title``: submitted some weeks before, accepted, both opinions given
        (now and then with a reservation), certified on the title's day."""
        rng = self.rng
        day = title.certified_on
        submitted = day - dt.timedelta(days=rng.randint(40, 80))
        app = self.application(
            title.enterprise,
            title.level,
            ApplicationStatus.CERTIFIED,
            submitted,
            submitted - dt.timedelta(days=rng.randint(3, 20)),
        )
        accepted = submitted + dt.timedelta(days=rng.randint(2, 8))
        self.accept(app, accepted)
        for code in ("CZ-JYJ", "CZ-RSJ"):
            stance = OpinionStance.CONDITIONAL if rng.random() < 0.15 else OpinionStance.AGREE
            given = min(
                accepted + dt.timedelta(days=rng.randint(3, self.opinion_days)), day - dt.timedelta(1)
            )
            self.opinion(app, code, stance, given, rng.choice(OPINION_TEXTS[stance]))
        note = f"经审核，认定为{LEVEL_TEXT[title.level]}产教融合型企业。"
        if title.level == Level.PROVINCIAL and rng.random() < 0.5:
            note = "经省发展改革委审核认定为省级产教融合型企业，市发改委备案。"
        self.decide(app, ApplicationStatus.CERTIFIED, day, note)
        lines = self.drawn_lines(title.level)
        app.checklist = evidence.snapshot(lines)
        self.add_claims(app, {line.criterion.pk: line.claimed for line in lines}, app.submitted_at)
        self.add_documents(app, submitted.year, app.submitted_at)
        return app

    # --- titles, plaques, reviews ------------------------------------------------------------------------
    def title(self, title: Title, number: str, document_ref: str) -> Certification:
        app = self.certified_application(title)
        day = title.certified_on
        cert = Certification(
            enterprise=title.enterprise,
            level=title.level,
            number=number,
            application=app,
            certified_on=day,
            valid_until=add_years(day, self.cycle) - dt.timedelta(days=1),
            document_ref=document_ref,
        )
        _stamp(cert, app.decided_at)
        if title.ends_on:  # as application_certify ends it when the provincial title is certified
            cert.status = CertificationStatus.EXPIRED
            cert.ended_on = title.ends_on
            cert.status_note = "已认定为省级产教融合型企业，市级称号终止。"
            cert.updated_at = at(title.ends_on, 16)
        title.certification = cert
        self.certifications.append(cert)
        self.plaque(title, 1, day, day)
        return cert

    def plaque(self, title: Title, cycle: int, valid_from: dt.date, awarded: dt.date) -> None:
        plaque = Plaque(
            certification=title.certification,
            cycle=cycle,
            awarded_on=awarded,
            valid_from=valid_from,
            valid_until=add_years(valid_from, self.cycle) - dt.timedelta(days=1),
        )
        _stamp(plaque, at(awarded, 16))
        title.plaques.append(plaque)
        self.plaques.append(plaque)
        title.certification.valid_until = plaque.valid_until

    def kind(self, sequence: int) -> str:
        return ReviewKind.RENEWAL if (sequence * self.interval) % self.cycle == 0 else ReviewKind.ANNUAL

    def review_history(self, title: Title, fate_due: dt.date | None, renewal_evidence) -> None:
        """The title's reviews up to the one that falls due ``open_days`` after ``as_of`` (the daily task
        would open it): past ones passed, except this year's that has a ``fate``; later ones open. Ends
        the title where the fate says so."""
        rng, as_of, cert = self.rng, self.as_of, title.certification
        horizon = as_of + dt.timedelta(days=self.open_days)
        sequence = 0
        while True:
            sequence += 1
            due = add_years(cert.certified_on, sequence * self.interval)
            if due > horizon or (title.ends_on and due >= title.ends_on):
                return
            opened = due - dt.timedelta(days=self.open_days)
            review = Review(
                certification=cert, sequence=sequence, kind=self.kind(sequence), year=due.year, due_date=due
            )
            _stamp(review, at(opened, 1))
            self.reviews.append(review)
            status = title.fate if due == fate_due else (ReviewStatus.PASSED if due <= as_of else "")
            if not status:  # falls due within the coming weeks: opened, not reported yet
                review.status = ReviewStatus.OPEN
                self.remind(review, due)
                return
            if status == ReviewStatus.OPEN:
                review.status = status
                self.remind(review, due)
                return
            if status == ReviewStatus.MISSED:
                ended = due + dt.timedelta(days=1)  # the daily task expires it the day after the deadline
                review.status = status
                review.decided_at = at(ended, 1)
                review.updated_at = review.decided_at
                cert.status = CertificationStatus.EXPIRED
                cert.ended_on = ended
                cert.status_note = (
                    f"未在 {due:%Y-%m-%d} 前报送{due.year} 年{ReviewKind(review.kind).label}材料，称号失效。"
                )
                cert.updated_at = review.decided_at
                return
            latest = min(as_of, title.ends_on - dt.timedelta(days=1)) if title.ends_on else as_of
            submitted = min(due - dt.timedelta(days=rng.randint(5, 40)), latest)
            if status == ReviewStatus.SUBMITTED:  # reported in the last days, not decided yet
                submitted = as_of - dt.timedelta(days=rng.randint(2, 8))
            self.report(review, submitted, title, status, renewal_evidence)
            if status == ReviewStatus.SUBMITTED:
                review.status = status
                return
            decided = min(submitted + dt.timedelta(days=rng.randint(7, 30)), latest)
            if status == ReviewStatus.RECTIFICATION:
                decided = due + dt.timedelta(days=14)
            if status == ReviewStatus.FAILED:
                decided = due + dt.timedelta(days=50)
            review.status = status
            review.decided_at = at(decided, 11)
            review.decided_by = self.ndrc
            review.updated_at = review.decided_at
            if status == ReviewStatus.PASSED:
                review.decision_note = rng.choice(REVIEW_NOTES[status])
                if review.kind == ReviewKind.RENEWAL:
                    self.plaque(title, len(title.plaques) + 1, cert.valid_until + dt.timedelta(1), decided)
                continue
            if status == ReviewStatus.RECTIFICATION:
                review.decision_note = REVIEW_NOTES[status][0]
                review.rectification_items = REVIEW_NOTES[status][1]
                review.rectification_deadline = decided + dt.timedelta(days=self.rectification_days)
                self.remind(review, review.rectification_deadline)
                cert.status = CertificationStatus.RECTIFICATION
                cert.status_note = review.rectification_items
            else:  # failed: the title is revoked on the decision
                review.decision_note = REVIEW_NOTES[status]
                cert.status = CertificationStatus.REVOKED
                cert.ended_on = decided
                cert.status_note = review.decision_note
            cert.updated_at = review.decided_at
            return

    def remind(self, review: Review, deadline: dt.date) -> None:
        """The reminders the daily task has sent by ``as_of`` (its run of that day included) for a review
        awaiting the enterprise: each is sent once, so the next run sends none twice."""
        left = (deadline - self.as_of).days
        review.reminders = [f"{review.status}:{d}" for d in REVIEW_REMINDERS if left <= d]

    def report(self, review: Review, submitted: dt.date, title: Title, status: str, renewal_evidence) -> None:
        """The enterprise's report: self-assessment, claims, documents and the checklist kept with it."""
        rng = self.rng
        when = at(submitted, 14)
        review.submitted_at = when
        review.updated_at = when
        review.self_report = rng.choice(SELF_REPORTS).format(year=review.year - 1)
        self.add_documents(review, review.year - 1, when)
        level = title.level
        if status == ReviewStatus.SUBMITTED and renewal_evidence:
            values = self.claimed_only(level)
            figures = evidence.figures([title.enterprise.pk], submitted)[title.enterprise.pk]
            values |= {c.pk: figures[c.measure] for c in self.criteria if c.measure in figures}
            lines = self.computed_lines(review, title.enterprise.pk, level, submitted, values)
        else:
            short = {
                ReviewStatus.RECTIFICATION: (Measure.INTERNS, Measure.MENTORS),
                ReviewStatus.FAILED: (Measure.INTERNS, Measure.BASES),
            }.get(status, ())
            lines = self.drawn_lines(level, short=short)
            values = {line.criterion.pk: line.claimed for line in lines}
        self.add_claims(review, values, when)
        review.checklist = evidence.snapshot(lines)

    # --- incentives ------------------------------------------------------------------------------------
    def incentives_of(self, enterprise, held: list[tuple[Certification, dt.date, dt.date]]) -> None:
        """One to three incentives a year while the enterprise held a title (``held``: title, from, to)."""
        rng = self.rng
        granted_kinds = set()  # (year, kind): once a year each (a superseded title's year has two titles)
        for cert, start, end in held:
            for year in range(start.year, end.year + 1):
                first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
                if last < first or rng.random() < 0.2:
                    continue
                kinds = [
                    k
                    for k in INCENTIVES
                    if INCENTIVES[k][0] in self.departments and (year, k) not in granted_kinds
                ]
                for kind in sorted(rng.sample(kinds, min(len(kinds), rng.choice((1, 2, 2, 3))))):
                    granted_kinds.add((year, kind))
                    code, name, amounts, ref, note = INCENTIVES[kind]
                    granted = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                    amount = None
                    if amounts:
                        amount = Decimal(rng.randint(*amounts))
                        if kind == IncentiveKind.FINANCE:
                            amount = (amount / 100).quantize(Decimal("1")) * 100
                    self.incentives.append(
                        _stamp(
                            Incentive(
                                enterprise=enterprise,
                                certification=cert,
                                year=year,
                                kind=kind,
                                title=name,
                                amount=amount,
                                department=self.departments[code],
                                granted_on=granted,
                                document_ref=ref.format(year=year, n=rng.randint(3, 120)),
                                note=note,
                            ),
                            at(granted, 10),
                        )
                    )


# --- the setup, part-time teachers, demo-enterprise's evidence ----------------------------------------------
def _ensure_setup(ctx: Context, departments: dict) -> None:
    """The setup row the walk-through needs (市发改委 leads; 市教育局 and 市人社局 give opinions), as
    ``selectors.setup.setup()`` would make it (by the demo accounts' department codes here). Made and recorded
    when there is none; an existing one without a lead department gets 市发改委 (it was made before the
    departments were loaded), and is not recorded (not the demo's)."""
    row = Setup.objects.order_by("pk").first()
    if row is None:
        row = Setup.objects.create(lead_department=departments["CZ-FGW"])
        row.opinion_departments.set([departments["CZ-JYJ"], departments["CZ-RSJ"]])
        ctx.record_existing(Setup, [row.pk])
    elif row.lead_department_id is None:
        Setup.objects.filter(pk=row.pk).update(lead_department=departments["CZ-FGW"])
        if not row.opinion_departments.exists():
            row.opinion_departments.set([departments["CZ-JYJ"], departments["CZ-RSJ"]])


def _employers(ctx: Context, demo_enterprise, titled: list, others: list, demo_school) -> None:
    """Enterprise experts teaching part-time: ``Teacher.employer`` of some part-time teachers, updated in
    bulk. ``demo-enterprise`` gets three (from the demo school first), most titled enterprises one to
    three, some other local enterprises one; at most half of the part-time teachers."""
    rng = ctx.rng
    teachers = list(
        Teacher.objects.filter(
            school__in=[s.pk for s in ctx.schools], employment=Employment.PART_TIME, employer__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "school_id")
    )
    if not teachers:
        return
    rng.shuffle(teachers)
    head = []
    if demo_enterprise is not None:
        # demo-enterprise's experts teach at the demo school first
        head = sorted(teachers, key=lambda t: demo_school is None or t[1] != demo_school.pk)[:DEMO_TEACHERS]
    queue = head + [t for t in teachers if t not in head]
    wanted = [(demo_enterprise, len(head))] if head else []
    wanted += [(e, rng.randint(1, 3)) for e in titled if rng.random() < 0.7]
    wanted += [(e, 1) for e in rng.sample(others, min(len(others), 20))]
    assigned = []
    for enterprise, n in wanted:
        for _ in range(n):
            if len(assigned) >= max(len(head), len(queue) // 2):  # most come from elsewhere
                break
            pk, _school = queue[len(assigned)]
            assigned.append(Teacher(pk=pk, employer_id=enterprise.pk))
    Teacher.objects.bulk_update(assigned, ["employer"], batch_size=500)


def _mentors(ctx: Context, enterprise, accounts: dict) -> list[User]:
    """``demo-mentor`` and two colleagues (accounts that cannot log in): three enterprise mentors."""
    mentors = [accounts["demo-mentor"]] if accounts.get("demo-mentor") else []
    taken = set(User.objects.filter(username__startswith="mentor-").values_list("username", flat=True))
    names = NameMaker()
    made = []
    for n in range(1, 4 - len(mentors)):
        username = f"mentor-{enterprise.credit_code[-8:].lower()}-{n}"
        if username in taken:
            continue
        made.append(
            User(
                username=username,
                password=make_password(None),
                role=Role.ENTERPRISE_MENTOR,
                display_name=names(ctx.rng, ctx.rng.choice(("male", "female"))),
                enterprise=enterprise,
            )
        )
    ctx.bulk_create(User, made, desc="企业导师")
    return mentors + made


def _internship(ctx: Context, enterprise, rows: list, *, mentors=(), school_mentors=None, base_school=None):
    """Last school year's completed internship of ``rows`` (graduates of the last graduation) at
    ``enterprise``, in a base it built with ``base_school`` when it has none: the platform's evidence of
    its part (interns, mentors, bases over the twelve months before ``as_of``)."""
    rng = ctx.rng
    if not rows:
        return
    base = None
    if (
        base_school is not None
        and not PracticeBase.objects.filter(owner_enterprise=enterprise, active=True).exists()
    ):
        prefix = f"JDRH{ctx.as_of.year % 100:02d}"
        taken = set(PracticeBase.objects.filter(code__startswith=prefix).values_list("code", flat=True))
        number = next(n for n in range(1, 1000) if f"{prefix}{n:03d}" not in taken)
        base = PracticeBase(
            code=f"{prefix}{number:03d}",
            name=f"{base_school.name}—{enterprise.name}产教融合实习基地"[:100],
            kind=BaseKind.INTEGRATION,
            owner_school=base_school,
            owner_enterprise=enterprise,
            county=enterprise.county,
            capacity=rng.choice((40, 60, 80)),
            established=dt.date(ctx.as_of.year - rng.randint(2, 5), rng.randint(1, 12), 1),
        )
        ctx.bulk_create(PracticeBase, [base], desc="实习实训基地")
        majors = sorted({r.programme.major.pk for r in rows if r.student.school_id == base_school.pk})
        ctx.insert_rows(
            PracticeBase.majors.through, ("practicebase_id", "major_id"), [(base.pk, m) for m in majors]
        )
    year = ctx.last_graduation
    start, end = dt.date(year, 2, 24), dt.date(year, 6, 30)
    groups = defaultdict(list)
    for r in rows:
        groups[(r.student.school_major_id, r.student.grade)].append(r)
    plans, placements = [], []
    for key in sorted(groups):
        group = groups[key]
        first = group[0]
        plan = InternshipPlan(
            school_id=first.student.school_id,
            school_major_id=key[0],
            cohort=key[1],
            title=f"{first.programme.major.name}{key[1]}级{_short(enterprise.name)}岗位实习"[:100],
            period_start=start,
            period_end=end,
            planned_interns=len(group),
            planned_local=len(group) if placement_in_city(enterprise) else 0,
        )
        plans.append(plan)
        for r in group:
            placements.append(
                Placement(
                    plan=plan,
                    student=r.student,
                    enterprise=enterprise,
                    base=base,
                    school_mentor=(school_mentors or {}).get(r.student.school_id),
                    enterprise_mentor=mentors[len(placements) % len(mentors)] if mentors else None,
                    start_date=start + dt.timedelta(days=rng.randint(0, 6)),
                    end_date=end,
                    in_city=placement_in_city(enterprise),
                    status=PlacementStatus.COMPLETED,
                )
            )
    ctx.bulk_create(InternshipPlan, plans, desc="实习计划")
    ctx.bulk_create(Placement, placements, desc="实习安排")


# --- the step ----------------------------------------------------------------------------------------------
def make_certification(ctx: Context) -> None:
    """The titles, their applications, plaques, reviews and incentives; applications in every other state;
    part-time teachers' employers; ``demo-enterprise``'s evidence (module doc)."""
    rng, as_of = ctx.rng, ctx.as_of
    codes = ("CZ-FGW", "CZ-JYJ", "CZ-RSJ", *INCENTIVE_DEPARTMENTS)
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    if not {"CZ-FGW", "CZ-JYJ", "CZ-RSJ"} <= set(departments):
        return
    _ensure_setup(ctx, departments)
    accounts = _accounts(ctx)
    criteria = list(Criterion.objects.filter(active=True))
    maker = Maker(ctx, criteria, departments, accounts)

    demo_code = ctx.anchors.get("enterprise")
    demo_enterprise = next((e for e in ctx.enterprises if e.credit_code == demo_code), None)
    demo_school = next((s for s in ctx.schools if s.code == ctx.anchors.get("school")), None)
    local = [
        e
        for e in ctx.enterprises
        if e.registered_in_city and in_city(ctx, e.county) and e is not demo_enterprise
    ]
    figures = {}
    ids = [e.pk for e in local]
    for start in range(0, len(ids), 2000):  # within SQLite's limit of parameters at the province scale
        figures.update(evidence.figures(ids[start : start + 2000], as_of))
    jitter = {e.pk: rng.random() for e in local}

    def activity(e) -> float:
        """How much the enterprise already does on the platform (ties broken at random)."""
        return sum(1 for v in figures[e.pk].values() if v) + jitter[e.pk]

    large_medium = sorted(
        [e for e in local if e.size in (EnterpriseSize.LARGE, EnterpriseSize.MEDIUM)],
        key=activity,
        reverse=True,
    )
    smaller = sorted(
        [e for e in local if e.size not in (EnterpriseSize.LARGE, EnterpriseSize.MEDIUM)],
        key=lambda e: (e.size == EnterpriseSize.SMALL, activity(e)),
        reverse=True,
    )
    places = sum(MUNICIPAL_BATCHES.values()) + sum(1 for _back, upgrade in PROVINCIAL if not upgrade)
    n_large = min(len(large_medium), places, max(1, round(len(large_medium) * LARGE_MEDIUM_SHARE)))
    titled = large_medium[:n_large] + smaller[: places - n_large]
    # Provincial titles go to the largest of them; the rest are spread over the batches at random.
    by_size = sorted(titled, key=lambda e: (-e.employees, e.pk))
    provincial = by_size[: len(PROVINCIAL)]
    municipal = [e for e in titled if e not in provincial]
    rng.shuffle(municipal)

    # --- the titles, batch by batch ---
    def batch_day(back: int, months=(3, 11)) -> dt.date:
        day = dt.date(as_of.year - back, rng.randint(*months), rng.randint(5, 25))
        return min(day, as_of - dt.timedelta(days=20))

    titles: list[Title] = []
    batches: dict[int, list[Title]] = {}
    upgrades = [e for (_back, upgrade), e in zip(PROVINCIAL, provincial, strict=False) if upgrade]
    for back, count in MUNICIPAL_BATCHES.items():
        day = batch_day(back)
        members = list(upgrades) if back == UPGRADED_BATCH else []
        members += [municipal.pop() for _ in range(count - len(members)) if municipal]
        batches[back] = [Title(e, Level.MUNICIPAL, day) for e in members]
        titles += batches[back]
    for (back, upgrade), enterprise in zip(PROVINCIAL, provincial, strict=False):
        day = batch_day(back, (5, 9))
        title = Title(enterprise, Level.PROVINCIAL, day)
        if upgrade:
            old = next(t for t in titles if t.enterprise is enterprise)
            old.ends_on = day
        titles.append(title)
    fate_due = {}
    for fate, back, days in FATES:
        candidates = [t for t in batches.get(back, []) if t.ends_on is None and not t.fate]
        if not candidates:
            continue
        title = candidates[-1]
        title.fate = fate
        title.certified_on = add_years(as_of + dt.timedelta(days=days), -back)
        fate_due[id(title)] = add_years(title.certified_on, back)
    titles.sort(key=lambda t: (t.certified_on, t.level, t.enterprise.pk))

    # --- part-time teachers and the evidence of demo-enterprise and of the renewal under review ---
    held_enterprises = list(
        {
            t.enterprise.pk: t.enterprise
            for t in titles
            if t.fate not in (ReviewStatus.MISSED, ReviewStatus.FAILED)
        }.values()
    )
    titled_ids = {t.enterprise.pk for t in titles}
    _employers(
        ctx, demo_enterprise, held_enterprises, [e for e in local if e.pk not in titled_ids], demo_school
    )
    graduates = [
        r
        for r in ctx.objects.get("students", [])
        if r.graduated and r.graduation == ctx.last_graduation and r.student.pk is not None
    ]
    # the demo school's first, a class after another (one internship plan a class)
    graduates.sort(
        key=lambda r: (
            demo_school is None or r.student.school_id != demo_school.pk,
            r.student.school_major_id,
            r.student.pk,
        )
    )
    teacher = accounts.get("demo-teacher")
    if demo_enterprise is not None:
        _internship(
            ctx,
            demo_enterprise,
            graduates[:DEMO_INTERNS],
            mentors=_mentors(ctx, demo_enterprise, accounts),
            school_mentors={teacher.school_id: teacher} if teacher else None,
            base_school=demo_school,
        )
    renewal = next((t for t in titles if t.fate == ReviewStatus.SUBMITTED), None)
    if renewal is not None:
        rows = graduates[DEMO_INTERNS : DEMO_INTERNS + RENEWAL_INTERNS]
        school = next((s for s in ctx.schools if rows and s.pk == rows[0].student.school_id), None)
        _internship(ctx, renewal.enterprise, rows, base_school=school)

    # --- numbers (after any the database holds), applications, plaques, reviews, incentives ---
    existing = set(Certification.objects.values_list("number", flat=True)) | set(
        Plaque.objects.values_list("number", flat=True)
    )
    sequences = defaultdict(int)

    def number(prefix: str, year: int) -> str:
        while True:
            sequences[(prefix, year)] += 1
            value = f"{prefix}-{year}-{sequences[(prefix, year)]:03d}"
            if value not in existing:
                return value

    refs = {}
    for title in titles:
        day = title.certified_on
        if (title.level, day) not in refs:
            stem = "湘发改社会" if title.level == Level.PROVINCIAL else "郴发改社会"
            refs[(title.level, day)] = f"{stem}〔{day.year}〕{rng.randint(10, 300)}号"
        maker.title(title, number(LEVEL_PREFIX[title.level], day.year), refs[(title.level, day)])
    for title in titles:
        maker.review_history(title, fate_due.get(id(title)), renewal_evidence=title is renewal)
    for plaque in sorted(maker.plaques, key=lambda p: (p.awarded_on, p.cycle)):
        plaque.number = number("PAI", plaque.awarded_on.year)
    for enterprise_titles in _by_enterprise(titles).values():
        held = []
        for t in enterprise_titles:
            cert = t.certification
            held.append((cert, cert.certified_on, min(cert.ended_on or as_of, as_of)))
        maker.incentives_of(enterprise_titles[0].enterprise, held)

    # --- applications in every other state ---
    taken = titled_ids | ({demo_enterprise.pk} if demo_enterprise else set())
    pool = [e for e in large_medium + smaller if e.pk not in taken]
    _open_applications(maker, pool[:6])

    # --- insert, parents first ---
    ctx.bulk_create(Application, maker.applications, desc="认定申请", keep_timestamps=STAMPED)
    ctx.bulk_create(Opinion, maker.opinions, desc="部门意见", keep_timestamps=STAMPED)
    ctx.bulk_create(Certification, maker.certifications, desc="产教融合型企业", keep_timestamps=STAMPED)
    ctx.bulk_create(Plaque, maker.plaques, desc="授牌", keep_timestamps=STAMPED)
    ctx.bulk_create(Review, maker.reviews, desc="年度考核", keep_timestamps=STAMPED)
    ctx.bulk_create(Claim, maker.claims, desc="申报值", keep_timestamps=STAMPED)
    ctx.bulk_create(Document, maker.documents, desc="证明材料", keep_timestamps=STAMPED)
    ctx.bulk_create(Incentive, maker.incentives, desc="激励台账", keep_timestamps=STAMPED)


def _by_enterprise(titles: list[Title]) -> dict[int, list[Title]]:
    by = defaultdict(list)
    for t in titles:
        by[t.enterprise.pk].append(t)
    return by


def _open_applications(maker: Maker, enterprises: list) -> None:
    """This year's applications that are not certified, one enterprise each: a draft; one submitted and
    waiting for the lead department to accept it; one under review with 市人社局's opinion given and
    市教育局's pending (its interns claimed above the platform's figure); one returned; one rejected; one
    withdrawn. Their checklists are computed from the platform's records on the day they were submitted."""
    as_of, rng = maker.as_of, maker.rng
    level = Level.MUNICIPAL

    def days(n: int) -> dt.date:
        return as_of - dt.timedelta(days=n)

    def submit(app, enterprise, on: dt.date, *, overclaim=False):
        values = maker.claimed_only(level)
        figures = evidence.figures([enterprise.pk], on)[enterprise.pk]
        for c in maker.criteria:
            if c.measure in figures:
                values[c.pk] = figures[c.measure]
                if overclaim and c.measure == Measure.INTERNS:
                    values[c.pk] = max(figures[c.measure], c.threshold(level) or 0) + rng.randint(3, 9)
        maker.add_documents(app, on.year, app.submitted_at)
        lines = maker.computed_lines(app, enterprise.pk, level, on, values)
        app.checklist = evidence.snapshot(lines)
        maker.add_claims(app, values, app.submitted_at)
        return {line.criterion.measure: line for line in lines}

    states = iter(enterprises)
    # a draft with its investment figure only
    enterprise = next(states, None)
    if enterprise is None:
        return
    app = maker.application(enterprise, level, ApplicationStatus.DRAFT, None, days(6))
    app.updated_at = at(days(2), 11)
    claimed = maker.claimed_only(level)
    maker.add_claims(app, dict(list(claimed.items())[:1]), app.updated_at)

    enterprise = next(states, None)
    if enterprise is None:
        return
    app = maker.application(enterprise, level, ApplicationStatus.SUBMITTED, days(2), days(12))
    submit(app, enterprise, days(2))
    app.updated_at = app.submitted_at

    enterprise = next(states, None)
    if enterprise is None:
        return
    app = maker.application(enterprise, level, ApplicationStatus.UNDER_REVIEW, days(20), days(30))
    submit(app, enterprise, days(20), overclaim=True)
    maker.accept(app, days(8))
    app.updated_at = app.accepted_at
    maker.opinion(app, "CZ-JYJ", "", None)
    maker.opinion(app, "CZ-RSJ", OpinionStance.AGREE, days(3), "同意认定。")

    enterprise = next(states, None)
    if enterprise is None:
        return
    app = maker.application(enterprise, level, ApplicationStatus.RETURNED, days(70), days(80))
    lines = submit(app, enterprise, days(70), overclaim=True)
    maker.accept(app, days(66))
    maker.opinion(
        app, "CZ-JYJ", OpinionStance.CONDITIONAL, days(55), OPINION_TEXTS[OpinionStance.CONDITIONAL][0]
    )
    maker.opinion(app, "CZ-RSJ", OpinionStance.AGREE, days(58), "")
    interns = lines.get(Measure.INTERNS)
    found = (
        f"平台登记的近 12 个月实习学生为 {interns.computed:f} 人，"
        if interns and interns.computed is not None
        else ""
    )
    maker.decide(
        app,
        ApplicationStatus.RETURNED,
        days(45),
        f"{found}与申报人数不一致，请补充实习协议、实习学生名册和保险凭证后重新提交。",
    )

    enterprise = next(states, None)
    if enterprise is None:
        return
    app = maker.application(enterprise, level, ApplicationStatus.REJECTED, days(190), days(200))
    lines = submit(app, enterprise, days(190))
    maker.accept(app, days(185))
    text = "企业接收实习学生和共建基地情况不满足市级认定条件，暂不同意。"
    maker.opinion(app, "CZ-JYJ", OpinionStance.DISAGREE, days(175), text)
    maker.opinion(app, "CZ-RSJ", OpinionStance.DISAGREE, days(172), text)
    blocking = "、".join(line.criterion.name for line in lines.values() if line.blocking) or "必备条件"
    maker.decide(
        app,
        ApplicationStatus.REJECTED,
        days(160),
        f"经审核，不满足必备条件：{blocking}。欢迎条件成熟后再次申报。",
    )

    enterprise = next(states, None)
    if enterprise is None:
        return
    app = maker.application(enterprise, level, ApplicationStatus.WITHDRAWN, days(130), days(140))
    submit(app, enterprise, days(130))
    app.updated_at = at(days(118), 10)
