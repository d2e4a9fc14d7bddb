"""parse_date / find_dates against a fixed today: absolute, relative, precision, calendar edges."""
import datetime as dt

import pytest

from bot.textparse import DateMention, add_months, find_dates, parse_date

TODAY = dt.date(2026, 11, 28)
D = dt.date


@pytest.mark.parametrize("text, date, precision", [
    ("2024年3月", D(2024, 3, 1), "month"),
    ("2024年3月15日", D(2024, 3, 15), "day"),
    ("24年3月15号", D(2024, 3, 15), "day"),
    ("2024-03-15", D(2024, 3, 15), "day"),
    ("2024.3.15", D(2024, 3, 15), "day"),
    ("2024/3/15", D(2024, 3, 15), "day"),
    ("2024/3", D(2024, 3, 1), "month"),
    ("20240315", D(2024, 3, 15), "day"),
    ("2024 年 3 月 15 日", D(2024, 3, 15), "day"),
    ("2024年的3月份", D(2024, 3, 1), "month"),
    ("二〇二四年三月", D(2024, 3, 1), "month"),
    ("二零二四年三月十五日", D(2024, 3, 15), "day"),
    ("两千零二十四年十二月", D(2024, 12, 1), "month"),
    ("2024年", D(2024, 1, 1), "year"),
    ("2023年底", D(2023, 12, 1), "month"),
    ("2023年年底", D(2023, 12, 1), "month"),
    ("2023年初", D(2023, 1, 1), "month"),
    ("98年5月", D(1998, 5, 1), "month"),
    ("二四年三月", D(2024, 3, 1), "month"),
    ("这个月初", D(2026, 11, 1), "month"),
    ("3月15", D(2026, 3, 15), "day"),
    ("去年", D(2025, 1, 1), "year"),
    ("前年", D(2024, 1, 1), "year"),
    ("大前年", D(2023, 1, 1), "year"),
    ("今年", D(2026, 1, 1), "year"),
    ("去年5月", D(2025, 5, 1), "month"),
    ("去年的5月", D(2025, 5, 1), "month"),
    ("去年5月3号", D(2025, 5, 3), "day"),
    ("今年一月", D(2026, 1, 1), "month"),
    ("去年年底", D(2025, 12, 1), "month"),
    ("去年底", D(2025, 12, 1), "month"),
    ("上个月", D(2026, 10, 1), "month"),
    ("上月", D(2026, 10, 1), "month"),
    ("上上个月", D(2026, 9, 1), "month"),
    ("这个月", D(2026, 11, 1), "month"),
    ("上个月15号", D(2026, 10, 15), "day"),
    ("上个月31号", D(2026, 10, 31), "day"),
    ("三个月前", D(2026, 8, 1), "month"),
    ("十二个月以前", D(2025, 11, 1), "month"),
    ("半年前", D(2026, 5, 1), "month"),
    ("两年前", D(2024, 11, 1), "month"),
    ("一年半前", D(2025, 5, 1), "month"),
    ("一年零三个月前", D(2025, 8, 1), "month"),
    ("昨天", D(2026, 11, 27), "day"),
    ("前天", D(2026, 11, 26), "day"),
    ("大前天", D(2026, 11, 25), "day"),
    ("今天", TODAY, "day"),
    ("三天前", D(2026, 11, 25), "day"),
    ("3月15号出生", D(2026, 3, 15), "day"),
    ("12月1号", D(2025, 12, 1), "day"),
    ("11月28日", D(2026, 11, 28), "day"),
    ("11月29日", D(2025, 11, 29), "day"),
    ("5月份", D(2026, 5, 1), "month"),
    ("十二月", D(2025, 12, 1), "month"),
    ("2024年2月29日", D(2024, 2, 29), "day"),
    ("２０２４年３月", D(2024, 3, 1), "month"),
    ("孩子是二〇二四年三月生的", D(2024, 3, 1), "month"),
])
def test_resolves(text, date, precision):
    found = parse_date(text, TODAY)
    assert found is not None, text
    assert (found.date, found.precision) == (date, precision)
    assert found.text == text[found.span[0]:found.span[1]]


@pytest.mark.parametrize("text", [
    "交了两年", "一年半", "24个月", "半年", "今年24岁", "孩子3岁了", "两月", "24年", "2023年2月29日", "2月30号",
    "13月", "2024年13月", "2024年4月31日", "上个月32号", "2035年", "1800年", "三年级", "12345", "",
    "身份证140102199003151234", "3.5个月", "二级残疾", "每月300元", "15号楼", "孩子18个月大",
])
def test_no_date(text):
    assert parse_date(text, TODAY) is None


def test_span_and_text_inside_sentence():
    text = "我家宝宝2024年3月出生，能领育儿补贴吗"
    found = parse_date(text, TODAY)
    assert found == DateMention(D(2024, 3, 1), "month", (4, 11), "2024年3月")


def test_first_mention_and_all_mentions():
    text = "交了两年失业保险，上个月考了中级电工证，孩子是去年5月出生的"
    assert parse_date(text, TODAY).text == "上个月"
    assert [m.text for m in find_dates(text, TODAY)] == ["上个月", "去年5月"]


def test_longest_match_wins_at_same_start():
    assert parse_date("大前年", TODAY).text == "大前年"
    assert parse_date("上上个月", TODAY).text == "上上个月"
    assert parse_date("2024年3月15日", TODAY).precision == "day"


@pytest.mark.parametrize("today, text, date", [
    # year boundaries
    (D(2025, 1, 15), "上个月", D(2024, 12, 1)),
    (D(2025, 1, 15), "三个月前", D(2024, 10, 1)),
    (D(2025, 1, 1), "昨天", D(2024, 12, 31)),
    (D(2025, 1, 1), "去年", D(2024, 1, 1)),
    (D(2025, 1, 15), "12月", D(2024, 12, 1)),
    (D(2025, 1, 15), "1月", D(2025, 1, 1)),
    (D(2025, 12, 31), "下个月", D(2026, 1, 1)),
    (D(2025, 3, 1), "前天", D(2025, 2, 27)),
    (D(2024, 3, 1), "前天", D(2024, 2, 28)),
    # leap days without a year go back to the latest 29 February
    (D(2025, 6, 1), "2月29号", D(2024, 2, 29)),
    (D(2024, 2, 28), "2月29号", D(2020, 2, 29)),
    (D(2024, 3, 1), "2月29号", D(2024, 2, 29)),
    # month lengths for "上个月N号"
    (D(2026, 3, 10), "上个月29号", None),
    (D(2024, 3, 10), "上个月29号", D(2024, 2, 29)),
    (D(2026, 10, 5), "上个月31号", None),
    # two-digit years
    (D(2026, 11, 28), "30年1月", D(2030, 1, 1)),
    (D(2026, 11, 28), "32年1月", D(1932, 1, 1)),
])
def test_relative_to_today(today, text, date):
    found = parse_date(text, today)
    assert (found.date if found else None) == date


@pytest.mark.parametrize("start, months, expected", [
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
    (D(2023, 3, 31), -1, D(2023, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2025, 1, 15), -1, D(2024, 12, 15)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2025, 5, 31), -36, D(2022, 5, 31)),
    (D(2025, 5, 31), 0, D(2025, 5, 31)),
])
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_a_two_digit_year_with_a_position_in_it_is_a_date():
    import datetime as _dt
    from bot.textparse import find_dates as _find
    today = _dt.date(2026, 11, 29)
    for text, want in (("俺孙女是二一年年底生的", (_dt.date(2021, 12, 1), "month")), ("24年底", (_dt.date(2024, 12, 1), "month"))):
        assert [(m.date, m.precision) for m in _find(text, today)] == [want], text
    for text in ("二一年", "交了二十年", "今年初中毕业"):
        assert [m for m in _find(text, today) if m.precision != "year"] == [], text


@pytest.mark.parametrize("text, iso", [("22年元旦那天生的", "2022-01-01"), ("2022年元旦生的", "2022-01-01"),
                                       ("前年元旦生的", "2024-01-01"), ("二二年元旦生的", "2022-01-01")])
def test_new_years_day_is_the_first_of_january(text, iso):
    m = parse_date(text, dt.date(2026, 11, 30))
    assert m and m.date.isoformat() == iso and m.precision == "day"
