"""Tokenizing Chinese text for search: python-jieba against rjieba (the jieba-rs binding), same run.

    .venv/bin/python bench/bench_tokenize.py              # 1,000 texts, best of 3
    .venv/bin/python bench/bench_tokenize.py --texts 5000 --repeat 5

Makes realistic texts (half position descriptions, half student profiles) from the shipped catalogs
(majors, skills, certificates, chains, counties), loads the same user dictionary into both tokenizers (the
catalog words that ``xiaoqitong.core.search`` adds) and prints, for each: dictionary load time, ms per text
in search-engine mode (what indexing runs) and precise mode (what a query runs), and the project's whole
``tokenize`` pipeline. Then compares the tokens text by text: raw, and after the project's normalization
(the tokens that are stored). python-jieba is not a dependency of the project: ``pip install jieba``.
"""

import argparse
import csv
import logging
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xiaoqitong.core.search import Tokenizer, dictionary_words  # noqa: E402

DATA = ROOT / "src" / "xiaoqitong" / "reference" / "data"


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def catalog_names() -> list[str]:
    """The names the project's word sources return (orgs/search.py), read from the catalog files."""
    names = [r["name"] for r in _rows("majors.csv")]
    names += [r["name"] for r in _rows("industries.csv")]
    names += [r["name"] for r in _rows("industry_chains.csv")]
    names += [r["name"] for r in _rows("certificates.csv")]
    names += [r["name"] for r in _rows("regions.csv") if r["level"] in {"province", "city", "county", "park"}]
    for r in _rows("skills.csv"):
        names.append(r["name"])
        names += [s for s in r["synonyms"].split("|") if s]
    return names


# --- realistic texts ------------------------------------------------------------------------------
ROLES = ["操作工", "技术员", "助理工程师", "专员", "学徒", "储备干部", "实习生", "调试员", "维修工", "主管"]
DUTIES = [
    "按照作业指导书完成日常生产任务",
    "做好设备的日常点检、保养和故障记录",
    "严格执行安全操作规程和6S现场管理",
    "配合班组长完成产品质量自检与互检",
    "参与新产品试制和工艺改进",
    "填写生产报表并及时反馈异常情况",
    "协助工程师完成现场调试与技术文档整理",
    "服从车间安排，适应两班倒",
    "负责客户来访接待与售后技术支持",
    "完成领导交办的其他工作",
]
REQUIREMENTS = [
    "中职及以上学历，{major}等相关专业优先",
    "高职专科及以上学历，{major}、相关专业应届毕业生均可",
    "熟悉{skill}，能看懂基本图纸",
    "持有{cert}证书者优先",
    "身体健康，吃苦耐劳，有团队合作精神",
    "有1年以上{skill}相关工作经验者优先，优秀实习生可转正",
    "熟练使用办公软件，具备良好的沟通能力",
]
BENEFITS = [
    "月薪{low}-{high}元，五险一金，包吃包住",
    "综合薪资{low}-{high}元/月，带薪年假，节日福利",
    "试用期{low}元，转正后{high}元起，提供免费技能培训",
    "底薪加绩效，月收入{low}-{high}元，厂区提供员工宿舍",
]
SCHOOLS = [
    "郴州职业技术学院",
    "郴州技师学院",
    "郴州思科职业技术学院",
    "湖南省郴州工业交通学校",
    "郴州综合职业中专学校",
    "安仁县职业中专",
    "嘉禾县第二职业学校",
    "桂阳县职业技术教育学校",
]
PROJECTS = [
    "学校技能竞赛集训",
    "校企合作订单班项目",
    "企业现代学徒制培养",
    "省级职业院校技能大赛",
    "专业实训基地的设备维护",
    "教师工作室的横向课题",
]


def make_texts(n: int, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    majors = [r["name"] for r in _rows("majors.csv") if r["item"] == "major"]
    skills = _rows("skills.csv")
    certs = [r["name"] for r in _rows("certificates.csv")]
    chains = [r["name"] for r in _rows("industry_chains.csv")]
    counties = [
        r["name"] for r in _rows("regions.csv") if r["code"].startswith("4310") and r["level"] == "county"
    ]
    texts = []
    for i in range(n):
        skill = rng.choice(skills)
        same = [s["name"] for s in skills if s["category"] == skill["category"]]
        picked = rng.sample(same, min(len(same), rng.randint(2, 4)))
        cert = rng.choice(certs)
        county = rng.choice(counties)
        major = rng.choice(majors)
        low = rng.randrange(3000, 6000, 500)
        if i % 2 == 0:
            title = rng.choice(
                [f"{skill['name']}{rng.choice(ROLES)}", f"{skill['category']}{rng.choice(ROLES)}"]
            )
            duties = rng.sample(DUTIES, 3)
            lines = [
                f"{title}（{rng.randint(2, 20)}人）",
                f"岗位职责：1.负责{picked[0]}相关工作，{duties[0]}；2.{duties[1]}；3.{duties[2]}。",
                "任职要求："
                + "；".join(
                    r.format(major=major, skill="、".join(picked[1:]) or picked[0], cert=cert)
                    for r in rng.sample(REQUIREMENTS, 3)
                )
                + "。",
                rng.choice(BENEFITS).format(low=low, high=low + rng.randrange(1000, 4000, 500)) + "。",
                f"工作地点：郴州市{county}。",
            ]
        else:
            lines = [
                f"本人就读于{rng.choice(SCHOOLS)}{major}专业，{rng.randint(2019, 2025)}级，",
                f"熟练掌握{'、'.join(picked)}，取得{cert}证书。",
                f"在校期间参与{rng.choice(PROJECTS)}，在企业完成{rng.randint(1, 6)}个月顶岗实习。",
                f"希望从事{rng.choice(chains)}产业链相关岗位，意向工作地{county}，期望月薪{low}元。",
            ]
        texts.append("".join(lines))
    return texts


# --- measuring ------------------------------------------------------------------------------------
def per_text_ms(func, texts, repeat: int) -> float:
    """Best of ``repeat`` passes over all texts, in milliseconds per text."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            func(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000 / len(texts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    texts = make_texts(args.texts)
    words = dictionary_words(catalog_names())
    chars = statistics.mean(len(t) for t in texts)
    print(
        f"{len(texts)} texts, {chars:.0f} characters on average; user dictionary: {len(words)} catalog words"
    )
    print(f"sample: {texts[0][:80]}…")
    try:
        import jieba
    except ImportError:
        # Not a dependency of the project: the figures for the tokenizer in use are still worth having.
        print("python-jieba is not installed (pip install jieba): rjieba alone\n")
        started = time.perf_counter()
        rs = Tokenizer(words)
        print(f"{'dictionary load + user words (s)':34}{time.perf_counter() - started:10.4f}")
        print(f"{'search mode, ms/text':34}{per_text_ms(rs.cutter.cut_for_search, texts, args.repeat):10.4f}")
        print(f"{'precise mode, ms/text':34}{per_text_ms(rs.cutter.cut, texts, args.repeat):10.4f}")
        print(f"{'project tokenize(), ms/text':34}{per_text_ms(rs.tokens, texts, args.repeat):10.4f}")
        return 0
    jieba.setLogLevel(logging.WARNING)

    started = time.perf_counter()
    py_cutter = jieba.Tokenizer()
    py_cutter.initialize()
    py = Tokenizer(words, cutter=py_cutter)
    py_load = time.perf_counter() - started
    started = time.perf_counter()
    rs = Tokenizer(words)
    rs_load = time.perf_counter() - started

    py_search = per_text_ms(lambda t: list(py_cutter.cut_for_search(t)), texts, args.repeat)
    rs_search = per_text_ms(rs.cutter.cut_for_search, texts, args.repeat)
    py_cut = per_text_ms(lambda t: list(py_cutter.cut(t)), texts, args.repeat)
    rs_cut = per_text_ms(rs.cutter.cut, texts, args.repeat)
    py_full = per_text_ms(py.tokens, texts, args.repeat)
    rs_full = per_text_ms(rs.tokens, texts, args.repeat)

    print()
    print(f"{'':34}{'jieba ' + jieba.__version__:>16}{'rjieba ' + rjieba_version():>16}{'ratio':>8}")
    rows = [
        ("dictionary load + user words (s)", py_load, rs_load),
        ("search mode, ms/text", py_search, rs_search),
        ("precise mode, ms/text", py_cut, rs_cut),
        ("project tokenize(), ms/text", py_full, rs_full),
    ]
    for label, a, b in rows:
        print(f"{label:34}{a:16.4f}{b:16.4f}{a / b:7.1f}x")

    raw_same = sum(list(py_cutter.cut_for_search(t)) == rs.cutter.cut_for_search(t) for t in texts)
    differing = [t for t in texts if py.tokens(t) != rs.tokens(t)]
    query_same = sum(py.query(t[:30]) == rs.query(t[:30]) for t in texts)
    print()
    print(f"identical raw search-mode tokens:       {raw_same}/{len(texts)}")
    same_sets = sum(set(py.tokens(t)) == set(rs.tokens(t)) for t in texts)
    print(f"identical stored tokens (normalized):   {len(texts) - len(differing)}/{len(texts)}")
    print(f"  ... as sets (what a search matches):  {same_sets}/{len(texts)}")
    print(f"identical query trees (first 30 chars): {query_same}/{len(texts)}")
    for t in differing[:3]:
        a, b = py.tokens(t), rs.tokens(t)
        extra = [x for x in b if b.count(x) > a.count(x)]
        missing = [x for x in a if a.count(x) > b.count(x)]
        print(f"  differs: {t[:40]}… jieba has more {missing[:6]}, rjieba has more {extra[:6]}")
    for t in texts[:400]:
        a, b = list(py_cutter.cut_for_search(t)), rs.cutter.cut_for_search(t)
        if a != b:
            print("  raw example:", sorted(set(a) ^ set(b))[:8])
            break
    return 0


def rjieba_version() -> str:
    from importlib.metadata import version

    return version("rjieba")


if __name__ == "__main__":
    sys.exit(main())
