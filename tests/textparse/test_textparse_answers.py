"""Short answers inside a form: yes/no, unknown, correction, stop."""
import pytest

from bot.textparse import is_assent, is_correction, is_stop, is_unknown, parse_yes_no


@pytest.mark.parametrize("text", ["有", "是", "对", "嗯", "嗯嗯", "是的", "办了", "有的", "对对对", "没错",
                                  "没问题", "对的。", "需要", "要", "yes", "OK", "有，二级", "应该有吧", "不是没有",
                                  "早就办了", "領了", "中"])
def test_yes(text):
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["没有", "不是", "不对", "没", "没办", "好像没有", "不需要", "不用", "没办下来",
                                  "家里没有低保", "不是低保户", "No", "没有没有", "沒有", "无", "否"])
def test_no(text):
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["", "不知道", "不清楚", "记不得了", "有没有？", "是不是啊", "有吗", "二级",
                                  "太原市", "？"])
def test_neither(text):
    assert parse_yes_no(text) is None


@pytest.mark.parametrize("text", ["不知道", "不清楚", "不确定", "忘了", "记不得", "说不好", "知不道", "不太清楚哎",
                                  "我也记不清了", "不晓得", "這個不清楚"])
def test_unknown(text):
    assert is_unknown(text)


@pytest.mark.parametrize("text", ["知道", "我知道的", "二级", "有", "", "清楚"])
def test_not_unknown(text):
    assert not is_unknown(text)


@pytest.mark.parametrize("text", ["不对，是三级", "不对不对，三级", "说错了", "改一下", "应该是2024年", "不是二级，是三级",
                                  "错了，是中级", "刚才说的不对", "我是说去年", "我搞错了", "其实是四级", "說錯了"])
def test_correction(text):
    assert is_correction(text)


@pytest.mark.parametrize("text", ["不对", "不对吧", "不是低保户", "没错", "没错了", "三级", "", "不错"])
def test_not_correction(text):
    assert not is_correction(text)


@pytest.mark.parametrize("text", ["算了", "算了吧", "不问了", "不用了", "取消", "退出", "我要取消", "不办了",
                                  "结束", "停", "那就算了", "不想问了，谢谢", "stop"])
def test_stop(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["我算了一下交了两年", "低保被取消了", "低保取消了", "培训结束了", "好的", "",
                                  "退出低保了吗", "不用"])
def test_not_stop(text):
    assert not is_stop(text)


@pytest.mark.parametrize("text", ["不是不是", "不对不对", "不要不要"])
def test_repeated_no_is_no(text):
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text,tail", [
    ("好像是三级 不对 证上写的二级", "证上写的二级"),
    ("2021年8月 哦不是 是2023年8月", "2023年8月"),
    ("二级，说错了，三级", "三级"),
    ("不对，是三级", None),          # a correction of an earlier answer, not of this line
    ("有的", None),
])
def test_a_line_that_corrects_itself_keeps_what_follows(text, tail):
    from bot.textparse import corrected_tail
    assert corrected_tail(text) == tail


@pytest.mark.parametrize("text,assent", [("好", True), ("嗯", True), ("行吧", True), ("测一测", True), ("帮我算算", True),
                                         ("有", False), ("是的", False), ("没有", False), ("算了", False),
                                         ("不用了", False), ("好的，谢谢", False)])
def test_a_short_yes_to_an_offer_is_not_a_fact(text, assent):
    """"好" accepts the offered check; "有"/"是" answer its question's fact; "算了" declines."""
    assert is_assent(text) is assent
