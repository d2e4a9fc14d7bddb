"""parse_duration_months: whole months, never confused with dates, ages or grades."""
import pytest

from bot.textparse import parse_duration_months


@pytest.mark.parametrize("text, months", [
    ("交了两年", 24), ("24个月", 24), ("一年半", 18), ("半年", 6), ("一年零三个月", 15), ("两年多", 24),
    ("1年", 12), ("一年", 12), ("十二个月", 12), ("十八个月", 18), ("1.5年", 18), ("两年半", 30),
    ("一年3个月", 15), ("一年又两个月", 14), ("三年整", 36), ("半年多", 6), ("两个半月", 2), ("半个月", 0),
    ("交了俩月", 2), ("11个多月", 11), ("失业保险交了2年多了", 24), ("交了 2 年", 24), ("交了兩年", 24),
    ("我交了１８个月社保", 18), ("交了两年，上个月考了中级电工证", 24), ("去年开始交的，交了一年", 12),
])
def test_durations(text, months):
    assert parse_duration_months(text) == months


@pytest.mark.parametrize("text, months", [
    ("交了五六年了", 60), ("一两年", 12), ("十几年", 120), ("十来年了", 120), ("二十多年", 240), ("两三个月", 2),
])
def test_a_vague_amount_is_read_at_its_lower_end_never_as_one_number(text, months):
    assert parse_duration_months(text) == months       # "五六年" was once read as 56 years


@pytest.mark.parametrize("text", [
    "2024年3月", "24年3月", "2024年", "二〇二四年", "两年前", "三个月前", "半年以前", "一年之前", "三年级",
    "80年代", "今年24岁", "去年", "前年", "交了好几年", "3月", "", "2024年度", "没交满一年", "没交够12个月", "还没交几个月", "我不知道单位给交没交失业保险", "不清楚有没有交过",
    "两年后", "孩子1岁3个月", "娃18个月大", "一岁零两个月", "二四年三月",
])
def test_not_durations(text):
    assert parse_duration_months(text) is None


def test_first_plain_duration_wins_over_dates_before_it():
    assert parse_duration_months("2023年3月开始交，交了18个月") == 18
    assert parse_duration_months("两年前开始交的，交了一年半") == 18


@pytest.mark.parametrize("text", [
    "交失业险不到一年", "一年不到", "没满12个月", "快一年了", "还没够两年", "不满一年半", "将近一年半",
])
def test_a_bound_is_no_number(text):
    # "不到一年" says less than twelve months, not how many: the form asks instead of taking 12.
    assert parse_duration_months(text) is None


@pytest.mark.parametrize("text, months", [("交了快五年了", 48), ("将近两年", 12), ("差不多三年", 24)])
def test_close_to_some_years_is_at_least_a_year_less(text, months):
    # "快五年了" is surely four years or more: the lower end, which the form shows as said with a hedge.
    assert parse_duration_months(text) == months


@pytest.mark.parametrize("text", ["没交过", "没交过失业保险", "一个月都没交过", "从来没交", "厂里没给交过失业保险", "一年都没交"])
def test_never_paid_is_zero_months(text):
    assert parse_duration_months(text) == 0


def test_then_is_not_later():
    assert parse_duration_months("交了两年后来没交了") == 24
