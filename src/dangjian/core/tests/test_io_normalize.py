"""The import normalizers: every accepted form, and refusals with a Chinese message."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from dangjian.core.io import normalize as n


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  文学院  党委 ", "文学院 党委"),
        ("Ｃ０１　支部", "C01 支部"),
        ("文学院党委（筹）", "文学院党委（筹）"),
        ("a\t\nb", "a b"),
        (12, "12"),
        (12.0, "12"),
        (3.5, "3.5"),
        (13812345678, "13812345678"),
        (None, ""),
        ("   ", ""),
        ("'=1+2", "=1+2"),
        ("'-5", "-5"),
        ("'引号", "'引号"),
        (True, "是"),
        (date(2023, 7, 1), "2023-07-01"),
    ],
)
def test_text(raw: Any, expected: str) -> None:
    assert n.text(raw) == expected


def test_text_length_and_lines() -> None:
    assert n.Text(4)("一二三四") == "一二三四"
    with pytest.raises(ValueError, match="不能超过4个字"):
        n.Text(4)("一二三四五")
    assert n.Text(lines=True)(" 第一行 \r\n第二行  说明\n\n") == "第一行\n第二行 说明"


def test_code_folds_fully() -> None:
    assert n.Code()("Ｃ１－Ｂ１") == "C1-B1"
    assert n.Code()(" C1 - B1 ") == "C1-B1"
    assert n.Code()(1001.0) == "1001"
    with pytest.raises(ValueError, match="不能超过3个字符"):
        n.Code(3)("ABCD")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("组织名称", "组织名称"),
        (" 组织 名称 ", "组织名称"),
        ("ＡＢＣ", "abc"),
        ("名称*", "名称"),
        ("*名称", "名称"),
        ("名称（必填）", "名称"),
        ("Code", "code"),
    ],
)
def test_header_key(header: str, expected: str) -> None:
    assert n.header_key(header) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2023年7月1日",
        "2023年07月01日",
        "2023 年 7 月 1 日",
        "2023.7.1",
        "2023/7/1",
        "2023-07-01",
        "2023-7-1",
        "20230701",
        20230701,
        20230701.0,
        45108,
        45108.0,
        45108.75,
        date(2023, 7, 1),
        datetime(2023, 7, 1, 8, 30),
        "２０２３年７月１日",
        "２０２３－０７－０１",
        "2023-07-01 00:00:00",
        "2023/7/1 8:30",
    ],
)
def test_date_accepted(raw: Any) -> None:
    assert n.to_date(raw) == date(2023, 7, 1)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2023-13-01", "不存在"),
        ("2023年2月30日", "不存在"),
        ("20231301", "不存在"),
        ("七月一日", "无法识别"),
        ("2023-07", "无法识别"),
        ("7/1/2023", "无法识别"),
        ("1850-01-01", "超出合理范围"),
        (-5, "无法识别"),
        (True, "请填写日期"),
    ],
)
def test_date_refused(raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        n.to_date(raw)


def test_date_blank() -> None:
    assert n.to_date(None) is None
    assert n.to_date("  ") is None


@pytest.mark.parametrize(
    "raw", ["是", "Y", "y", "yes", "YES", "√", "✓", "true", "TRUE", "1", 1, 1.0, "1.0", True, "Ｙ"]
)
def test_bool_true(raw: Any) -> None:
    assert n.to_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "×", "false", "0", 0, 0.0, False, "x"])
def test_bool_false(raw: Any) -> None:
    assert n.to_bool(raw, default=True) is False


def test_bool_blank_is_default_and_refusal() -> None:
    assert n.to_bool(None) is False
    assert n.to_bool("", default=True) is True
    assert n.Boolean(default=True)("  ") is True
    with pytest.raises(ValueError, match="请填写“是”或“否”"):
        n.to_bool("也许")
    with pytest.raises(ValueError):
        n.to_bool(2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("12.0", 12),
        (12.0, 12),
        (12, 12),
        ("１２", 12),
        (" 1,200 ", 1200),
        ("-3", -3),
        (None, None),
        ("", None),
    ],
)
def test_int_accepted(raw: Any, expected: int | None) -> None:
    assert n.to_int(raw) == expected


@pytest.mark.parametrize("raw", ["12.5", 12.5, "abc", "1e3", True])
def test_int_refused(raw: Any) -> None:
    with pytest.raises(ValueError):
        n.to_int(raw)


def test_int_bounds() -> None:
    assert n.Integer(1, 5)(5) == 5
    with pytest.raises(ValueError, match="不能大于5"):
        n.Integer(1, 5)(6)
    with pytest.raises(ValueError, match="不能小于1"):
        n.Integer(1, 5)("0")


LEVELS = [("committee", "基层党委"), ("branch", "党支部"), ("party_group", "党小组")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("基层党委", "committee"),
        ("党支部", "branch"),
        (" 党 支 部 ", "branch"),
        ("branch", "branch"),
        ("BRANCH", "branch"),
        ("支部", "branch"),
        ("党委", "committee"),
        ("", ""),
        (None, ""),
    ],
)
def test_choice_accepted(raw: Any, expected: str) -> None:
    parse = n.Choice(LEVELS, {"支部": "branch", "党委": "committee"})
    assert parse(raw) == expected


def test_choice_refused_lists_labels() -> None:
    parse = n.Choice(LEVELS, {"支部": "branch"})
    with pytest.raises(ValueError, match="请填写：基层党委、党支部、党小组"):
        parse("党总支")
    assert "支部→党支部" in parse.accepted


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        ("11010519491231002X", "11010519491231002X"),
        (" 1101 0519 4912 3100 2X ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("430102199001011238", "430102199001011238"),
        (430102199001011238, "430102199001011238"),
    ],
)
def test_id_number_accepted(raw: Any, expected: str) -> None:
    assert n.id_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (4.30102199001011e17, "存成了数字"),
        ("430102199001011237", "校验位不正确"),
        ("430102199002301234", "出生日期不存在"),
        ("43010219900101123", "不是18位"),
        ("ABCDEFGHIJKLMNOPQR", "不是18位"),
    ],
)
def test_id_number_refused(raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        n.id_number(raw)


def test_every_normalizer_describes_itself() -> None:
    for parser in (
        n.text,
        n.to_date,
        n.to_int,
        n.id_number,
        n.Text(5),
        n.Code(),
        n.Boolean(),
        n.Integer(1),
        n.Choice(LEVELS),
    ):
        assert n.describe(parser)
