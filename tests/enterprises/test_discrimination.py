"""The discrimination check on real-looking postings: refused ones name the words and the law; lawful ones
(男女不限, 不查乙肝, 协助办理户口 …) pass."""

import pytest
from django.core.exceptions import ValidationError

from xiaoqitong.enterprises import discrimination
from xiaoqitong.enterprises.discrimination import CATEGORIES, TERMS_CSV, load_terms, scan

REFUSED = [
    # (posting text, the words the refusal must name, category)
    ("招聘数控车床操作工 5 名，限男性，能适应两班倒，月薪 5000-7000 元。", "限男性", "gender"),
    ("前台文员：女士优先，形象好，会使用办公软件。", "女士优先", "gender"),
    ("仓库管理员，仅限男性，要求有叉车证。", "仅限男性", "gender"),
    ("性别：男；学历：中专及以上；工作地点：郴州高新区。", "性别：男", "gender"),
    ("招聘女前台 2 名，负责来访接待。", "女前台", "gender"),
    ("质检员（女），细心负责，有电子厂经验者优先。", "（女）", "gender"),
    ("电工学徒，要求男性，持低压电工证。", "要求男性", "gender"),
    ("财务助理：已婚已育优先，工作稳定。", "已婚已育", "marriage"),
    ("行政专员：未婚，三年内不得生育。", "未婚", "marriage"),
    ("护理员：孕妇勿扰，需倒夜班。", "孕妇勿扰", "marriage"),
    ("入职体检含妊娠测试。", "妊娠测试", "marriage"),
    ("保安员：限本地户口，退伍军人优先。", "限本地户口", "hukou"),
    ("营业员：本地户籍，高中以上学历。", "本地户籍", "hukou"),
    ("普工若干，河南籍勿扰。", "河南籍勿扰", "hukou"),
    ("客服专员：限汉族，普通话标准。", "限汉族", "ethnicity"),
    ("厨师：少数民族勿扰。", "少数民族勿扰", "ethnicity"),
    ("食品包装工：乙肝携带者勿扰。", "乙肝", "health"),
    ("装配工：身体健康，四肢健全，无残疾。", "四肢健全", "disability"),
    ("销售代表：无宗教信仰。", "无宗教信仰", "religion"),
    ("礼仪接待：五官端正，形象气质佳。", "五官端正", "appearance"),
    # Found by the tester of issue 3 (the words are quoted as written, full-width letters included).
    ("保安员：仅限郴州户口，退伍军人优先。", "仅限郴州户口", "hukou"),
    ("营业员须为郴州户籍，高中以上学历。", "须为郴州户籍", "hukou"),
    ("普工：湖南籍，能吃苦耐劳。", "湖南籍", "hukou"),
    ("仓库管理员：郴州籍优先。", "郴州籍", "hukou"),
    ("送货司机：本地籍，熟悉市区道路。", "本地籍", "hukou"),
    ("收银员：有孕勿扰。", "有孕勿扰", "marriage"),
    ("保安：身高170以上男性。", "男性", "gender"),
    ("装卸工：男生优先，包食宿。", "男生优先", "gender"),
    ("搬运工：限男生。", "限男生", "gender"),
    ("物流分拣，只招男。", "只招男", "gender"),
    ("前台接待：仅限女。", "仅限女", "gender"),
    ("Sales representative：限ＭＡＬＥ。", "限ＭＡＬＥ", "gender"),
]

PASSED = [
    "岗位职责：操作数控车床加工零件。任职要求：中职及以上学历，数控相关专业，男女不限，能适应倒班。",
    "性别不限，有叉车证者优先，提供食宿。",
    "不限男女，五险一金，年终奖。",
    "性别：男女不限；婚否不限；户籍不限。",
    "公司可协助办理本地户口，提供人才公寓。",
    "入职需提供身份证、户口本复印件和毕业证。",
    "入职体检不查乙肝，乙肝携带者亦可应聘。",
    "已婚员工提供夫妻房，单身宿舍免费。",
    "女职工享受产假、哺乳假等法定假期。",
    "欢迎残疾人士应聘，提供无障碍工位。",
    "熟悉 PLC 编程，持电工证，熟悉三菱、西门子系统。",
    "女装设计师：负责女装款式设计，有淘宝女装经验优先。",
    "员工免费体检（不含孕检），带薪年休假。",
    "退役军人优先，党员优先。",
    # Ordinary words the tester of issue 3 checked, alone and in a sentence.
    "男女不限",
    "男女比例均衡",
    "适合应届毕业生",
    "户外作业",
    "女装设计",
    "孕婴用品",
    "男装",
    "团队男女比例均衡，氛围融洽，适合应届毕业生。",
    "户外作业，夏季发放防暑降温费。",
    "门店销售孕婴用品，有母婴店工作经验优先。",
    "男装导购：负责男装陈列与销售，提供男女生宿舍。",
    "入职需提交户口复印件和学籍证明。",
    "籍贯不限，欢迎外地求职者。",
]


@pytest.mark.parametrize(("text", "words", "category"), REFUSED)
def test_refused_postings_name_the_words(text, words, category):
    findings = [f for f in scan(text) if f.refuses]
    assert findings, text
    assert any(f.words == words and f.term.category == category for f in findings), [
        (f.words, f.term.category) for f in findings
    ]
    with pytest.raises(ValidationError) as excinfo:
        discrimination.check({"description": text})
    message = excinfo.value.message_dict["description"][0]
    assert f"“{words}”" in message
    assert "就业" in message or "法" in message  # the citation is named


@pytest.mark.parametrize("text", PASSED)
def test_lawful_postings_pass(text):
    assert [f.words for f in scan(text) if f.refuses] == []
    discrimination.check({"title": "数控车床操作工", "description": text})


def test_the_error_names_the_field_with_the_words():
    with pytest.raises(ValidationError) as excinfo:
        discrimination.check({"title": "招聘男性保安", "description": "工作认真负责，男女不限"})
    errors = excinfo.value.message_dict
    assert set(errors) == {"title"}


def test_men_and_women_not_limited_then_a_preference_is_still_refused():
    # An allow word clears only its own clause.
    assert [f.words for f in scan("男女不限，女性优先")] == ["女性优先"]


def test_full_width_and_spaces_do_not_hide_terms():
    # Matched on the normalized text, quoted as the user wrote it.
    assert [f.words for f in scan("限 男 性")] == ["限 男 性"]
    assert [f.words for f in scan("性别：女")] == ["性别：女"]
    assert [f.words for f in scan("限ＭＡＬＥ")] == ["限ＭＡＬＥ"]
    assert [f.words for f in scan("Female only")] == ["Female only"]


def test_the_refusal_quotes_the_original_words():
    with pytest.raises(ValidationError) as excinfo:
        discrimination.check({"description": "质检员（女），限ＭＡＬＥ"})
    message = excinfo.value.message_dict["description"][0]
    assert "“（女）”" in message and "“限ＭＡＬＥ”" in message
    assert "(女)" not in message and "限MALE" not in message


def test_line_breaks_are_clause_breaks():
    # An allow word on one line does not clear the next line.
    assert [f.words for f in scan("男女不限\n女性优先")] == ["女性优先"]


def test_age_and_height_are_only_warnings():
    findings = scan("年龄 18-35 岁，身高 165cm 以上")
    assert {f.term.category for f in findings} == {"age", "appearance"}
    assert not any(f.refuses for f in findings)
    discrimination.check({"description": "年龄 18-35 岁，身高 165cm 以上"})  # does not raise
    assert discrimination.warnings({"description": "年龄35岁以下"})


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("身高170以上男性", "身高170以上"),
        ("身高 165cm 以上", "身高 165cm 以上"),
        ("身高1.70米以上", "身高1.70米以上"),
        ("体重50kg以下", "体重50kg以下"),
        ("身高要求160-175cm", "身高要求160-175cm"),
    ],
)
def test_a_warning_quotes_the_whole_phrase(text, phrase):
    assert [f.words for f in discrimination.warnings({"description": text})] == [phrase]


def test_a_warning_does_not_hide_an_overlapping_refusal():
    findings = scan("身高170以上男性")
    assert [(f.words, f.refuses) for f in findings] == [("身高170以上", False), ("男性", True)]
    with pytest.raises(ValidationError, match="“男性”"):
        discrimination.check({"description": "身高170以上男性"})


def test_the_term_file_is_complete_and_cited():
    terms = load_terms(TERMS_CSV)
    assert len(terms) >= 30
    assert {t.category for t in terms} >= {"gender", "ethnicity", "hukou", "marriage", "health", "age"}
    assert all(t.source for t in terms)
    assert all(t.category in CATEGORIES for t in terms)
    gender = [t for t in terms if t.category == "gender"]
    assert all("就业促进法" in t.source and "妇女权益保障法" in t.source for t in gender)
    assert any("第二十条" in t.source for t in terms)
    age = [t for t in terms if t.category == "age"]
    assert age and all(t.severity == "warn" and "未列举年龄" in t.source for t in age)


def test_a_broken_row_is_named(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text(
        "term,pattern,allow,category,severity,source\n限男,(限男,,gender,refuse,x\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="line 2"):
        load_terms(path)
