"""Tables of certificates, exam centres and competitions: awards (student, certificate, number), centres
with their sessions' totals and pass rate, sessions with their pass rate, competitions with their number of
awards, and competition awards."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.formats import day_text, percent_text

from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession

ATTRS = {"class": "table table-sm table-hover align-middle"}


def _link(record, text) -> str:
    return format_html('<a href="{}">{}</a>', record.get_absolute_url(), text)


class CertificateAwardTable(tables.Table):
    number = tables.Column(linkify=True)
    school = tables.Column(
        verbose_name=_("学校"), accessor="student__school__name", order_by=("student__school__code",)
    )
    student_no = tables.Column(verbose_name=_("学号"), accessor="student__student_no")
    name = tables.Column(verbose_name=_("姓名"), accessor="student__name")
    certificate = tables.Column(verbose_name=_("证书"), order_by=("certificate__name", "certificate__level"))
    kind = tables.Column(
        verbose_name=_("类别"), accessor="certificate__kind", order_by=("certificate__kind",)
    )
    awarded_on = tables.Column(verbose_name=_("发证日期"))

    class Meta:
        model = CertificateAward
        fields = ("number", "school", "student_no", "name", "certificate", "kind", "awarded_on", "issuer")
        attrs = ATTRS

    def render_kind(self, record):
        return record.certificate.get_kind_display()

    def render_awarded_on(self, value):
        return day_text(value)


class ExamCentreTable(tables.Table):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    session_count = tables.Column(verbose_name=_("考试场次"))
    candidates_total = tables.Column(verbose_name=_("报考人次"))
    passed_total = tables.Column(verbose_name=_("通过人次"))
    pass_rate = tables.Column(verbose_name=_("通过率"), empty_values=(), orderable=False)
    active = tables.BooleanColumn(yesno="是,否")

    class Meta:
        model = ExamCentre
        fields = (
            "code",
            "name",
            "school",
            "capacity",
            "active",
            "session_count",
            "candidates_total",
            "passed_total",
        )
        attrs = ATTRS

    def render_pass_rate(self, record):
        return percent_text(record.passed_total, record.candidates_total)


class ExamSessionTable(tables.Table):
    session = tables.Column(verbose_name=_("场次"), empty_values=(), order_by=("-date",))
    centre = tables.Column(verbose_name=_("考点"), order_by=("centre__code",))
    certificate = tables.Column(verbose_name=_("证书"), order_by=("certificate__name",))
    date = tables.Column(verbose_name=_("考试日期"))
    pass_rate = tables.Column(verbose_name=_("通过率"), empty_values=(), orderable=False)

    class Meta:
        model = ExamSession
        fields = ("session", "centre", "certificate", "date", "candidates", "passed", "pass_rate")
        attrs = ATTRS

    def render_session(self, record):
        return _link(record, day_text(record.date))

    def render_date(self, value):
        return day_text(value)

    def render_pass_rate(self, record):
        return percent_text(record.passed, record.candidates)


class CompetitionTable(tables.Table):
    name = tables.Column(linkify=True)
    award_count = tables.Column(verbose_name=_("获奖数"))
    school_count = tables.Column(verbose_name=_("获奖学校数"))

    class Meta:
        model = Competition
        fields = ("year", "level", "name", "organizer", "held_on", "award_count", "school_count")
        attrs = ATTRS

    def render_held_on(self, value):
        return day_text(value)


class CompetitionAwardTable(tables.Table):
    award = tables.Column(verbose_name=_("获奖"), empty_values=(), order_by=("competition", "prize"))
    competition = tables.Column(verbose_name=_("赛事"), order_by=("-competition__year", "competition__name"))
    winner = tables.Column(verbose_name=_("获奖学生或团队"), empty_values=(), orderable=False)
    teacher = tables.Column(verbose_name=_("指导教师"), accessor="teacher__name")

    class Meta:
        model = CompetitionAward
        fields = ("award", "competition", "school", "event", "prize", "winner", "teacher")
        attrs = ATTRS

    def render_award(self, record):
        return _link(record, record.get_prize_display())

    def render_winner(self, record):
        return record.student.name if record.student_id else record.team
