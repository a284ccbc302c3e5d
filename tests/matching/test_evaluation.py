"""Offline evaluation of matching: metrics, the labels file and its checks, the shipped set, the command."""

import copy
import io
import json
import math

import pytest
from django.core.management import CommandError, call_command

from xiaoqitong.enterprises.models import Position, PositionCertificate, PositionSkill
from xiaoqitong.matching import evaluation
from xiaoqitong.matching.evaluation import (
    BASELINE,
    DEFAULT_LABELS,
    ENGINE,
    LabelsError,
    evaluate,
    load_labels,
    mean_metrics,
    ndcg_at_k,
    parse_labels,
    recall_at_k,
    reciprocal_rank,
)
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.orgs.validators import make_credit_code
from xiaoqitong.reference.models import Region
from xiaoqitong.schools.models import SchoolMajor, Student, StudentSkill

from ..orgs.factories import EnterpriseFactory

pytestmark = pytest.mark.usefixtures("reference_data")

MODELS = (
    Position,
    PositionSkill,
    PositionCertificate,
    Enterprise,
    School,
    SchoolMajor,
    Student,
    StudentSkill,
)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


# --- metrics -------------------------------------------------------------------------------------------
def test_recall_counts_relevant_items_in_the_first_k():
    grades = {"a": 2, "b": 1, "c": 0, "d": 1}  # relevant: a, b, d
    assert recall_at_k(["a", "x", "b", "d"], grades, 3) == pytest.approx(2 / 3)
    assert recall_at_k(["a", "x", "b", "d"], grades, 4) == 1.0
    assert recall_at_k(["c", "x"], grades, 10) == 0.0  # a grade-0 label is not relevant
    assert recall_at_k([], grades, 10) == 0.0
    with pytest.raises(ValueError):
        recall_at_k(["a"], {"a": 0}, 10)


def test_ndcg_against_hand_computed_values():
    grades = {"a": 2, "b": 1}
    # DCG of (b, a) = (2^1-1)/log2(2) + (2^2-1)/log2(3) = 1 + 1.892789 = 2.892789
    # ideal (a, b)  = 3/1 + 1/log2(3) = 3.630930
    assert ndcg_at_k(["b", "a"], grades, 10) == pytest.approx(0.796708, abs=1e-6)
    assert ndcg_at_k(["a", "b"], grades, 10) == pytest.approx(1.0)
    # an unlabelled item in front: (x, a, b) = 3/log2(3) + 1/log2(4) = 1.892789 + 0.5
    assert ndcg_at_k(["x", "a", "b"], grades, 10) == pytest.approx(2.392789 / 3.630930, abs=1e-6)
    # cut at k: only the first item counts, and the ideal is cut too (a alone: 3)
    assert ndcg_at_k(["b", "a"], grades, 1) == pytest.approx(1 / 3)
    assert ndcg_at_k(["x", "y"], grades, 10) == 0.0
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a": 0, "b": 0}, 10)


def test_reciprocal_rank_of_the_first_relevant_item():
    grades = {"a": 1, "b": 2, "c": 0}
    assert reciprocal_rank(["c", "x", "a", "b"], grades, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank(["b"], grades, 10) == 1.0
    assert reciprocal_rank(["c", "x", "a"], grades, 2) == 0.0  # outside the first k
    assert reciprocal_rank([], grades, 10) == 0.0


def test_mean_metrics_skips_students_without_a_relevant_item():
    grades = {"s1": {"a": 2}, "s2": {"b": 1, "c": 1}, "s3": {"d": 0}}
    rankings = {"s1": ["x", "a"], "s2": ["b"], "s3": ["d"]}
    m = mean_metrics(rankings, grades, 10)
    assert m.students == 2
    assert m.recall == pytest.approx((1 + 0.5) / 2)
    assert m.mrr == pytest.approx((0.5 + 1) / 2)
    # s1: 3/log2(3) / 3; s2: 1 / (1 + 1/log2(3))
    assert m.ndcg == pytest.approx((1 / math.log2(3) + 1 / (1 + 1 / math.log2(3))) / 2)
    # a student missing from the rankings has ranked nothing
    assert mean_metrics({"s1": ["a"]}, grades, 10).recall == pytest.approx(0.5)
    with pytest.raises(ValueError):
        mean_metrics(rankings, {"s3": {"d": 0}}, 10)
    with pytest.raises(ValueError):
        mean_metrics(rankings, grades, 0)


# --- a tiny labelled set whose ranking is obvious --------------------------------------------------------
def tiny() -> dict:
    """One 中职 数控 graduate; a 数控 operator job (2), a hotel job, and a 数控 job for 职业本科 only."""
    cnc = "按图纸操作数控车床加工轴类零件，做好首件自检和设备保养。要求数控技术应用专业，会数控车削编程。"
    return {
        "format": evaluation.FORMAT,
        "title": "小标注集",
        "as_of": "2026-06-20",
        "enterprises": [
            {"key": "E1", "name": "评测机械厂", "industry": "C3484", "county": "431000P02"},
            {"key": "E2", "name": "评测酒店", "industry": "H6110", "county": "431081"},
        ],
        "positions": [
            {
                "key": "P1",
                "enterprise": "E1",
                "title": "数控车床操作工",
                "description": cnc,
                "type": "full_time",
                "min_education": "secondary",
                "county": "431000P02",
                "salary_min": 4500,
                "salary_max": 6500,
                "majors": ["660103"],
                "required_skills": ["数控车削编程"],
                "bonus_certificates": ["1X-015-J"],
            },
            {
                "key": "P2",
                "enterprise": "E2",
                "title": "酒店前台接待",
                "description": "负责宾客入住和退房登记、客房预订，普通话标准。",
                "type": "full_time",
                "min_education": "secondary",
                "county": "431081",
                "majors": ["740104"],
                "required_skills": ["酒店前厅服务"],
            },
            {
                "key": "P3",
                "enterprise": "E1",
                "title": "数控技术应用工程师",
                "description": "数控车床数控车削编程与数控技术应用工艺改进，要求职业本科，数控技术专业。",
                "type": "full_time",
                "min_education": "vocational_bachelor",
                "county": "431000P02",
                "majors": ["260103"],
                "required_skills": ["数控车削编程"],
            },
        ],
        "students": [
            {
                "key": "S1",
                "major": "660103",
                "status": "graduated",
                "grade": 2023,
                "hometown": "431003",
                "skills": ["数控车削编程", "机械制图"],
                "preferred_counties": ["431000P02"],
                "preferred_types": ["full_time"],
                "salary_expectation": 4500,
            }
        ],
        "labels": [
            {"student": "S1", "position": "P1", "grade": 2},
            {"student": "S1", "position": "P3", "grade": 0, "note": "学历不够"},
        ],
    }


@pytest.mark.django_db
def test_tiny_set_ranks_as_expected_and_leaves_nothing_behind():
    before = row_counts()
    labels = parse_labels(tiny())
    result = evaluate(labels, k=10)
    assert row_counts() == before
    engine, baseline = result.rankings[ENGINE]["S1"], result.rankings[BASELINE]["S1"]
    assert engine == ["P1", "P2"]  # P3 wants 职业本科: filtered out; the hotel job last
    assert baseline[0] == "P3" and set(baseline) == {"P1", "P2", "P3"}  # text alone prefers P3
    assert (result.engine.recall, result.engine.ndcg, result.engine.mrr) == (1.0, 1.0, 1.0)
    assert result.baseline.mrr == 0.5
    assert result.baseline.ndcg == pytest.approx(3 / math.log2(3) / 3)
    assert result.engine.students == 1
    assert result.k == 10
    assert evaluation.grade_counts(labels) == {0: 1, 1: 0, 2: 1}


@pytest.mark.django_db
def test_rolls_back_when_ranking_fails(monkeypatch):
    before = row_counts()

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluation.MatchIndex, "build", boom)
    with pytest.raises(RuntimeError):
        evaluate(parse_labels(tiny()))
    assert row_counts() == before


@pytest.mark.django_db
def test_throwaway_records_avoid_codes_in_use():
    """The file may run on a live database: the school and enterprise codes it creates are ones no row has."""
    first = evaluate(parse_labels(tiny()))
    county = Region.objects.get(code="431002")
    School.objects.create(
        code="9900000000", name="精准对接评测学校（中职）", school_type="secondary", county=county
    )
    for division in ("431000", "431081"):  # the first credit codes the tiny set's two enterprises would take
        EnterpriseFactory(credit_code=make_credit_code(division, 99_000_000))
    before = row_counts()
    assert evaluate(parse_labels(tiny())).rankings == first.rankings
    assert row_counts() == before


# --- refusing bad files ---------------------------------------------------------------------------------
def mutate(change):
    data = tiny()
    change(data)
    return data


def position(data, i=0):
    return data["positions"][i]


def student(data, i=0):
    return data["students"][i]


BAD = [
    # (change, words the message must contain)
    (lambda d: d.update(format="other-1"), ["格式", "other-1"]),
    (lambda d: d.pop("as_of"), ["缺少字段", "as_of"]),
    (lambda d: d.update(extra=1), ["未知字段", "extra"]),
    (lambda d: d.update(as_of="2026/06/20"), ["as_of", "YYYY-MM-DD"]),
    (lambda d: d.update(positions=[]), ["没有岗位"]),
    (lambda d: d.update(students=[]), ["没有学生"]),
    (lambda d: position(d).update(skils=["焊接"]), ["岗位“P1”", "未知字段", "skils"]),
    (lambda d: position(d).pop("title"), ["岗位“P1”", "缺少字段", "title"]),
    (lambda d: position(d).update(title=" "), ["岗位“P1”", "title", "非空"]),
    (lambda d: position(d, 1).update(key="P1"), ["岗位", "P1", "重复"]),
    (lambda d: position(d).update(enterprise="E9"), ["岗位“P1”", "enterprise", "E9"]),
    (lambda d: position(d).update(type="part_time"), ["岗位“P1”", "type", "part_time"]),
    (lambda d: position(d).update(min_education="phd"), ["岗位“P1”", "min_education", "phd"]),
    (lambda d: position(d).update(county="431000"), ["岗位“P1”", "county", "地级"]),
    (lambda d: position(d).update(county="999999"), ["岗位“P1”", "county", "999999"]),
    (lambda d: position(d).update(majors=["999999"]), ["岗位“P1”", "majors", "999999"]),
    (lambda d: position(d).update(major_classes=["9999"]), ["岗位“P1”", "major_classes", "9999"]),
    (
        lambda d: position(d).update(required_skills=["数控车削编程", "数控车削编程"]),
        ["required_skills", "重复"],
    ),
    (lambda d: position(d).update(required_skills=["会开飞船"]), ["岗位“P1”", "required_skills", "会开飞船"]),
    (lambda d: position(d).update(required_skills=["数控车"]), ["required_skills", "同义词", "数控车削编程"]),
    (lambda d: position(d).update(bonus_skills=["数控车削编程"]), ["岗位“P1”", "bonus_skills", "必备"]),
    (lambda d: position(d).update(bonus_certificates=["NOPE"]), ["岗位“P1”", "bonus_certificates", "NOPE"]),
    (lambda d: position(d).update(salary_min=7000), ["岗位“P1”", "salary_max", "下限"]),
    (lambda d: position(d).update(salary_max="6500"), ["岗位“P1”", "salary_max", "整数"]),
    (lambda d: position(d).update(start_date="下个月"), ["岗位“P1”", "start_date", "YYYY-MM-DD"]),
    (lambda d: position(d).update(headcount=0), ["岗位“P1”", "headcount"]),
    (lambda d: d["enterprises"][0].update(industry="C34"), ["企业“E1”", "industry", "小类"]),
    (lambda d: d["enterprises"][0].update(industry="Z9999"), ["企业“E1”", "industry", "Z9999"]),
    (lambda d: d["enterprises"][0].update(size="huge"), ["企业“E1”", "size", "huge"]),
    (lambda d: d["enterprises"].append(dict(d["enterprises"][0])), ["企业", "E1", "重复"]),
    (lambda d: student(d).update(major="999999"), ["学生“S1”", "major", "999999"]),
    (lambda d: student(d).update(status="dropped"), ["学生“S1”", "status", "dropped"]),
    (lambda d: student(d).update(grade=1990), ["学生“S1”", "grade"]),
    (lambda d: student(d).update(hometown="431000P01"), ["学生“S1”", "hometown", "园区"]),
    (lambda d: student(d).update(skills="焊接"), ["学生“S1”", "skills", "列表"]),
    (lambda d: student(d).update(preferred_chains=["mars"]), ["学生“S1”", "preferred_chains", "mars"]),
    (lambda d: student(d).update(preferred_types=["gig"]), ["学生“S1”", "preferred_types", "gig"]),
    (lambda d: student(d).update(certificates=["1X-015-J"]), ["学生“S1”", "未知字段", "certificates"]),
    (lambda d: d["labels"][0].update(grade=3), ["第 1 条标注", "grade", "3"]),
    (lambda d: d["labels"][0].update(grade=True), ["第 1 条标注", "grade", "整数"]),
    (lambda d: d["labels"][0].update(student="S9"), ["第 1 条标注", "student", "S9"]),
    (lambda d: d["labels"][1].update(position="P9"), ["第 2 条标注", "position", "P9"]),
    (
        lambda d: d["labels"].append({"student": "S1", "position": "P1", "grade": 1}),
        ["第 3 条标注", "已经标注"],
    ),
    (lambda d: d["labels"][0].update(grade=0), ["没有等级为 1 或 2"]),
    (lambda d: d["labels"].append(["S1", "P2", 1]), ["labels", "对象"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "words"), BAD, ids=[" ".join(w) for _, w in BAD])
def test_refuses_bad_files(change, words):
    with pytest.raises(LabelsError) as caught:
        parse_labels(mutate(change))
    message = str(caught.value)
    for word in words:
        assert word in message, message


@pytest.mark.django_db
def test_the_tiny_set_itself_is_accepted():
    labels = parse_labels(copy.deepcopy(tiny()))
    assert [p["key"] for p in labels.positions] == ["P1", "P2", "P3"]
    assert labels.grades == {"S1": {"P1": 2, "P3": 0}}
    assert labels.labelled_pairs == 2 and labels.relevant_pairs == 1


@pytest.mark.django_db
def test_load_refuses_unreadable_and_invalid_json(tmp_path):
    with pytest.raises(LabelsError, match="无法读取"):
        load_labels(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(LabelsError, match="不是有效的 JSON"):
        load_labels(broken)
    not_object = tmp_path / "list.json"
    not_object.write_text("[]", encoding="utf-8")
    with pytest.raises(LabelsError, match="应为对象"):
        load_labels(not_object)


# --- the shipped set ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped(django_db_setup, django_db_blocker, reference_data):
    """The shipped set, evaluated once for the module."""
    with django_db_blocker.unblock():
        return evaluate(load_labels(), k=10)


def test_shipped_set_is_installed_and_sized_as_documented(shipped):
    assert DEFAULT_LABELS.is_file()
    labels = shipped.labels
    assert 50 <= len(labels.positions) <= 80
    assert 40 <= len(labels.students) <= 60
    assert all(any(g >= 1 for g in own.values()) for own in labels.grades.values())
    # the traps the set is meant to hold are there (docs/design/matching-labels.md)
    assert sum("但岗位是" in p.get("note", "") for p in labels.positions) >= 3
    data = json.loads(DEFAULT_LABELS.read_text(encoding="utf-8"))
    notes = [label.get("note", "") for label in data["labels"]]
    assert sum("学历低于" in n for n in notes) >= 5
    assert sum("无共同词" in n for n in notes) >= 3
    assert any(s["status"] == "studying" for s in labels.students)


def test_engine_beats_text_only_baseline_on_shipped_set(shipped):
    engine, baseline = shipped.engine, shipped.baseline
    assert engine.students == baseline.students == len(shipped.labels.students)
    assert engine.ndcg > baseline.ndcg
    assert engine.recall > baseline.recall
    assert engine.mrr >= baseline.mrr
    for m in (engine, baseline):
        assert 0 <= m.recall <= 1 and 0 <= m.ndcg <= 1 and 0 <= m.mrr <= 1
    # every ranking lists known positions, at most k, without repeats
    keys = {p["key"] for p in shipped.labels.positions}
    for method in (ENGINE, BASELINE):
        for ranked in shipped.rankings[method].values():
            assert len(ranked) == len(set(ranked)) <= 10 and set(ranked) <= keys


# --- the command ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_command_prints_the_metrics_and_leaves_no_rows():
    before = row_counts()
    out = io.StringIO()
    call_command("eval_matching", stdout=out)
    text = out.getvalue()
    assert row_counts() == before
    for word in ("Recall@10", "NDCG@10", "MRR", "精准对接引擎", "仅文本 BM25 基线", "已回滚"):
        assert word in text, text
    result = evaluate(load_labels())
    engine_line = next(line for line in text.splitlines() if line.startswith("精准对接引擎"))
    assert engine_line.split()[1:] == [
        f"{result.engine.recall:.3f}",
        f"{result.engine.ndcg:.3f}",
        f"{result.engine.mrr:.3f}",
    ]


@pytest.mark.django_db
def test_command_options_and_errors(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny(), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("eval_matching", "--labels", str(path), "--k", "1", "--verbosity", "2", stdout=out)
    text = out.getvalue()
    assert "Recall@1" in text and "NDCG@1" in text
    assert "学生 S1" in text and "P1:2" in text  # the per-student details at verbosity 2
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(mutate(lambda d: student(d).update(major="999999")), ensure_ascii=False), "utf-8"
    )
    with pytest.raises(CommandError, match=r"学生“S1”的字段“major”"):
        call_command("eval_matching", "--labels", str(bad), stdout=io.StringIO())
    with pytest.raises(CommandError, match="--k"):
        call_command("eval_matching", "--k", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="无法读取"):
        call_command("eval_matching", "--labels", str(tmp_path / "none.json"), stdout=io.StringIO())
