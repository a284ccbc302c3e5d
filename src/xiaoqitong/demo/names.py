"""Word lists and tables that make generated names, sizes and places read like a real city.

Everything here is demo material. The real schools are the ones 郴政发〔2021〕9号 names; their counties
and enrolment sizes are plausible values for a demonstration, not official statistics.
"""

from xiaoqitong.orgs.choices import Ownership, SchoolType

CITY_CODE = "431000"  # 郴州市: the city whose real schools and counties the demo uses
CITY_SHORT = "郴州"
AREA_CODE = "0735"  # 郴州's telephone area code
# Telephone area codes of 湖南's cities (province scale) and the areas with eight-digit local numbers.
HUNAN_AREA_CODES = {
    "430100": "0731",
    "430200": "0731",
    "430300": "0731",
    "430400": "0734",
    "430500": "0739",
    "430600": "0730",
    "430700": "0736",
    "430800": "0744",
    "430900": "0737",
    "431000": "0735",
    "431100": "0746",
    "431200": "0745",
    "431300": "0738",
    "433100": "0743",
}
EIGHT_DIGIT_AREAS = {"020", "0755", "0769", "0757", "0731"}

# The ten schools the policy names (二（一）, 三（四）), with a plausible county and a full-time enrolment of
# the right order of magnitude in the current school year (demo values, not official statistics).
# (name, type, ownership, county code, full-time students in the current school year)
REAL_SCHOOLS: list[tuple[str, str, str, str, int]] = [
    ("郴州职业技术学院", SchoolType.ASSOCIATE, Ownership.PUBLIC, "431003", 13_600),
    ("郴州技师学院", SchoolType.TECHNICIAN, Ownership.PUBLIC, "431003", 7_800),
    ("郴州思科职业技术学院", SchoolType.ASSOCIATE, Ownership.PRIVATE, "431002", 6_200),
    ("郴州远恒佳职业技术学院", SchoolType.ASSOCIATE, Ownership.PRIVATE, "431003", 4_100),
    ("郴州开放大学", SchoolType.OPEN, Ownership.PUBLIC, "431002", 900),  # formerly 郴州广播电视大学
    ("郴州工业交通学校", SchoolType.SECONDARY, Ownership.PUBLIC, "431002", 4_300),
    ("郴州综合职中", SchoolType.SECONDARY, Ownership.PUBLIC, "431003", 3_200),
    ("安仁县职业学校", SchoolType.SECONDARY, Ownership.PUBLIC, "431028", 3_000),
    ("嘉禾县第二职业学校", SchoolType.SECONDARY, Ownership.PUBLIC, "431024", 2_400),
    ("桂阳县职业技术教育学校", SchoolType.SECONDARY, Ownership.PUBLIC, "431021", 5_200),
]
HOME_SCHOOL = "郴州职业技术学院"  # the demo school administrator's, teacher's and student's school
SECOND_SCHOOL = "郴州工业交通学校"  # demo-teacher2's school (another school sharing teaching resources)

# Generated schools: share of each type, then (min, max) full-time students in the current school year by
# type and ownership.
SCHOOL_TYPE_WEIGHTS = {
    "city": [(SchoolType.SECONDARY, 82), (SchoolType.TECHNICIAN, 15), (SchoolType.ASSOCIATE, 3)],
    "province": [
        (SchoolType.SECONDARY, 72),
        (SchoolType.TECHNICIAN, 14),
        (SchoolType.ASSOCIATE, 12),
        (SchoolType.BACHELOR, 1),
        (SchoolType.OPEN, 1),
    ],
}
PRIVATE_SHARE = {
    SchoolType.SECONDARY: 0.15,
    SchoolType.TECHNICIAN: 0.2,
    SchoolType.ASSOCIATE: 0.3,
    SchoolType.BACHELOR: 0.3,
    SchoolType.OPEN: 0.0,
}
ENROLMENT_RANGE = {
    (SchoolType.SECONDARY, Ownership.PUBLIC): (900, 4_800),
    (SchoolType.SECONDARY, Ownership.PRIVATE): (300, 2_000),
    (SchoolType.TECHNICIAN, Ownership.PUBLIC): (1_500, 7_000),
    (SchoolType.TECHNICIAN, Ownership.PRIVATE): (600, 3_000),
    (SchoolType.ASSOCIATE, Ownership.PUBLIC): (6_000, 16_000),
    (SchoolType.ASSOCIATE, Ownership.PRIVATE): (2_500, 9_000),
    (SchoolType.BACHELOR, Ownership.PUBLIC): (12_000, 22_000),
    (SchoolType.BACHELOR, Ownership.PRIVATE): (8_000, 16_000),
    (SchoolType.OPEN, Ownership.PUBLIC): (300, 1_500),
    (SchoolType.OPEN, Ownership.PRIVATE): (300, 1_500),
}

SCHOOL_SPECIALTIES = [
    "工业",
    "商贸",
    "农业",
    "卫生",
    "旅游",
    "信息",
    "财经",
    "建筑",
    "交通",
    "艺术",
    "机电",
    "电子",
    "幼儿师范",
    "林业",
    "化工",
    "汽车",
]
ORDINALS = ["第一", "第二", "第三", "第四", "第五"]
COLLEGE_SPECIALTIES = [
    "工业",
    "商务",
    "信息",
    "交通",
    "卫生",
    "财经",
    "电子",
    "机电",
    "化工",
    "建筑",
    "农业",
    "汽车",
    "科技",
    "艺术",
    "体育",
    "旅游",
    "安全",
    "环境",
    "现代物流",
    "软件",
    "生物机电",
    "有色金属",
    "医药",
    "水利电力",
    "民政",
]

# 字号 (trade names) are two of these characters.
TRADE_CHARS = (
    "华鑫宏盛达恒信金泰瑞丰源兴隆福林湘南天宇博创佳嘉诚德永安康明凯越科新旺远航正通和美联"
    "晨光辉峰弘润昌荣卓优力海云腾飞翔升鸿祥锦汇益民众合利顺成志伟振东泽亿聚景耀银广富强"
)
# 字号 that read as famous brands or need approval are left out.
TRADE_BLOCKLIST = {
    "华为",
    "华润",
    "中兴",
    "中联",
    "中信",
    "中建",
    "中铁",
    "中华",
    "中国",
    "国泰",
    "美的",
    "长城",
    "东方",
    "天虹",
    "大华",
    "华夏",
    "宏达",
    "金龙",
    "联想",
    "海尔",
    "恒大",
    "万达",
    "明日",
    "天安",
    "安康",
    "永安",
    "华安",
    "新华",
    "光明",
    "和平",
    "天和",
    "正泰",
    "顺丰",
    "天天",
    "远航",
    "聚美",
    "宇通",
    "泰康",
    "众合",
    "振华",
    "海信",
    "康美",
    "富强",
    "民生",
}

# Industry words by 小类 keyword (checked first), then by 大类 (two-digit numeric code), then by 门类.
INDUSTRY_WORDS_BY_KEYWORD: list[tuple[str, list[str]]] = [
    ("中药材种植", ["中药材", "药材种植"]),
    ("康复辅具", ["康复器械", "医疗器械"]),
    ("医疗", ["医疗器械", "医疗设备"]),
    ("医用", ["医疗器械", "医用材料"]),
    ("供应链", ["供应链", "供应链管理"]),
    ("光纤", ["光纤", "光通信"]),
    ("光缆", ["光缆", "线缆"]),
    ("乳", ["乳业"]),
    ("中药", ["中药", "药业", "中药饮片"]),
    ("药品零售", ["大药房", "医药连锁"]),
    ("药品批发", ["医药", "医药贸易"]),
    ("稀土", ["稀土", "稀土材料"]),
    ("贵金属", ["贵金属", "稀贵金属"]),
    ("银冶炼", ["银业", "贵金属"]),
    ("石墨", ["石墨", "石墨新材料"]),
    ("茶", ["茶业", "茶叶"]),
    ("酒制造", ["酒业"]),
    ("光伏", ["光伏", "新能源"]),
    ("风力", ["风电", "新能源"]),
    ("太阳能", ["光伏", "新能源"]),
    ("锂", ["锂电", "新能源"]),
    ("电池", ["电池", "新能源", "储能"]),
    ("养老", ["养老服务", "康养"]),
    ("护理", ["护理服务", "康养"]),
    ("旅行社", ["旅行社", "国际旅行社"]),
    ("游览景区", ["旅游开发", "景区管理"]),
    ("酒店", ["酒店", "酒店管理"]),
    ("旅游饭店", ["酒店", "大酒店"]),
    ("民宿", ["民宿", "文旅"]),
    ("蔬菜", ["蔬菜", "农业开发"]),
    ("水果", ["果业", "生态农业"]),
    ("谷物磨制", ["米业", "粮食"]),
    ("油加工", ["粮油", "油脂"]),
    ("饲料", ["饲料"]),
    ("水产", ["水产", "水产食品"]),
    ("肉", ["肉类食品", "食品"]),
    ("医院", ["医院"]),
    ("诊所", ["诊所"]),
    ("托儿", ["托育服务"]),
    ("金矿", ["黄金矿业", "矿业"]),
    ("钨", ["钨业"]),
    ("锡", ["锡业"]),
    ("铋", ["铋业"]),
    ("锑", ["锑业"]),
    ("铅锌", ["铅锌矿业", "有色矿业"]),
    ("生猪", ["生猪养殖", "牧业"]),
    ("家禽", ["禽业", "养殖"]),
    ("冷藏", ["冷链物流", "冷链"]),
    ("快递", ["快递", "速递"]),
    ("仓储", ["仓储", "物流"]),
    ("软件", ["软件", "信息技术"]),
    ("集成电路", ["微电子", "半导体"]),
    ("数据", ["数据科技", "大数据"]),
    ("机床", ["机床", "数控机床"]),
    ("矿山", ["矿山机械", "矿山设备"]),
    ("汽车零部件", ["汽车零部件", "汽配"]),
]
INDUSTRY_WORDS_BY_DIVISION: dict[str, list[str]] = {
    "01": ["农业开发", "生态农业", "农业科技"],
    "02": ["林业", "苗木"],
    "03": ["牧业", "养殖"],
    "04": ["水产", "渔业"],
    "05": ["农业科技", "农业服务"],
    "06": ["煤业"],
    "08": ["矿业"],
    "09": ["矿业", "有色矿业"],
    "10": ["矿业", "非金属矿业"],
    "13": ["食品", "农产品加工"],
    "14": ["食品", "食品科技"],
    "15": ["茶业", "饮品", "酒业"],
    "17": ["纺织"],
    "18": ["服饰", "制衣"],
    "20": ["木业", "竹木制品"],
    "21": ["家具"],
    "22": ["纸业", "包装"],
    "23": ["印务", "包装印刷"],
    "24": ["工艺品", "文体用品"],
    "26": ["化工", "新材料", "化学"],
    "27": ["制药", "药业", "生物医药"],
    "28": ["化纤"],
    "29": ["塑业", "塑胶", "橡塑"],
    "30": ["新材料", "建材", "陶瓷", "玻璃"],
    "31": ["钢铁", "冶金"],
    "32": ["有色金属", "冶炼", "金属材料"],
    "33": ["金属制品", "五金"],
    "34": ["机械", "机电", "通用设备"],
    "35": ["重工", "机械设备", "专用设备", "智能装备"],
    "36": ["汽车零部件", "汽车"],
    "37": ["轨道交通装备", "装备"],
    "38": ["电气", "电机", "电器", "线缆"],
    "39": ["电子", "电子科技", "光电", "通信设备"],
    "40": ["仪器仪表", "测控"],
    "42": ["再生资源", "资源循环"],
    "43": ["设备维修", "机电维修"],
    "44": ["电力", "能源", "新能源"],
    "45": ["燃气", "能源"],
    "46": ["水务"],
    "47": ["建设", "建工"],
    "48": ["路桥", "建设工程"],
    "49": ["安装工程"],
    "50": ["装饰"],
    "51": ["贸易", "商贸"],
    "52": ["商贸", "商业"],
    "53": ["铁路物流"],
    "54": ["运输", "物流", "汽车运输"],
    "55": ["航运"],
    "56": ["航空"],
    "58": ["物流", "供应链", "货运代理"],
    "59": ["仓储", "物流"],
    "60": ["快递", "速递"],
    "61": ["酒店", "酒店管理"],
    "62": ["餐饮", "餐饮管理"],
    "63": ["通信", "网络"],
    "64": ["网络科技", "互联网"],
    "65": ["信息技术", "软件", "数据科技"],
    "72": ["文化传播", "会展", "旅游"],
    "73": ["科技", "技术研究院"],
    "74": ["检测", "技术服务"],
    "75": ["科技"],
    "77": ["环保", "生态环境"],
    "78": ["旅游开发", "景区管理"],
    "80": ["家政", "养老服务"],
    "81": ["维修服务"],
    "83": ["教育科技", "职业培训"],
    "84": ["医疗", "健康管理", "康复"],
    "85": ["养老服务", "康养"],
    "86": ["文化传媒"],
    "87": ["影视", "文化传媒"],
    "88": ["文化艺术", "文化"],
    "89": ["体育", "体育发展"],
    "90": ["文化娱乐", "旅游"],
}
INDUSTRY_WORDS_BY_SECTION: dict[str, list[str]] = {
    "A": ["农业开发"],
    "B": ["矿业"],
    "C": ["实业", "科技"],
    "D": ["能源"],
    "E": ["建设"],
    "F": ["商贸"],
    "G": ["物流"],
    "H": ["酒店"],
    "I": ["信息技术"],
    "L": ["商务服务"],
    "M": ["科技"],
    "N": ["环境"],
    "O": ["服务"],
    "P": ["教育科技"],
    "Q": ["健康"],
    "R": ["文化"],
}

# 国统字〔2017〕213号 employee thresholds (large_min, medium_min, small_min) by 大类 ranges; the
# industries it classifies by revenue only get the 工业 thresholds, which keep sizes plausible.
_INDUSTRIAL = (1000, 300, 20)
_OTHER = (300, 100, 10)
SIZE_THRESHOLDS_BY_DIVISION: dict[str, tuple[int, int, int]] = {
    **{f"{n:02d}": _INDUSTRIAL for n in range(6, 47)},  # 采矿、制造、电力燃气水
    **{f"{n:02d}": _INDUSTRIAL for n in range(47, 51)},  # 建筑 (revenue-based; industrial bands)
    "51": (200, 20, 5),
    "52": (300, 50, 10),  # 批发、零售
    **{f"{n:02d}": _INDUSTRIAL for n in range(53, 59)},  # 交通运输
    "59": (200, 100, 20),
    "60": (1000, 300, 20),  # 仓储、邮政
    "61": (300, 100, 10),
    "62": (300, 100, 10),  # 住宿、餐饮
    "63": (2000, 100, 10),
    "64": (2000, 100, 10),
    "65": (300, 100, 10),  # 信息传输、软件
}
SIZE_THRESHOLDS_DEFAULT = _OTHER

# Share of enterprises by size: most small and micro, a few large.
SIZE_WEIGHTS = [("large", 2), ("medium", 10), ("small", 40), ("micro", 48)]

# Enterprises per area (county-level units and parks of 郴州), relative weights.
AREA_WEIGHTS = {
    "北湖区": 12,
    "苏仙区": 12,
    "资兴市": 8,
    "桂阳县": 9,
    "宜章县": 7,
    "永兴县": 8,
    "嘉禾县": 5,
    "临武县": 5,
    "汝城县": 4,
    "桂东县": 3,
    "安仁县": 4,
    "郴州高新区": 10,
    "郴州经开区": 8,
}
AREA_WEIGHT_DEFAULT = 5
# Where a chain is strong (chain keyword -> area -> multiplier): 永兴 稀贵金属, 资兴 东江湖大数据 …
CHAIN_AREA_AFFINITY: dict[str, dict[str, float]] = {
    "稀贵金属": {"永兴县": 6, "桂阳县": 3, "苏仙区": 2, "临武县": 2},
    "新一代信息技术": {"资兴市": 3, "郴州高新区": 3, "北湖区": 1.5},
    "装备制造": {"郴州高新区": 2.5, "郴州经开区": 2.5, "嘉禾县": 3},
    "新材料": {"郴州经开区": 2, "桂阳县": 2, "临武县": 2, "宜章县": 1.5},
    "新能源": {"郴州经开区": 2, "宜章县": 2},
    "医药": {"郴州经开区": 1.5, "安仁县": 2},
    "现代物流": {"北湖区": 2, "苏仙区": 2, "郴州经开区": 1.5},
    "健康养老": {"北湖区": 2, "苏仙区": 2},
    "文化旅游": {"资兴市": 2.5, "汝城县": 2.5, "桂东县": 3, "苏仙区": 1.5},
    "现代特色农业": {"汝城县": 2, "桂东县": 2, "安仁县": 2.5, "临武县": 2, "宜章县": 2, "嘉禾县": 1.5},
    "": {"郴州高新区": 0.3, "郴州经开区": 0.3},  # chains not listed: services keep out of the parks
}
CHAIN_WEIGHTS = {
    "装备制造": 16,
    "新一代信息技术": 10,
    "新能源": 7,
    "新材料": 10,
    "医药": 7,
    "现代物流": 12,
    "健康养老": 8,
    "文化旅游": 12,
    "现代特色农业": 12,
    "稀贵金属": 6,
}
CHAIN_WEIGHT_DEFAULT = 8
ANCHOR_CHAIN = "装备制造"  # the demo enterprise's chain …
ANCHOR_INDUSTRY_PREFIXES = ("C35", "C34")  # … and a 专用/通用设备 小类 under it where the chain has one

REGISTERED_IN_CITY_SHARE = 0.9
# Where the other tenth are registered: (division code, name prefix, telephone area code).
OUTSIDE_REGISTRATIONS = [
    ("430100", "长沙", "0731"),
    ("430100", "湖南", "0731"),
    ("440300", "深圳市", "0755"),
    ("440100", "广州", "020"),
    ("441900", "东莞市", "0769"),
    ("440600", "佛山市", "0757"),
    ("430400", "衡阳", "0734"),
    ("430200", "株洲", "0731"),
    ("360700", "赣州", "0797"),
]

ROADS_CITY = [
    "郴州大道",
    "五岭大道",
    "国庆北路",
    "人民西路",
    "青年大道",
    "香雪路",
    "燕泉路",
    "南岭大道",
    "骆仙路",
    "苏仙北路",
    "南湖路",
    "裕后路",
    "北湖路",
    "东风路",
    "八一路",
    "文化路",
    "桔井路",
    "飞虹路",
    "王仙岭路",
    "白鹿洞路",
]
ROADS_COUNTY = [
    "人民路",
    "建设路",
    "解放路",
    "新华路",
    "兴业路",
    "工业大道",
    "园区大道",
    "城北路",
    "迎宾大道",
    "文化路",
    "东风路",
    "和平路",
    "朝阳路",
    "育才路",
    "长安路",
]
ROADS_PARK = {
    "郴州高新区": ["高新大道", "科技路", "创业大道", "白露塘大道", "智造路"],
    "郴州经开区": ["经开大道", "出口加工区路", "物流大道", "产业园路", "园区大道"],
}

INSTITUTIONS: list[tuple[str, str, str]] = [  # (name, kind, county code)
    ("郴州市职业教育研究所", "research", "431002"),
    ("郴州市产教融合发展研究院", "think_tank", "431003"),
    ("郴州职业技术学院高等职业教育研究所", "university", "431003"),
    ("郴州市人才发展研究中心", "think_tank", "431002"),
    ("郴州市区域经济研究院", "think_tank", "431002"),
    ("郴州市技能人才评价研究中心", "research", "431003"),
]
HOME_INSTITUTION = "郴州市职业教育研究所"

# --- people, supply and demand ---------------------------------------------------------------------------

# The demo city's "today" is no constant: the run's ``Context.as_of`` (``--as-of``, by default today), from
# which the school years, student statuses, posting dates and outcomes follow (context.py).

# Surnames with their relative frequency (national ranking, weighted towards 湖南's common names).
SURNAMES = (
    ("李", 74),
    ("刘", 70),
    ("王", 62),
    ("陈", 60),
    ("张", 58),
    ("黄", 40),
    ("周", 30),
    ("曾", 26),
    ("罗", 26),
    ("唐", 24),
    ("邓", 24),
    ("谢", 22),
    ("何", 22),
    ("彭", 20),
    ("胡", 20),
    ("曹", 18),
    ("雷", 16),
    ("肖", 16),
    ("谭", 16),
    ("欧阳", 10),
    ("袁", 14),
    ("杨", 30),
    ("吴", 18),
    ("赵", 14),
    ("朱", 13),
    ("徐", 12),
    ("邱", 10),
    ("段", 10),
    ("许", 10),
    ("侯", 9),
    ("廖", 12),
    ("蒋", 12),
    ("郭", 10),
    ("马", 8),
    ("孙", 8),
    ("林", 9),
    ("高", 8),
    ("梁", 8),
    ("宋", 7),
    ("郑", 7),
    ("钟", 9),
    ("汤", 8),
    ("颜", 6),
    ("龙", 6),
    ("文", 7),
    ("贺", 7),
    ("尹", 6),
    ("戴", 6),
    ("姚", 6),
    ("范", 6),
    ("邝", 3),
    ("首", 3),
    ("资", 2),
    ("匡", 3),
    ("蔡", 6),
    ("伍", 6),
    ("易", 6),
    ("卢", 6),
    ("黎", 5),
    ("韩", 5),
    ("江", 5),
    ("阳", 5),
    ("焦", 3),
    ("严", 4),
    ("向", 4),
    ("付", 4),
    ("夏", 4),
    ("方", 4),
    ("康", 3),
    ("司马", 1),
    ("上官", 1),
)
# Characters of given names: (male-leaning, female-leaning, either); two-character names mostly.
GIVEN_MALE = "浩宇轩子涵博文俊杰睿哲鹏辉明强伟磊涛斌昊然泽洋晨阳锐凯旭航鑫嘉豪毅诚峰亮坤翔宏志健"
GIVEN_FEMALE = "欣怡雨涵梓萱诗琪佳怡可馨思雨婷婷雅静晓雪梦瑶紫嫣若曦心怡语桐芷若彤依诺欢悦琳颖倩媛蕾丹"
GIVEN_EITHER = "子一梓思雨宇晨嘉佳俊文瑞安可沐子心清逸言书"

# Mobile number prefixes of the three carriers (11 digits: prefix + 8 digits).
MOBILE_PREFIXES = " ".join(
    (
        "134 135 136 137 138 139 147 150 151 152 157 158 159 178 182 183 184 187 188 198",
        "130 131 132 155 156 166 175 176 185 186 133 153 173 177 180 181 189 199",
    )
).split()

# Graduate outcomes by the level of the major (shares; every school draws its own around them).
# 中职 graduates go on to 高职 in large numbers: target T1 (>= 40 %) is met by some schools, not all.
OUTCOME_SHARES = {
    "secondary": {"further_study": 0.42, "employed": 0.47, "military": 0.03, "entrepreneurship": 0.02},
    "associate": {"further_study": 0.14, "employed": 0.72, "military": 0.03, "entrepreneurship": 0.03},
    "bachelor": {"further_study": 0.10, "employed": 0.78, "military": 0.02, "entrepreneurship": 0.03},
}
SECONDARY_FURTHER_STUDY = (0.32, 0.58)  # per 中职 school: some above target T1, some below
TECHNICIAN_FURTHER_STUDY = 0.25  # technician schools send fewer graduates on to 高职 (±0.1 per school)
EMPLOYED_IN_CITY = (0.55, 0.75)  # per school
RELATED_TO_MAJOR = (0.62, 0.82)  # per school
FURTHER_LEVELS = {  # where graduates of each level go on to
    "secondary": (("associate", 85), ("vocational_bachelor", 10), ("bachelor", 5)),
    "associate": (("bachelor", 60), ("vocational_bachelor", 40)),
    "bachelor": (("bachelor", 100),),
}

# Teachers.
STUDENTS_PER_TEACHER = (18, 25)
DUAL_QUALIFIED = (0.55, 0.85)  # share of full-time teachers, per school
PART_TIME = (0.08, 0.28)  # share of part-time (兼职) teachers, per school (T18: at most 30 %)
TITLES = {  # (title, weight) for full-time teachers of colleges and of secondary schools
    "college": (("senior", 6), ("associate_senior", 26), ("intermediate", 40), ("junior", 23), ("none", 5)),
    "secondary": (("senior", 1), ("associate_senior", 20), ("intermediate", 45), ("junior", 28), ("none", 6)),
    "part_time": (("associate_senior", 10), ("intermediate", 35), ("junior", 25), ("none", 30)),
}
MASTER_RATES = (("national", 0.0003), ("province", 0.002), ("city", 0.01))
SPECIAL_POST_RATE = 0.03  # 特岗 among full-time teachers of county 中职 schools
DUAL_EVIDENCE = (
    "持有{cert}职业技能等级证书（高级）",
    "近五年累计企业实践六个月以上",
    "持有工程师（中级）专业技术资格证书",
    "主持完成企业横向技术服务项目",
    "持有{cert}职业资格证书（技师）",
    "曾在企业从事专业技术工作三年以上",
)
