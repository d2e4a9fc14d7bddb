"""Generic Chinese parsers for filling eligibility facts from what residents type.

Standard library plus PyYAML for the dialect glossary (dialect.yml). Input is normally already normalised by
bot.text_normalize.normalize; the parsers still fold full-width digits and the traditional forms of
their keywords, one character for one, so every span refers to the caller's text.

    cn_to_int("二十四") == 24
    parse_date("孩子2024年3月出生", today)   -> DateMention(date(2024, 3, 1), "month", (2, 9), "2024年3月")
    parse_duration_months("交了两年")        == 24
    parse_level("二级肢体残疾")               == 2
    parse_cert_level("中级电工证")            == "intermediate"
    parse_yes_no("好像没有") is False;  is_unknown("记不得了");  is_correction("不对，是三级");  is_stop("算了")
"""
from ._chars import cn_to_int
from .dialect import pauses_to_commas, to_standard
from .answers import corrected_tail, is_assent, is_correction, is_stop, is_unknown, parse_yes_no
from .dates import HOLIDAYS, DateMention, add_months, find_dates, parse_date
from .durations import parse_duration_months
from .levels import CERT_LEVELS, parse_cert_level, parse_level

__all__ = [
    "CERT_LEVELS",
    "HOLIDAYS",
    "DateMention",
    "add_months",
    "cn_to_int",
    "find_dates",
    "corrected_tail",
    "is_assent",
    "is_correction",
    "is_stop",
    "is_unknown",
    "parse_cert_level",
    "parse_date",
    "parse_duration_months",
    "parse_level",
    "parse_yes_no",
    "to_standard",
]
