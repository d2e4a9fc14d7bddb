"""cn_to_int: Arabic, Chinese, financial and colloquial numerals."""
import pytest

from bot.textparse import cn_to_int


@pytest.mark.parametrize("text, value", [
    ("二", 2), ("贰", 2), ("两", 2), ("俩", 2), ("仨", 3), ("十", 10), ("十二", 12), ("二十四", 24),
    ("拾贰", 12), ("12", 12), ("012", 12), ("一百", 100), ("一百零五", 105), ("一百二", 120),
    ("一百一十", 110), ("两千零二十四", 2024), ("一千零二十四", 1024), ("二〇二四", 2024),
    ("二零二四", 2024), ("二四", 24), ("三千五", 3500), ("两万五", 25000), ("三十万", 300_000),
    ("1万5", 15_000), ("12万", 120_000), ("一亿两千万", 120_000_000), ("廿三", 23), ("零", 0),
    ("１２", 12), (" 二十 ", 20), ("貳", 2), ("兩", 2),
])
def test_values(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("text", [None, "", "  ", "百", "万", "几", "十几", "一两", "1.5", "-3", "二十十",
                                  "十百", "abc", "二级", "12个"])
def test_not_a_number(text):
    assert cn_to_int(text) is None
