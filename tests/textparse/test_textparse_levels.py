"""Disability levels and certificate levels must never be mistaken for each other."""
import pytest

from bot.textparse import CERT_LEVELS, parse_cert_level, parse_level


@pytest.mark.parametrize("text, level", [
    ("二级", 2), ("2级", 2), ("贰级", 2), ("一级视力", 1), ("视力一级", 1), ("四级", 4), ("三级", 3),
    ("二级肢体残疾", 2), ("我是二级，有残疾证", 2), ("二级残疾证", 2), ("有残疾证，三级智力残疾", 3),
    ("残疾等级是3", 3), ("残疾等级为 2", 2), ("考了四级电工证，二级残疾", 2), ("我是2 级的", 2),
    ("四级听力残疾", 4), ("二級肢體殘疾", 2), ("壹级", 1), ("残疾证上写的是叁级", 3),
])
def test_disability_levels(text, level):
    assert parse_level(text) == level


@pytest.mark.parametrize("text", [
    "中级", "高级", "初级", "五级", "十二级", "14级", "四级电工证", "英语四级", "三级医院", "一级建造师",
    "考了个高级技师", "焊工四级", "中级电工证", "", "残疾", "国家职业资格二级",
])
def test_not_disability_levels(text):
    assert parse_level(text) is None


@pytest.mark.parametrize("text, cert", [
    ("中级电工证", "intermediate"), ("考了中级", "intermediate"), ("初级", "basic"), ("高级", "advanced"),
    ("技师证", "technician"), ("高级技师", "senior_technician"), ("高级技师证书", "senior_technician"),
    ("四级电工证", "intermediate"), ("五级/初级工", "basic"), ("国家职业资格三级", "advanced"),
    ("职业技能等级证书二级", "technician"), ("一级技能证书", "senior_technician"), ("电工证中级", "intermediate"),
    ("焊工四级", "intermediate"), ("高级工", "advanced"), ("二级残疾证，中级电工证", "intermediate"),
    ("上个月考了中级电工证", "intermediate"), ("中級電工證", "intermediate"),
    ("我腿有残疾，去年考的焊工证四级", "intermediate"),
])
def test_cert_levels(text, cert):
    assert parse_cert_level(text) == cert
    assert cert in CERT_LEVELS


@pytest.mark.parametrize("text", [
    "二级", "四级", "二级残疾证", "二级肢体残疾", "一级视力", "中级职称", "中级人民法院", "高级中学",
    "英语四级证书", "一级建造师", "我有残疾证", "", "三级智力残疾", "残疾证上写的是叁级",
    "证上是三级，肢体三级，不是二级", "他是肢体残疾，证上写的二级",
])
def test_not_cert_levels(text):
    assert parse_cert_level(text) is None


def test_bare_numeral_answers_a_certificate_question():
    assert parse_cert_level("四级", expect_cert=True) == "intermediate"
    assert parse_cert_level("五级", expect_cert=True) == "basic"
    assert parse_cert_level("二级肢体残疾", expect_cert=True) is None
