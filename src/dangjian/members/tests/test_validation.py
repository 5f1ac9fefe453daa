"""`clean_person`: ID numbers, their facts, the date sequence and the rules, at their boundaries.

Every refusal is checked with its Chinese message and field; the registration tests prove that
a refused record leaves nothing behind.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from dangjian.core import rules
from dangjian.core.errors import DomainError
from dangjian.core.idnumber import check_char
from dangjian.core.models import AuditEvent, RuleSetting
from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.choices import Category
from dangjian.members.models import MemberEvent, Person
from dangjian.members.testing import make_id_number, make_person, person_data
from dangjian.members.validation import clean_person

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)


def clean(data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return clean_person(data, check_unique=False, today=TODAY, **kwargs)


def refusal(data: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        clean(data, **kwargs)
    return caught.value.errors


def number_ending_with(char: str, birth: date = date(1990, 3, 15), gender: str = "male") -> str:
    """A valid number whose check character is `char`."""
    for serial in range(1, 2000):
        number = make_id_number(birth, gender, serial=serial)
        if number[-1] == char:
            return number
    raise AssertionError(char)


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


def set_rule(code: str, **values: Any) -> None:
    RuleSetting.objects.update_or_create(code=code, defaults=values)
    rules.invalidate()


# ID numbers ----------------------------------------------------------------------------------


def test_a_valid_record_is_normalized(tree: Tree) -> None:
    cleaned = clean(person_data(tree.b1, name=" 张 三 ", phone="+86 138 0013 8000"))
    assert cleaned["name"] == "张三" and cleaned["phone"] == "13800138000"
    assert len(cleaned["id_number"]) == 18


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写身份证号。"),
        ("43010219900315123", "身份证号应为18位，现为17位。"),
        ("4301021990031512345", "身份证号应为18位，现为19位。"),
        ("43010219900315A234", "身份证号前17位应为数字，最后一位为数字或X。"),
        (with_check("99010219900315123"), "身份证号前两位（省份代码）99不存在。"),
        (with_check("43010219900230123"), "身份证号中的出生日期 19900230 不是有效日期。"),
        (with_check("43010218991231123"), "身份证号中的出生日期 1899-12-31 不合理。"),
        (with_check("43010220240616123"), "身份证号中的出生日期 2024-06-16 不合理。"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(tree: Tree, raw: str, message: str) -> None:
    data = person_data(tree.b1, id_number=raw)
    data.pop("gender"), data.pop("birth_date")
    assert refusal(data)["id_number"] == message


def test_wrong_check_character_names_the_right_one(tree: Tree) -> None:
    good = make_id_number(date(1990, 3, 15))
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    errors = refusal(person_data(tree.b1, id_number=wrong))
    assert errors["id_number"] == f"身份证号校验位不符（应为{good[17]}），请核对是否录错。"


def test_check_character_x_in_either_case_and_full_width(tree: Tree) -> None:
    number = number_ending_with("X")
    assert clean(person_data(tree.b1, id_number=number))["id_number"] == number
    assert clean(person_data(tree.b1, id_number=number.lower()))["id_number"] == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)  # １２…Ｘ
    assert clean(person_data(tree.b1, id_number=full_width))["id_number"] == number
    assert clean(person_data(tree.b1, id_number=f" {number[:6]} {number[6:]} "))["id_number"] == (
        number
    )


def test_fifteen_digit_numbers_are_upgraded(tree: Tree) -> None:
    old = "430102900315123"  # 1990-03-15, 3rd digit of the sequence odd: male
    cleaned = clean(person_data(tree.b1, id_number=old))
    assert cleaned["id_number"] == with_check("43010219900315123")
    assert cleaned["birth_date"] == date(1990, 3, 15) and cleaned["gender"] == "male"


def test_birth_date_and_gender_must_agree_with_the_number(tree: Tree) -> None:
    number = make_id_number(date(1990, 3, 15), "male")
    errors = refusal(
        person_data(tree.b1, id_number=number, birth_date=date(1990, 3, 16), gender="female")
    )
    assert errors["birth_date"] == "出生日期与身份证号（1990-03-15）不一致。"
    assert errors["gender"] == "性别与身份证号不一致。"


def test_birth_date_and_gender_are_taken_from_the_number_when_left_out(tree: Tree) -> None:
    number = make_id_number(date(1995, 12, 1), "female")
    data = person_data(tree.b1, id_number=number, applied_on=None, activist_on=None)
    data.update(gender="", birth_date=None, candidate_on=None)
    data.update(joined_on=date(2016, 6, 1), converted_on=date(2017, 6, 1))
    cleaned = clean(data)
    assert cleaned["birth_date"] == date(1995, 12, 1) and cleaned["gender"] == "female"


def test_gender_outside_the_choices(tree: Tree) -> None:
    data = person_data(tree.b1)
    data["gender"] = "other"
    assert refusal(data)["gender"] == "性别应为“男”或“女”。"


def test_choices_given_as_lists_or_numbers_are_refused_not_crashed(tree: Tree) -> None:
    """JSON bodies can carry any type; each is a Chinese refusal, never a TypeError."""
    errors = refusal(person_data(tree.b1, gender=["male"], category=["full"], post={"a": 1}))
    assert errors["gender"] == "性别应为“男”或“女”。"
    assert errors["category"] == "请选择人员类别。"
    assert errors["post"].endswith("不是可选的值。")


def test_an_edit_of_birth_date_is_checked_against_the_stored_number(tree: Tree) -> None:
    person = make_person(tree.b1)
    errors = refusal({"birth_date": date(1991, 1, 1)}, instance=person)
    assert errors == {"birth_date": "出生日期与身份证号（1990-03-15）不一致。"}
    assert clean({"gender": "", "birth_date": None}, instance=person) == {
        "gender": "male",
        "birth_date": date(1990, 3, 15),
    }


# Dates ---------------------------------------------------------------------------------------


def test_dates_run_in_order(tree: Tree) -> None:
    data = person_data(tree.b1, activist_on=date(2010, 9, 30))  # before applied_on 2010-10-01
    assert refusal(data) == {
        "activist_on": "“确定为积极分子日期”（2010-09-30）不能早于“递交入党申请书日期”（2010-10-01）。"
    }
    same_day = person_data(tree.b1, activist_on=date(2010, 10, 1))
    assert clean(same_day)["activist_on"] == date(2010, 10, 1)


@pytest.mark.parametrize(
    ("field", "before"),
    [
        ("candidate_on", "activist_on"),
        ("joined_on", "candidate_on"),
        ("converted_on", "joined_on"),
    ],
)
def test_each_step_not_before_the_previous(tree: Tree, field: str, before: str) -> None:
    data = person_data(tree.b1)
    data[field] = data[before] - timedelta(days=1)
    assert field in refusal(data)


def test_a_date_before_birth(tree: Tree) -> None:
    data = person_data(tree.b1, applied_on=date(1990, 3, 14))
    assert refusal(data)["applied_on"] == "“递交入党申请书日期”应晚于出生日期。"


def test_future_dates(tree: Tree) -> None:
    data = person_data(tree.b1, converted_on=TODAY + timedelta(days=1))
    assert refusal(data)["converted_on"] == "日期不能晚于今天。"
    assert clean(person_data(tree.b1, converted_on=TODAY))["converted_on"] == TODAY


def test_a_date_that_is_not_a_date(tree: Tree) -> None:
    assert refusal(person_data(tree.b1, joined_on="2012-06-01"))["joined_on"] == "日期格式不正确。"


def test_each_category_requires_its_dates(tree: Tree) -> None:
    probationary = person_data(tree.b1, category=Category.PROBATIONARY)
    assert refusal(probationary) == {"converted_on": "人员类别为“预备党员”，不应填写“转正日期”。"}
    probationary["converted_on"] = None
    assert clean(probationary)["category"] == Category.PROBATIONARY
    probationary["joined_on"] = None
    assert refusal(probationary) == {"joined_on": "预备党员须填写“入党日期”。"}

    full = person_data(tree.b1, converted_on=None)
    assert refusal(full) == {"converted_on": "正式党员须填写“转正日期”。"}
    full = person_data(tree.b1, joined_on=None)
    assert refusal(full)["joined_on"] == "正式党员须填写“入党日期”。"

    applicant = person_data(tree.b1, category=Category.APPLICANT, activist_on=None)
    applicant.update(candidate_on=None, joined_on=None, converted_on=None)
    assert clean(applicant)["category"] == Category.APPLICANT
    applicant["joined_on"] = date(2012, 6, 1)
    assert refusal(applicant) == {"joined_on": "人员类别为“入党申请人”，不应填写“入党日期”。"}


def test_category_must_be_chosen(tree: Tree) -> None:
    assert refusal(person_data(tree.b1, category="member"))["category"] == "请选择人员类别。"


# Rules: joining at 18, a year of probation -----------------------------------------------------


def young(tree: Tree, joined: date, birth: date = date(2000, 3, 15)) -> dict[str, Any]:
    data = person_data(tree.b1, birth_date=birth, category=Category.PROBATIONARY)
    data.update(applied_on=None, activist_on=None, candidate_on=None, converted_on=None)
    data["joined_on"] = joined
    return data


def test_joining_on_the_18th_birthday_is_allowed_one_day_before_is_not(tree: Tree) -> None:
    assert clean(young(tree, date(2018, 3, 15)))["joined_on"] == date(2018, 3, 15)
    with pytest.raises(DomainError) as caught:
        clean(young(tree, date(2018, 3, 14)))
    assert caught.value.code == "members.join_min_age"
    assert caught.value.errors == {"joined_on": "入党时年龄17岁，未满18周岁。"}


def test_born_on_29_february_turns_18_on_1_march(tree: Tree) -> None:
    birth = date(2000, 2, 29)
    assert clean(young(tree, date(2018, 3, 1), birth))
    assert refusal(young(tree, date(2018, 2, 28), birth))["joined_on"].startswith("入党时年龄17岁")


def test_probation_of_12_months_exactly_is_allowed_one_day_less_is_not(tree: Tree) -> None:
    assert clean(person_data(tree.b1, converted_on=date(2013, 6, 1)))  # joined 2012-06-01
    with pytest.raises(DomainError) as caught:
        clean(person_data(tree.b1, converted_on=date(2013, 5, 31)))
    assert caught.value.code == "members.probation_months"
    assert caught.value.errors == {
        "converted_on": "转正日期2013-05-31早于预备期满（入党之日起12个月）。"
    }


def test_probation_from_a_month_end_ends_at_the_shorter_month_end(tree: Tree) -> None:
    data = person_data(tree.b1, candidate_on=date(2012, 2, 1), joined_on=date(2012, 2, 29))
    assert clean({**data, "converted_on": date(2013, 2, 28)})
    assert "converted_on" in refusal({**data, "converted_on": date(2013, 2, 27)})


def test_rules_switched_off_or_warning_accept_the_record(tree: Tree) -> None:
    too_young = young(tree, date(2018, 3, 14))
    short = person_data(tree.b1, converted_on=date(2013, 5, 31))
    set_rule("members.join_min_age", severity=rules.WARN)
    set_rule("members.probation_months", enabled=False)
    assert clean(too_young)["joined_on"] == date(2018, 3, 14)
    assert clean(short)["converted_on"] == date(2013, 5, 31)
    set_rule("members.join_min_age", severity=rules.REFUSE)
    set_rule("members.probation_months", enabled=True)
    assert "joined_on" in refusal(too_young) and "converted_on" in refusal(short)


def test_rule_values_come_from_the_settings(tree: Tree) -> None:
    set_rule("members.join_min_age", value=16)
    assert clean(young(tree, date(2016, 3, 15)))
    assert refusal(young(tree, date(2016, 3, 14))) == {"joined_on": "入党时年龄15岁，未满16周岁。"}
    set_rule("members.probation_months", value=6)
    assert clean(person_data(tree.b1, converted_on=date(2012, 12, 1)))
    assert "converted_on" in refusal(person_data(tree.b1, converted_on=date(2012, 11, 30)))


# Other fields --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000".replace("-", " "), "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        (13800138000.0, "13800138000"),
        ("0731-88881234", "0731-88881234"),
        ("073188881234", "073188881234"),
        ("010-12345678-8001", "010-12345678-8001"),
        ("", ""),
    ],
)
def test_phone_formats_accepted(tree: Tree, raw: Any, stored: str) -> None:
    assert clean(person_data(tree.b1, phone=raw))["phone"] == stored


@pytest.mark.parametrize("raw", ["1380013800", "138001380001", "23800138000", "12800138000", "abc"])
def test_phone_formats_refused(tree: Tree, raw: str) -> None:
    errors = refusal(person_data(tree.b1, phone=raw))
    assert errors == {"phone": "手机号码应为11位数字（或带区号的固定电话）。"}


def test_organization_must_be_active_and_hold_people(tree: Tree) -> None:
    assert refusal({**person_data(tree.b1), "organization": None}) == {
        "organization": "请选择所在党组织。"
    }
    assert refusal(person_data(tree.g1))["organization"].startswith("人员应登记在党支部")
    tree.b2.status = "dissolved"
    tree.b2.save()
    assert refusal(person_data(tree.b2)) == {
        "organization": "党组织“文学院本科生第一党支部”已撤销，不能登记人员。"
    }
    assert clean(person_data(tree.c1))["organization"] == tree.c1  # a committee directly


def test_party_group_must_be_under_the_organization(tree: Tree) -> None:
    assert clean(person_data(tree.b1, party_group=tree.g1))["party_group"] == tree.g1
    message = {"party_group": "党小组应是所在党支部下的党小组。"}
    assert refusal(person_data(tree.b2, party_group=tree.g1)) == message
    assert refusal(person_data(tree.b1, party_group=tree.b2)) == message


def test_text_limits_and_choices(tree: Tree) -> None:
    errors = refusal(
        person_data(tree.b1, address="长" * 201, education="phd", enrollment_year=1900)
    )
    assert errors == {
        "address": "不能超过200个字。",
        "education": "“phd”不是可选的值。",
        "enrollment_year": "入学年份不正确。",
    }
    assert refusal(person_data(tree.b1, name="  "))["name"] == "请填写姓名。"


# Uniqueness and nothing half-saved -----------------------------------------------------------


def test_duplicate_id_number_and_staff_number(tree: Tree, personas: dict[str, Any]) -> None:
    first = make_person(tree.b1, staff_no="T001")
    number = first.reveal_id_number()
    before = (Person.objects.count(), MemberEvent.objects.count())
    with pytest.raises(DomainError) as caught:
        actions.register_person(
            person_data(tree.b1, id_number=number.lower(), staff_no="T001"),
            acting_user=personas["secretary"],
        )
    assert caught.value.errors == {
        "id_number": "该身份证号已登记（张三，文学院教工第一党支部）。",
        "staff_no": "工号/学号“T001”已被他人使用。",
    }
    assert (Person.objects.count(), MemberEvent.objects.count()) == before
    refused = AuditEvent.objects.filter(action="members.person.register", success=False).get()
    assert "该身份证号已登记" in refused.message and number not in refused.message


def test_duplicate_id_number_names_nobody_outside_the_users_scope(
    tree: Tree, personas: dict[str, Any]
) -> None:
    number = make_person(tree.b1, name="李四").reveal_id_number()
    with pytest.raises(DomainError) as caught:
        actions.register_person(
            person_data(tree.b3, id_number=number), acting_user=personas["outsider"]
        )
    message = caught.value.errors["id_number"]
    assert message.startswith("该身份证号已登记，不能重复登记")
    assert "李四" not in message and "文学院" not in message


def test_an_edit_keeps_its_own_numbers(tree: Tree) -> None:
    person = make_person(tree.b1, staff_no="T002")
    cleaned = clean_person(
        {"id_number": person.reveal_id_number(), "staff_no": "T002"}, instance=person
    )
    assert cleaned["staff_no"] == "T002"


def test_a_refused_registration_writes_nothing(tree: Tree, personas: dict[str, Any]) -> None:
    counts = (Person.objects.count(), MemberEvent.objects.count())
    with pytest.raises(DomainError):
        actions.register_person(
            person_data(tree.b1, converted_on=date(2013, 5, 31)), acting_user=personas["secretary"]
        )
    assert (Person.objects.count(), MemberEvent.objects.count()) == counts
    assert not AuditEvent.objects.filter(action="members.person.register", success=True).exists()


def test_a_duplicate_past_the_check_is_still_a_clean_refusal(
    tree: Tree, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a race looks like on any database: the unique index refuses, not a 500."""
    from dangjian.members import validation

    number = make_person(tree.b1).reveal_id_number()
    monkeypatch.setattr(validation, "check_unique_person", lambda *args, **kwargs: None)
    with pytest.raises(DomainError) as caught:
        actions.register_person(
            person_data(tree.b1, id_number=number), acting_user=personas["secretary"]
        )
    assert caught.value.errors == {"id_number": "该身份证号已登记（张三，文学院教工第一党支部）。"}
    assert Person.objects.count() == 1 and MemberEvent.objects.count() == 1
