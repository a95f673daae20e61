"""The unit tree of the simulated centres: national, provinces, cities and counties (GB/T 2260 codes), liaison desks."""

from __future__ import annotations

from dataclasses import dataclass

from fanzha.model import Unit, UnitLevel

PROVINCES: tuple[tuple[str, str], ...] = (
    ("110000", "北京市"), ("120000", "天津市"), ("130000", "河北省"), ("140000", "山西省"),
    ("150000", "内蒙古自治区"), ("210000", "辽宁省"), ("220000", "吉林省"), ("230000", "黑龙江省"),
    ("310000", "上海市"), ("320000", "江苏省"), ("330000", "浙江省"), ("340000", "安徽省"),
    ("350000", "福建省"), ("360000", "江西省"), ("370000", "山东省"), ("410000", "河南省"),
    ("420000", "湖北省"), ("430000", "湖南省"), ("440000", "广东省"), ("450000", "广西壮族自治区"),
    ("460000", "海南省"), ("500000", "重庆市"), ("510000", "四川省"), ("520000", "贵州省"),
    ("530000", "云南省"), ("540000", "西藏自治区"), ("610000", "陕西省"), ("620000", "甘肃省"),
    ("630000", "青海省"), ("640000", "宁夏回族自治区"), ("650000", "新疆维吾尔自治区"),
)  # fmt: skip

# city code, name, relative number of reports, counties (code, name)
CITIES: tuple[tuple[str, str, float, tuple[tuple[str, str], ...]], ...] = (
    ("110100", "北京市", 5.0, (("110101", "东城区"), ("110102", "西城区"), ("110105", "朝阳区"), ("110108", "海淀区"))),
    ("120100", "天津市", 2.0, (("120101", "和平区"),)),
    ("130100", "石家庄市", 2.0, (("130102", "长安区"),)),
    ("140100", "太原市", 1.2, (("140105", "小店区"),)),
    ("150100", "呼和浩特市", 0.8, (("150102", "新城区"),)),
    ("210100", "沈阳市", 1.5, (("210102", "和平区"),)),
    ("220100", "长春市", 1.0, (("220102", "南关区"),)),
    ("230100", "哈尔滨市", 1.2, (("230102", "道里区"),)),
    ("310100", "上海市", 5.0, (("310101", "黄浦区"), ("310104", "徐汇区"), ("310115", "浦东新区"))),
    ("320100", "南京市", 2.5, (("320102", "玄武区"), ("320106", "鼓楼区"))),
    ("320500", "苏州市", 2.5, (("320505", "虎丘区"), ("320506", "吴中区"))),
    ("330100", "杭州市", 3.0, (("330102", "上城区"), ("330106", "西湖区"), ("330108", "滨江区"))),
    ("330200", "宁波市", 1.5, (("330203", "海曙区"),)),
    ("340100", "合肥市", 1.5, (("340104", "蜀山区"),)),
    ("350100", "福州市", 1.2, (("350102", "鼓楼区"),)),
    ("350200", "厦门市", 1.0, (("350203", "思明区"),)),
    ("360100", "南昌市", 1.2, (("360102", "东湖区"),)),
    ("370100", "济南市", 1.5, (("370102", "历下区"),)),
    ("370200", "青岛市", 1.5, (("370202", "市南区"),)),
    ("410100", "郑州市", 2.5, (("410102", "中原区"), ("410105", "金水区"))),
    ("420100", "武汉市", 2.5, (("420102", "江岸区"), ("420106", "武昌区"))),
    ("430100", "长沙市", 2.0, (("430102", "芙蓉区"), ("430104", "岳麓区"))),
    ("440100", "广州市", 5.0, (("440103", "荔湾区"), ("440104", "越秀区"), ("440105", "海珠区"), ("440106", "天河区"), ("440111", "白云区"))),
    ("440300", "深圳市", 5.0, (("440303", "罗湖区"), ("440304", "福田区"), ("440305", "南山区"), ("440306", "宝安区"), ("440307", "龙岗区"))),
    ("440600", "佛山市", 2.0, (("440604", "禅城区"), ("440606", "顺德区"))),
    ("441900", "东莞市", 2.5, ()),
    ("450100", "南宁市", 1.2, (("450103", "青秀区"),)),
    ("460100", "海口市", 0.6, (("460106", "龙华区"),)),
    ("500100", "重庆市", 3.0, (("500103", "渝中区"), ("500106", "沙坪坝区"))),
    ("510100", "成都市", 3.5, (("510104", "锦江区"), ("510105", "青羊区"), ("510107", "武侯区"))),
    ("520100", "贵阳市", 1.0, (("520102", "南明区"),)),
    ("530100", "昆明市", 1.2, (("530102", "五华区"),)),
    ("540100", "拉萨市", 0.2, (("540102", "城关区"),)),
    ("610100", "西安市", 2.0, (("610112", "未央区"), ("610113", "雁塔区"))),
    ("620100", "兰州市", 0.6, (("620102", "城关区"),)),
    ("630100", "西宁市", 0.3, (("630102", "城东区"),)),
    ("640100", "银川市", 0.3, (("640104", "兴庆区"),)),
    ("650100", "乌鲁木齐市", 0.6, (("650102", "天山区"),)),
)  # fmt: skip

BANK_DESKS: tuple[tuple[str, str], ...] = (
    ("ICBC", "中国工商银行"), ("ABC", "中国农业银行"), ("BOC", "中国银行"), ("CCB", "中国建设银行"),
    ("BOCOM", "交通银行"), ("CMB", "招商银行"), ("PSBC", "中国邮政储蓄银行"), ("CIB", "兴业银行"),
    ("PAB", "平安银行"),
)  # fmt: skip
TELCO_DESKS: tuple[tuple[str, str], ...] = (("CMCC", "中国移动"), ("CUCC", "中国联通"), ("CTCC", "中国电信"))


@dataclass(frozen=True)
class ReportingUnit:
    """A city or county unit that takes reports, with its share of the country's reports."""

    code: str
    weight: float


def unit_tree() -> list[Unit]:
    """All units, parents before children: 国家反诈中心, provinces, cities, counties, bank and telco desks."""
    units = [Unit(code="CN", name="国家反诈中心", level=UnitLevel.NATIONAL)]
    units += [
        Unit(code=code, name=f"{name}反诈中心", level=UnitLevel.PROVINCE, parent="CN", region_code=code)
        for code, name in PROVINCES
    ]
    for city, name, _, counties in CITIES:
        province = city[:2] + "0000"
        units.append(
            Unit(code=city, name=f"{name}反诈中心", level=UnitLevel.CITY, parent=province, region_code=city)
        )
        units += [
            Unit(
                code=code,
                name=f"{name}{county}反诈中心",
                level=UnitLevel.COUNTY,
                parent=city,
                region_code=code,
            )
            for code, county in counties
        ]
    units += [
        Unit(code=f"BANK-{code}", name=f"{name}反诈专班", level=UnitLevel.BANK, parent="CN")
        for code, name in BANK_DESKS
    ]
    units += [
        Unit(code=f"TELCO-{code}", name=f"{name}反诈专班", level=UnitLevel.TELCO, parent="CN")
        for code, name in TELCO_DESKS
    ]
    return units


def reporting_units() -> list[ReportingUnit]:
    """Cities and counties that take reports; a city with counties takes a third of its reports itself."""
    result: list[ReportingUnit] = []
    for city, _, weight, counties in CITIES:
        if not counties:
            result.append(ReportingUnit(city, weight))
            continue
        result.append(ReportingUnit(city, weight / 3))
        result += [ReportingUnit(code, weight * 2 / 3 / len(counties)) for code, _ in counties]
    return result
