"""The actions helper (atomic, audited, refusals recorded) and the rules registry."""

from __future__ import annotations

import pytest

from dangjian.core import rules
from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.models import AuditEvent, RuleSetting
from dangjian.core.rules import WARN, RuleDef
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db

TEST_RULE = rules.register(
    RuleDef(
        "test.max_items",
        "测试上限",
        "共{count}项，超过{value}项。",
        5,
        "项",
        rules.REFUSE,
        "测试",
        "测试",
    )
)


@domain_action("test.rename")
def rename(org: Organization, name: str, *, acting_user=None, fail: bool = False) -> Organization:
    before = org.name
    org.name = name
    org.save()
    track(org, changes={"name": (before, name)})
    if fail:
        raise DomainError({"name": "名称不合规。"})
    return org


def test_action_writes_one_audit_row_with_changes(tree, personas) -> None:
    rename(tree.b1, "新名称", acting_user=personas["univ"])
    event = AuditEvent.objects.get(action="test.rename")
    assert event.changes == {"name": ["文学院教工第一党支部", "新名称"]}
    assert event.actor_name == "univ" and event.success
    assert event.object_type == "orgs.organization" and event.object_id == str(tree.b1.pk)


def test_refused_action_rolls_back_and_records_failure(tree, personas) -> None:
    with pytest.raises(DomainError) as caught:
        rename(tree.b1, "坏名称", acting_user=personas["univ"], fail=True)
    assert caught.value.errors == {"name": "名称不合规。"}
    tree.b1.refresh_from_db()
    assert tree.b1.name == "文学院教工第一党支部"
    event = AuditEvent.objects.get(action="test.rename")
    assert not event.success and "名称不合规" in event.message and event.changes == {}


def test_track_outside_an_action_is_an_error(tree) -> None:
    with pytest.raises(RuntimeError):
        track(tree.b1)


def test_rule_defaults_and_boundary() -> None:
    assert rules.value("test.max_items") == 5
    assert rules.get("test.max_items").message(count=6) == "共6项，超过5项。"
    with pytest.raises(RuleViolation) as caught:
        rules.breach("test.max_items", field="items", count=6)
    assert caught.value.rule_code == "test.max_items"
    assert caught.value.errors == {"items": "共6项，超过5项。"}


def test_rule_settings_override_value_severity_and_switch() -> None:
    RuleSetting.objects.create(code="test.max_items", value=8, severity=WARN)
    rules.invalidate()
    assert rules.value("test.max_items") == 8
    assert rules.breach("test.max_items", count=9) == "共9项，超过8项。"
    RuleSetting.objects.filter(code="test.max_items").update(enabled=False)
    rules.invalidate()
    assert rules.breach("test.max_items", count=9) is None


def test_registering_a_different_rule_under_a_used_code_fails() -> None:
    with pytest.raises(ValueError):
        rules.register(RuleDef("test.max_items", "别的", "x", 1))


def test_rules_page_changes_a_rule_and_audits_it(tree, login) -> None:
    response = login("univ").post(
        "/rules/",
        {"code": "org.branch.max_members", "value": "45", "severity": "warn", "enabled": "on"},
    )
    assert response.status_code == 302
    assert rules.value("org.branch.max_members") == 45
    event = AuditEvent.objects.get(action="core.rule.update")
    assert event.changes["value"] == [None, 45]


def test_rules_page_refuses_bad_values_inline(tree, login) -> None:
    response = login("univ").post(
        "/rules/", {"code": "org.committee.size", "value": "3", "severity": "warn", "enabled": "on"}
    )
    assert response.status_code == 200
    assert "取值格式不正确" in response.content.decode()
    assert rules.value("org.committee.size") == [3, 5]


def test_rules_page_is_read_only_for_committee_staff(tree, login) -> None:
    client = login("committee")
    assert "保存" not in client.get("/rules/").content.decode()
    assert (
        client.post("/rules/", {"code": "org.branch.max_members", "value": "1"}).status_code == 403
    )


def test_a_scope_takes_its_own_value_and_can_drop_it(tree, login) -> None:
    rules.register_scope("test_students", "学生")
    client = login("univ")
    response = client.post(
        "/rules/",
        {
            "code": "test.max_items",
            "value": "9",
            "severity": "refuse",
            "enabled": "on",
            "applies_to": "test_students",
        },
    )
    assert response.status_code == 302
    assert rules.value("test.max_items", "test_students") == 9
    assert rules.value("test.max_items") == 5  # the general setting is untouched
    assert rules.value("test.max_items", "someone_else") == 5
    page = client.get("/rules/").content.decode()
    assert 'data-testid="scoped-test.max_items-test_students"' in page
    client.post(
        "/rules/",
        {
            "code": "test.max_items",
            "value": "9",
            "severity": "refuse",
            "applies_to": "test_students",
            "reset": "1",
        },
    )
    assert rules.value("test.max_items", "test_students") == 5
    bad = client.post(
        "/rules/",
        {"code": "test.max_items", "value": "3", "severity": "refuse", "applies_to": "nope"},
    )
    assert "适用范围不正确" in bad.content.decode()


def test_an_exemption_lets_a_refused_breach_pass_with_its_reason(tree, personas) -> None:
    from dangjian.core.models import RuleException

    org = tree.b1
    with pytest.raises(RuleViolation):
        rules.breach("test.max_items", count=9, exemption=None)
    secretary = rules.Exemption("特殊情况", personas["secretary"], org)
    with pytest.raises(RuleViolation, match="无权记录规则例外"):
        rules.breach("test.max_items", count=9, exemption=secretary)
    staff = rules.Exemption("特殊情况", personas["committee"], org)
    assert rules.breach("test.max_items", count=9, exemption=staff) == "共9项，超过5项。"
    staff.save(org)
    kept = RuleException.objects.get()
    assert (kept.code, kept.object_type, kept.justification) == (
        "test.max_items",
        "orgs.organization",
        "特殊情况",
    )
    blank = rules.Exemption("  ", personas["committee"], org)
    with pytest.raises(RuleViolation):
        rules.breach("test.max_items", count=9, exemption=blank)
