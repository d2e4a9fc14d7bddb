from bot.chat import to_message
from bot.privacy import mask_text
from bot.text_normalize import normalize


def test_traditional_and_fullwidth_are_normalised():
    assert normalize("殘疾人補貼") == "残疾人补贴"
    assert normalize("我家寶寶２０２４年３月出生") == "我家宝宝2024年3月出生"
    assert normalize("  兩項補貼　是什麼？ ") == "两项补贴 是什么？"
    assert normalize(normalize("殘疾人補貼")) == normalize("殘疾人補貼")


def test_id_card_and_phone_are_masked():
    text = "我的身份证号是14010519850312001X，电话13812345678，座机0351-4123456"
    masked = mask_text(text)
    assert "14010519850312001X" not in masked and "19850312" not in masked
    assert "13812345678" not in masked and "138****5678" in masked
    assert "4123456" not in masked
    assert mask_text("请拨打12345或12385") == "请拨打12345或12385"
    assert mask_text("2024年3月出生，交了24个月") == "2024年3月出生，交了24个月"


def test_custom_payload_maps_to_contract_message():
    raw = {"recipient_id": "x", "custom": {"text": "答复", "buttons": [{"title": "查看原文", "payload": "/show_passage"}],
                                           "citations": [{"doc_id": "d", "section": "s", "quote": "q"}]}}
    assert to_message(raw) == {"text": "答复", "buttons": [{"title": "查看原文", "payload": "/show_passage"}],
                               "citations": [{"doc_id": "d", "section": "s", "quote": "q"}]}
    assert to_message({"recipient_id": "x", "text": "你好"}) == {"text": "你好"}
    assert to_message({"recipient_id": "x", "image": "u"}) is None
