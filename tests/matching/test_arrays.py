"""The engine's arrays read from the database, the snapshot command and recommendations for a student."""

import datetime as dt
import io
import json

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from xiaoqitong.matching import arrays, services
from xiaoqitong.matching.arrays import IdMap, build_catalog, position_arrays, student_arrays
from xiaoqitong.matching.engine import NO_POSITION, MatchIndex
from xiaoqitong.reference.models import (
    Certificate,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Region,
    Skill,
)
from xiaoqitong.schools.models import Student, StudentSkill

from ..enterprises.factories import GraduateOutcomeFactory, PositionFactory, PublishedPositionFactory, in_days
from ..schools.factories import ASSOCIATE_MAJOR, SchoolMajorFactory, StudentFactory, major
from .factories import away, cnc_posting, cnc_student, hotel_posting, skill

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker, reference_data):
    with django_db_blocker.unblock():
        return build_catalog()


def rank(catalog, student, **kwargs) -> tuple[list[int], MatchIndex, object]:
    index = MatchIndex.build(catalog.catalog, position_arrays(catalog, **kwargs))
    students = student_arrays(catalog, Student.objects.filter(pk=student.pk), **kwargs)
    ids, _ = index.top_k(students, [0], k=10)
    return [int(i) for i in ids[0] if i != NO_POSITION], index, students


# --- catalog -------------------------------------------------------------------------------------------
def test_catalog_sizes_and_relations(catalog, db):
    c = catalog.catalog
    assert c.n_majors == Major.objects.count()
    assert c.n_classes == MajorClass.objects.count()
    assert c.n_categories == MajorCategory.objects.count()
    assert c.n_families == MajorFamily.objects.count()
    assert c.n_chains == c.n_links == IndustryChain.objects.count()
    assert c.n_skills == Skill.objects.count()
    assert c.n_certs == Certificate.objects.count()
    city = Region.objects.filter(level__in=["county", "park"], code__startswith=settings.XQT_CITY_CODE[:4])
    assert c.n_counties == city.count() > 0
    assert c.n_education_levels == 4 and c.n_salary_buckets == arrays.N_SALARY_BUCKETS

    cnc = Major.objects.get(code="660103")
    m = catalog.majors.id(cnc.pk)
    assert catalog.major_classes.key(c.major_class[m]) == cnc.major_class_id
    assert catalog.major_categories.key(c.class_category[c.major_class[m]]) == cnc.major_class.category_id
    # 数控技术应用 (中职) and 数控技术 (高职) are one family
    assert c.major_family[m] == c.major_family[catalog.majors.id(major(ASSOCIATE_MAJOR).pk)] >= 0
    # the 专业类 6601 supplies the 装备制造 chain
    equipment = catalog.chains.id(IndustryChain.objects.get(code="equipment").pk)
    assert equipment in c.major_links[m].indices.tolist()
    # the most specific industry prefix wins: C34 is 装备制造, C3415 新能源
    assert catalog.chain_of_industry("C3411") == equipment
    assert catalog.chain_of_industry("C3415") == catalog.chains.id(
        IndustryChain.objects.get(code="new-energy").pk
    )
    assert catalog.chain_of_industry("S9100") == -1  # 中国共产党机关: no chain
    assert catalog.chain_of_industry("") == -1

    # item names are tokenized into the one vocabulary; other words share the id len(vocabulary)
    plc = catalog.skills.id(skill("PLC编程").pk)
    words = {w for w, i in catalog.vocabulary.items() if i in set(c.skill_tokens.row(plc).tolist())}
    assert "plc" in words and "可编程控制器" in words  # its synonyms count as its name
    assert catalog.token_ids("zzqx") == [len(catalog.vocabulary)]


def test_catalog_fingerprint_is_stable(catalog, db):
    assert build_catalog().catalog.fingerprint == catalog.catalog.fingerprint


def test_id_maps_round_trip(catalog, db):
    maps = ("majors", "major_classes", "major_categories", "families", "chains", "skills", "certificates")
    for name in (*maps, "counties", "education", "position_types"):
        id_map = getattr(catalog, name)
        keys = list(id_map.keys)
        assert id_map.keys_of(id_map.ids(keys)) == keys
        assert id_map.ids(keys) == list(range(len(keys)))
    assert list(catalog.majors.keys) == list(Major.objects.order_by("code").values_list("pk", flat=True))
    assert list(catalog.skills.keys) == sorted(catalog.skills.keys)
    assert catalog.majors.id(-5) == -1 and catalog.majors.ids([-5, catalog.majors.key(3)]) == [3]
    with pytest.raises(ValueError):
        IdMap([1, 1])

    first, second = cnc_posting(), hotel_posting()
    positions = position_arrays(catalog)
    assert positions.ids.tolist() == sorted([first.pk, second.pk])
    row = positions.ids.tolist().index(first.pk)
    assert catalog.skills.keys_of(positions.req_skills[row].indices) == [skill("PLC编程").pk]
    assert catalog.skills.keys_of(positions.bonus_skills[row].indices) == [skill("数控车削编程").pk]
    assert catalog.majors.keys_of(positions.wanted_majors[row].indices) == [major().pk]


# --- the arrays -----------------------------------------------------------------------------------------
def test_position_fields(catalog, db):
    county = Region.objects.get(code="431002")
    full_time = cnc_posting(start_date=in_days(30), salary_min=4500, salary_max=6500, county=county)
    started = cnc_posting(
        start_date=in_days(-30), salary_min=3000, salary_max=None, min_education="associate"
    )
    intern = cnc_posting(position_type="internship", salary_min=None, salary_max=None)
    outside = hotel_posting(county=away())
    wide = PublishedPositionFactory()
    wide.major_classes.add(major().major_class)  # 6601: every major of the class
    wide.major_categories.add(Major.objects.get(code="740101").major_class.category)  # 74 旅游大类

    p = position_arrays(catalog)
    row = {pk: i for i, pk in enumerate(p.ids.tolist())}
    today = arrays.day_number(timezone.localdate())
    assert p.start_day[row[full_time.pk]] == today + 30
    assert p.start_day[row[started.pk]] == today  # already started: today
    assert p.start_day[row[intern.pk]] == arrays.OPEN_DAY  # for students in school: no date filter
    assert p.salary_bucket[row[full_time.pk]] == arrays.salary_bucket(6500) == 4
    assert p.salary_bucket[row[started.pk]] == 1  # no upper pay: the lower one
    assert p.salary_bucket[row[intern.pk]] == -1
    assert p.min_edu[row[started.pk]] == 1 and p.min_edu[row[full_time.pk]] == 0
    assert catalog.counties.key(p.county[row[full_time.pk]]) == county.pk
    assert p.in_city[row[full_time.pk]] and not p.in_city[row[outside.pk]]
    assert p.county[row[outside.pk]] == -1
    assert catalog.position_types.key(p.ptype[row[intern.pk]]) == "internship"
    equipment = catalog.chains.id(IndustryChain.objects.get(code="equipment").pk)
    assert p.chain[row[full_time.pk]] == p.link[row[full_time.pk]] == equipment  # the factory's C3874
    # a whole 专业类 or 大类 wanted stays one (not every major of it: that would read as an exact match)
    assert p.wanted_majors[row[wide.pk]].nnz == 0
    assert catalog.major_classes.keys_of(p.wanted_classes[row[wide.pk]].indices) == [major().major_class_id]
    tourism = Major.objects.get(code="740101").major_class.category_id
    assert catalog.major_categories.keys_of(p.wanted_categories[row[wide.pk]].indices) == [tourism]
    assert catalog.majors.keys_of(p.wanted_majors[row[full_time.pk]].indices) == [major().pk]
    text = p.tokens.row(row[full_time.pk]).tolist()
    assert catalog.vocabulary["数控"] in text and catalog.vocabulary["plc"] in text  # title and skill names


def test_salary_buckets():
    assert arrays.salary_bucket(None) == -1
    assert arrays.salary_bucket(1500) == arrays.salary_bucket(2999) == 0
    assert arrays.salary_bucket(3000) == 1
    assert arrays.salary_bucket(14999) == 12
    assert arrays.salary_bucket(15000) == arrays.salary_bucket(80000) == arrays.N_SALARY_BUCKETS - 1


def test_student_fields(catalog, db):
    home = Region.objects.get(code="431002")
    in_school = StudentFactory(expected_graduation=in_days(200), hometown=home, salary_expectation=5200)
    in_school.preferred_position_types = ["internship", "unknown"]
    in_school.save()
    in_school.preferred_counties.add(home)
    chain = IndustryChain.objects.get(code="equipment")
    in_school.preferred_chains.add(chain)
    StudentSkill.objects.create(student=in_school, skill=skill("PLC编程"))
    leaving = StudentFactory(status="graduated")
    leaving.preferred_counties.add(away())
    higher = StudentFactory(school_major=SchoolMajorFactory(major=major(ASSOCIATE_MAJOR)), status="interning")

    s = student_arrays(catalog)
    row = {pk: i for i, pk in enumerate(s.ids.tolist())}
    today = arrays.day_number(timezone.localdate())
    i = row[in_school.pk]
    assert catalog.majors.key(s.major[i]) == major().pk
    assert s.edu[i] == 0 and s.edu[row[higher.pk]] == 1
    assert s.avail_day[i] == arrays.day_number(in_days(200))
    assert s.avail_day[row[leaving.pk]] == today
    # no expected graduation: June 30 of entry year + 学制 (3 years), at the earliest today
    expected = max(dt.date(higher.grade + 3, 6, 30), timezone.localdate())
    assert s.avail_day[row[higher.pk]] == arrays.day_number(expected)
    assert catalog.counties.key(s.county[i]) == home.pk
    assert s.min_salary_bucket[i] == 3 and s.min_salary_bucket[row[leaving.pk]] == -1
    assert s.stay[i] and s.stay[row[higher.pk]] and not s.stay[row[leaving.pk]]
    assert catalog.skills.keys_of(s.skills[i].indices) == [skill("PLC编程").pk]
    assert catalog.chains.keys_of(s.pref_chains[i].indices) == [chain.pk]
    assert catalog.position_types.keys_of(s.pref_types[i].indices) == ["internship"]
    assert s.certs.nnz == 0


def test_matchable_students(catalog, db):
    studying = StudentFactory()
    interning = StudentFactory(status="interning")
    looking = StudentFactory(status="graduated")
    unemployed = GraduateOutcomeFactory(outcome="unemployed", employer_name="", in_city=None).student
    employed = GraduateOutcomeFactory().student
    dropped = StudentFactory(status="dropped")
    further = StudentFactory(status="further_study")
    ids = set(student_arrays(catalog).ids.tolist())
    assert {studying.pk, interning.pk, looking.pk, unemployed.pk} <= ids
    assert not ids & {employed.pk, dropped.pk, further.pk}


# --- ranking and filters --------------------------------------------------------------------------------
def test_cnc_student_ranks_cnc_posting_first(catalog, db):
    hotel, cnc = hotel_posting(), cnc_posting()
    student = cnc_student()
    ranked, index, students = rank(catalog, student)
    assert ranked == [cnc.pk, hotel.pk]
    good, bad = index.explain(students, 0, [cnc.pk, hotel.pk])
    assert good.score > bad.score + 0.2
    assert good.major_level == "major" and bad.major_level == "none"
    assert good.missing_required_skills == [] and good.components["req_skill"] > 0
    assert good.components["text"] > bad.components["text"]
    assert catalog.skills.keys_of(bad.missing_required_skills) == [skill("酒店前厅服务").pk]


def test_education_filter(catalog, db):
    associate_only = cnc_posting(min_education="associate")
    open_to_all = cnc_posting()
    secondary = cnc_student()
    assert rank(catalog, secondary)[0] == [open_to_all.pk]
    higher = cnc_student(school_major=SchoolMajorFactory(major=major(ASSOCIATE_MAJOR)))
    assert set(rank(catalog, higher)[0]) == {associate_only.pk, open_to_all.pk}
    _, index, students = rank(catalog, secondary)
    (why,) = index.explain(students, 0, [associate_only.pk])
    assert why.hard_filters == ("education",)


def test_date_filter_spares_internships(catalog, db):
    full_time = cnc_posting()
    later = cnc_posting(start_date=in_days(300))
    intern = cnc_posting(position_type="internship")
    in_school = cnc_student(status="studying", expected_graduation=in_days(200))
    assert set(rank(catalog, in_school)[0]) == {later.pk, intern.pk}
    assert full_time.pk in rank(catalog, cnc_student())[0]


def test_drafts_and_expired_postings_are_left_out(catalog, db):
    published = cnc_posting()
    last_day = cnc_posting(valid_until=timezone.localdate())
    left_out = [
        PositionFactory(),  # draft
        PositionFactory(status="submitted"),
        PositionFactory(status="returned"),
        PublishedPositionFactory(valid_until=in_days(-1)),
        PositionFactory(status="expired", valid_until=in_days(-1)),
        PositionFactory(status="closed"),
    ]
    ids = position_arrays(catalog).ids.tolist()
    assert ids == sorted([published.pk, last_day.pk])
    assert not set(ids) & {p.pk for p in left_out}
    # another day: the one valid until today is no longer open tomorrow
    tomorrow = position_arrays(catalog, on=in_days(1)).ids.tolist()
    assert tomorrow == [published.pk]


# --- the command and the services -----------------------------------------------------------------------
def test_command_writes_a_snapshot(catalog, db, tmp_path):
    cnc, hotel = cnc_posting(), hotel_posting()
    out = io.StringIO()
    path = tmp_path / "index.npz"
    call_command("build_match_index", "--output", str(path), stdout=out)
    text = out.getvalue()
    assert "读取岗位：2 / 2" in text and "岗位 2 个" in text and "已保存快照" in text
    index = MatchIndex.load(path, catalog=catalog.catalog, weights=services.match_weights())
    assert index.position_ids.tolist() == sorted([cnc.pk, hotel.pk])
    meta = json.loads(path.with_name("index.npz.json").read_text())
    assert meta["version"] == index.version and meta["on"] == timezone.localdate().isoformat()
    assert not list(tmp_path.glob("*.tmp"))

    call_command("build_match_index", stdout=io.StringIO())
    default = settings.VAR_DIR / "matching" / "positions.npz"
    assert default.exists()
    loaded = services.load_snapshot(catalog)
    assert loaded is not None and loaded[0].position_ids.tolist() == sorted([cnc.pk, hotel.pk])
    assert services.current_index(catalog).version == loaded[0].version  # the snapshot, not a new build

    hotel.title = "酒店前台"
    hotel.save()  # changed after the snapshot: it stays usable, the change goes through the delta segment
    loaded = services.load_snapshot(catalog)
    assert loaded is not None and loaded[1] < hotel.updated_at
    index = services.current_index(catalog)
    assert (
        index.version == loaded[0].version and hotel.pk in index and index.delta_fraction == 1.0
    )  # 1 tombstone + 1 new, of 2
    assert services.load_snapshot(catalog, on=in_days(1)) is None  # another day: other positions are open


def test_command_without_positions(db, tmp_path):
    PositionFactory()
    with pytest.raises(CommandError, match="没有已发布且在有效期内的岗位"):
        call_command("build_match_index", "--output", str(tmp_path / "x.npz"), stdout=io.StringIO())
    assert not (tmp_path / "x.npz").exists()


def test_scores_are_match_fractions(catalog, db):
    cnc_posting()
    student = cnc_student()
    _, index, students = rank(catalog, student)
    _, scores = index.top_k(students, [0], k=1)
    assert 0 < scores[0, 0] <= services.match_weights().max_score + 1e-6
    assert np.isfinite(scores[0, 0])
