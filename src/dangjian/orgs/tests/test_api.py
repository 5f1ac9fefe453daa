"""The organization API: list filters and paging, detail, every change and its refusals."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import Tree
from dangjian.orgs import actions
from dangjian.orgs.choices import Level, Status
from dangjian.orgs.models import CommitteeTerm, Organization

ORGS = "/api/v1/organizations"


def org_url(org: Organization, suffix: str = "") -> str:
    return f"{ORGS}/{org.pk}{suffix}"


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    body = json.dumps(data) if data is not None else None
    return getattr(client, method)(url, data=body, content_type="application/json")


def codes(response: Any) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def errors(response: Any) -> dict[tuple[str, ...], str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}


@pytest.fixture
def univ(login: Any) -> Client:
    return login("univ")


# --- list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("univ", ["U", "C1", "C1-B1", "C1-B1-G1", "C1-B2", "C2", "C2-B3"]),
        ("committee", ["C1", "C1-B1", "C1-B1-G1", "C1-B2"]),
        ("secretary", ["C1-B1", "C1-B1-G1"]),
        ("member", ["C1-B1", "C1-B1-G1"]),
        ("outsider", ["C2", "C2-B3"]),
    ],
)
def test_list_shows_the_callers_scope_in_tree_order(
    login: Any, persona: str, expected: list[str]
) -> None:
    response = login(persona).get(ORGS)
    assert response.status_code == 200
    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("persona", ["norole", "sysadmin", "secadmin", "auditor"])
def test_list_without_a_business_role_is_403(login: Any, persona: str) -> None:
    response = login(persona).get(ORGS)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有执行此操作的权限。"}


def test_list_items_carry_parent_depth_and_labels(univ: Client, tree: Tree) -> None:
    items = {item["code"]: item for item in univ.get(ORGS).json()["items"]}
    assert items["U"]["parent"] is None
    assert items["U"]["depth"] == 1
    assert items["C1-B1"]["parent"] == tree.c1.pk
    assert items["C1-B1"]["depth"] == 3
    assert items["C1-B1-G1"]["parent"] == tree.b1.pk
    assert items["C1-B1"]["level_label"] == "党支部"
    assert items["C1-B1"]["kind"] == "teacher"
    assert items["C1-B1"]["kind_label"] == "教职工"
    assert items["C1"]["kind"] is None
    assert items["C1-B1"]["status"] == "active"
    assert items["C1-B1"]["status_label"] == "正常"
    assert items["C1-B1"]["founded_on"] == "2001-09-01"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=文学院", ["C1", "C1-B1", "C1-B2"]),
        ("q=wxy", ["C1", "C1-B1", "C1-B2"]),
        ("q=sxxy", ["C2-B3"]),
        ("q=C1-B2", ["C1-B2"]),
        ("level=branch", ["C1-B1", "C1-B2", "C2-B3"]),
        ("kind=teacher", ["C1-B1"]),
        ("status=active&level=committee", ["C1", "C2"]),
        ("as_of=2003-01-01", ["U", "C1", "C1-B1", "C1-B1-G1", "C2"]),
        ("as_of=1984-12-31", ["U", "C1-B1-G1"]),  # no founding date: taken as existing
    ],
)
def test_list_filters(univ: Client, tree: Tree, query: str, expected: list[str]) -> None:
    assert codes(univ.get(f"{ORGS}?{query}")) == expected


def test_list_within_and_parent(univ: Client, tree: Tree) -> None:
    assert codes(univ.get(f"{ORGS}?within={tree.c1.pk}")) == ["C1", "C1-B1", "C1-B1-G1", "C1-B2"]
    assert codes(univ.get(f"{ORGS}?parent={tree.c1.pk}")) == ["C1-B1", "C1-B2"]
    assert codes(univ.get(f"{ORGS}?parent={tree.university.pk}")) == ["C1", "C2"]


def test_list_status_and_flag(univ: Client, tree: Tree) -> None:
    actions.dissolve_organization(tree.b3, on=date(2020, 7, 1), reason="撤并", acting_user=None)
    actions.update_organization(tree.b2, {"is_model_branch": True}, acting_user=None)
    assert codes(univ.get(f"{ORGS}?status=dissolved")) == ["C2-B3"]
    assert codes(univ.get(f"{ORGS}?flag=model")) == ["C1-B2"]
    assert codes(univ.get(f"{ORGS}?as_of=2020-06-30&level=branch")) == ["C1-B1", "C1-B2", "C2-B3"]
    assert codes(univ.get(f"{ORGS}?as_of=2020-07-01&level=branch")) == ["C1-B1", "C1-B2"]


def test_list_filter_on_an_organization_outside_scope_is_422(login: Any, tree: Tree) -> None:
    response = login("outsider").get(f"{ORGS}?within={tree.c1.pk}")
    assert errors(response) == {("query", "within"): "所选党组织不存在或不在您的管理范围内。"}
    response = login("outsider").get(f"{ORGS}?parent={tree.c1.pk}")
    assert ("query", "parent") in errors(response)


def test_list_bad_parameters_are_chinese_422(univ: Client, tree: Tree) -> None:
    assert errors(univ.get(f"{ORGS}?as_of=2024-13-01")) == {
        ("query", "as_of"): "日期格式不正确，应为 YYYY-MM-DD。"
    }
    level = errors(univ.get(f"{ORGS}?level=branchx"))[("query", "level")]
    assert level.startswith("取值不正确，可选：university_committee、committee")
    assert errors(univ.get(f"{ORGS}?within=abc")) == {("query", "within"): "请输入整数。"}
    assert errors(univ.get(f"{ORGS}?flag=famous"))[("query", "flag")].startswith("取值不正确")


def test_list_pages(univ: Client, tree: Tree) -> None:
    page = univ.get(f"{ORGS}?limit=2&offset=1").json()
    assert page["count"] == 7
    assert [item["code"] for item in page["items"]] == ["C1", "C1-B1"]
    assert univ.get(f"{ORGS}?offset=6").json()["items"][0]["code"] == "C2-B3"
    assert univ.get(f"{ORGS}?offset=7").json() == {"count": 7, "items": []}
    assert errors(univ.get(f"{ORGS}?limit=501")) == {("query", "limit"): "不能大于500。"}
    assert errors(univ.get(f"{ORGS}?limit=0")) == {("query", "limit"): "不能小于1。"}
    assert errors(univ.get(f"{ORGS}?offset=-1")) == {("query", "offset"): "不能小于0。"}


def test_list_page_size_defaults_to_50(univ: Client, tree: Tree) -> None:
    add_branches(tree, 50)
    page = univ.get(ORGS).json()
    assert page["count"] == 57
    assert len(page["items"]) == 50


def add_branches(tree: Tree, count: int) -> None:
    """Branches under C1 with committee terms (created directly: test data, not a use case)."""
    c1 = Organization.objects.get(pk=tree.c1.pk)
    for number in range(count):
        branch = Organization.objects.add_child(
            c1,
            {
                "name": f"文学院第{number}党支部",
                "code": f"C1-X{number:03d}",
                "level": Level.BRANCH,
                "kind": "graduate",
            },
        )
        c1.refresh_from_db()
        CommitteeTerm.objects.create(
            organization=branch,
            number=1,
            elected_on=date(2023, 1, 1),
            term_years=3,
            ends_on=date(2026, 1, 1),
        )


def test_list_query_count_does_not_grow_with_the_page(login: Any, tree: Tree) -> None:
    add_branches(tree, 60)
    client = login("committee")
    client.get(f"{ORGS}?limit=1")  # warm up: the first request records the session's activity
    counts = []
    for limit in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{ORGS}?limit={limit}&level=branch")
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
        on_orgs = [
            q["sql"] for q in queries.captured_queries if 'FROM "orgs_organization"' in q["sql"]
        ]
        assert len(on_orgs) == 2, on_orgs  # the count and the page (parent ids by subquery)
    assert counts[0] == counts[1], counts


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_parent_depth_term_and_flags(univ: Client, tree: Tree) -> None:
    term = actions.start_term(tree.b1, {"elected_on": date(2023, 6, 1)}, acting_user=None)
    actions.add_committee_member(term, {"name": "王明", "position": "secretary"}, acting_user=None)
    actions.update_organization(tree.b1, {"is_model_branch": True}, acting_user=None)
    body = univ.get(org_url(tree.b1)).json()
    assert body["code"] == "C1-B1"
    assert body["parent"] == tree.c1.pk
    assert body["depth"] == 3
    assert body["status"] == "active"
    assert body["is_model_branch"] is True
    assert body["is_dual_leader_studio"] is False
    assert body["children_count"] == 1
    assert body["member_count"] == 0  # counted by the member registry
    current = body["current_term"]
    assert current["number"] == 1
    assert current["elected_on"] == "2023-06-01"
    assert current["ends_on"] == "2026-06-01"
    assert current["is_current"] is True
    assert [(m["name"], m["position"], m["position_label"]) for m in current["members"]] == [
        ("王明", "secretary", "书记")
    ]
    assert isinstance(body["warnings"], list)


def test_detail_without_term(univ: Client, tree: Tree) -> None:
    body = univ.get(org_url(tree.university)).json()
    assert body["parent"] is None
    assert body["current_term"] is None


def test_detail_outside_scope_is_404(login: Any, tree: Tree) -> None:
    outsider = login("outsider")
    response = outsider.get(org_url(tree.c1))
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录，或不在您的管理范围内。"}
    assert outsider.get(f"{ORGS}/999999").status_code == 404
    assert AuditEvent.objects.filter(action="security.permission_denied", success=False).exists()


def test_detail_bad_id_is_422(univ: Client, tree: Tree) -> None:
    assert errors(univ.get(f"{ORGS}/abc")) == {("path", "org_id"): "请输入整数。"}


# --- create -----------------------------------------------------------------------------------

NEW_BRANCH = {
    "name": "文学院教工第二党支部",
    "code": "C1-B9",
    "level": "branch",
    "kind": "teacher",
    "founded_on": "2024-03-01",
}


def test_create(login: Any, tree: Tree, personas: Any) -> None:
    response = send(login("committee"), "post", ORGS, {"parent": tree.c1.pk, **NEW_BRANCH})
    assert response.status_code == 201, response.content
    body = response.json()
    org = Organization.objects.get(code="C1-B9")
    assert body["id"] == org.pk
    assert body["parent"] == tree.c1.pk
    assert body["depth"] == 3
    assert body["kind"] == "teacher"
    assert Organization.objects.get_parent(org).pk == tree.c1.pk
    assert org.founded_on == date(2024, 3, 1)
    event = AuditEvent.objects.get(action="orgs.organization.create", success=True)
    assert event.actor_id == personas["committee"].pk


def test_create_without_kind(univ: Client, tree: Tree) -> None:
    data = {
        "parent": tree.university.pk,
        "name": "机关党委",
        "code": "C3",
        "level": "committee",
        "kind": "",
    }
    response = send(univ, "post", ORGS, data)
    assert response.status_code == 201, response.content
    assert response.json()["kind"] is None
    assert Organization.objects.get(code="C3").kind == ""


def test_create_branch_under_a_party_group_is_refused(univ: Client, tree: Tree) -> None:
    response = send(univ, "post", ORGS, {"parent": tree.g1.pk, **NEW_BRANCH})
    assert "不能设在党小组之下" in errors(response)[("body", "level")]
    assert not Organization.objects.filter(code="C1-B9").exists()
    assert AuditEvent.objects.filter(action="orgs.organization.create", success=False).exists()


def test_create_with_a_duplicate_code_is_refused(univ: Client, tree: Tree) -> None:
    response = send(univ, "post", ORGS, {"parent": tree.c1.pk, **NEW_BRANCH, "code": "C1-B1"})
    assert errors(response) == {("body", "code"): "组织编码“C1-B1”已被使用。"}


def test_create_validates_fields_in_chinese(univ: Client, tree: Tree) -> None:
    data = {
        "parent": tree.c1.pk,
        "code": "X" * 41,
        "level": "cell",
        "founded_on": "2024/03/01",
        "colour": "red",
    }
    found = errors(send(univ, "post", ORGS, data))
    assert found[("body", "name")] == "此字段为必填项。"
    assert found[("body", "code")] == "长度不能超过40个字符。"
    assert found[("body", "level")].startswith("取值不正确，可选：")
    assert found[("body", "founded_on")] == "日期格式不正确，应为 YYYY-MM-DD。"
    assert found[("body", "colour")] == "不支持此字段。"


def test_create_future_founding_is_refused(univ: Client, tree: Tree) -> None:
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = send(univ, "post", ORGS, {"parent": tree.c1.pk, **NEW_BRANCH, "founded_on": future})
    assert errors(response) == {("body", "founded_on"): "成立日期不能晚于今天。"}


def test_create_under_a_parent_outside_scope_is_404(login: Any, tree: Tree) -> None:
    response = send(login("outsider"), "post", ORGS, {"parent": tree.c1.pk, **NEW_BRANCH})
    assert response.status_code == 404


def test_create_without_add_grant_is_403(login: Any, tree: Tree) -> None:
    response = send(login("secretary"), "post", ORGS, {"parent": tree.b1.pk, **NEW_BRANCH})
    assert response.status_code == 403


def test_empty_body_names_every_required_field(univ: Client, tree: Tree) -> None:
    response = univ.post(ORGS, content_type="application/json")
    assert errors(response) == {
        ("body", name): "此字段为必填项。" for name in ("parent", "name", "code", "level")
    }


# --- update -----------------------------------------------------------------------------------


def test_update_changes_only_the_given_fields(login: Any, tree: Tree) -> None:
    response = send(
        login("committee"),
        "patch",
        org_url(tree.b1),
        {"phone": "0731-88880001", "is_dual_leader_studio": True},
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "0731-88880001"
    org = Organization.objects.get(pk=tree.b1.pk)
    assert org.phone == "0731-88880001"
    assert org.is_dual_leader_studio is True
    assert org.name == "文学院教工第一党支部"
    event = AuditEvent.objects.get(action="orgs.organization.update", success=True)
    assert event.changes["phone"] == ["", "0731-88880001"]


def test_a_branch_cannot_award_itself_a_designation_or_change_its_code(
    login: Any, tree: Tree
) -> None:
    client = login("secretary")
    assert send(client, "patch", org_url(tree.b1), {"phone": "0731-1"}).status_code == 200
    for change in ({"is_model_branch": True}, {"code": "HIJACK"}):
        assert send(client, "patch", org_url(tree.b1), change).status_code == 422
    org = Organization.objects.get(pk=tree.b1.pk)
    assert not org.is_model_branch and org.code == "C1-B1"


def test_update_kind_to_none(univ: Client, tree: Tree) -> None:
    response = send(univ, "patch", org_url(tree.b1), {"kind": None})
    assert response.status_code == 200
    assert Organization.objects.get(pk=tree.b1.pk).kind == ""


def test_update_refusals(univ: Client, tree: Tree) -> None:
    assert errors(send(univ, "patch", org_url(tree.b1), {"code": "C1-B2"})) == {
        ("body", "code"): "组织编码“C1-B2”已被使用。"
    }
    assert errors(send(univ, "patch", org_url(tree.b1), {"name": None})) == {
        ("body", "name"): "请输入文本。"
    }
    assert errors(send(univ, "patch", org_url(tree.b1), {"name": "  "})) == {
        ("body", "name"): "请填写党组织名称。"
    }
    level = errors(send(univ, "patch", org_url(tree.b2), {"level": "party_group"}))
    assert set(level) == {("body", "level")}
    assert level[("body", "level")].startswith("党小组不能设在基层党委之下（可设在：")
    assert Organization.objects.get(pk=tree.b1.pk).code == "C1-B1"


def test_update_by_member_is_403_and_by_outsider_404(login: Any, tree: Tree) -> None:
    assert send(login("member"), "patch", org_url(tree.b1), {"phone": "1"}).status_code == 403
    assert send(login("outsider"), "patch", org_url(tree.b1), {"phone": "1"}).status_code == 404


def test_update_of_a_dissolved_organization_is_refused(univ: Client, tree: Tree) -> None:
    actions.dissolve_organization(tree.b2, on=date(2024, 1, 1), reason="撤并", acting_user=None)
    response = send(univ, "patch", org_url(tree.b2), {"phone": "1"})
    assert errors(response) == {("body",): "已撤销或合并的党组织不能修改。"}


# --- move -------------------------------------------------------------------------------------


def test_move(login: Any, tree: Tree) -> None:
    response = send(login("committee"), "post", org_url(tree.g1, "/move"), {"parent": tree.b2.pk})
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == tree.b2.pk
    assert Organization.objects.get_parent(Organization.objects.get(pk=tree.g1.pk)).pk == tree.b2.pk


def test_move_under_own_descendant_is_refused(univ: Client, tree: Tree) -> None:
    response = send(univ, "post", org_url(tree.c1, "/move"), {"parent": tree.b1.pk})
    assert errors(response) == {("body", "parent"): "不能把党组织调到它自己或它的下级组织之下。"}


def test_move_against_the_level_rules_is_refused(univ: Client, tree: Tree) -> None:
    response = send(univ, "post", org_url(tree.b2, "/move"), {"parent": tree.b1.pk})
    assert "党支部不能设在党支部之下" in errors(response)[("body", "parent")]


def test_move_of_own_level_is_403(login: Any, tree: Tree) -> None:
    response = send(login("committee"), "post", org_url(tree.c1, "/move"), {"parent": tree.c1.pk})
    assert response.status_code == 403
    assert response.json() == {"detail": "调整隶属关系、合并、撤销、删除须由上级党组织办理。"}


def test_move_to_a_parent_outside_scope_is_404(login: Any, tree: Tree) -> None:
    response = send(login("committee"), "post", org_url(tree.b2, "/move"), {"parent": tree.c2.pk})
    assert response.status_code == 404
    assert Organization.objects.get_parent(Organization.objects.get(pk=tree.b2.pk)).pk == tree.c1.pk


# --- merge and dissolve -----------------------------------------------------------------------


def test_merge(login: Any, tree: Tree) -> None:
    response = send(
        login("committee"),
        "post",
        org_url(tree.b2, "/merge"),
        {"into": tree.b1.pk, "on": "2024-01-01"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "merged"
    assert body["merged_into"] == tree.b1.pk
    assert body["dissolved_on"] == "2024-01-01"


def test_merge_refusals(univ: Client, tree: Tree) -> None:
    assert errors(
        send(univ, "post", org_url(tree.c2, "/merge"), {"into": tree.b1.pk, "on": "2024-01-01"})
    ) == {("body", "into"): "只能并入同一层级的党组织。"}
    assert errors(send(univ, "post", org_url(tree.b2, "/merge"), {"into": tree.b1.pk})) == {
        ("body", "on"): "此字段为必填项。"
    }


def test_dissolve(login: Any, tree: Tree) -> None:
    response = send(
        login("committee"),
        "post",
        org_url(tree.b2, "/dissolve"),
        {"on": "2024-01-01", "reason": "学院调整"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dissolved"
    org = Organization.objects.get(pk=tree.b2.pk)
    assert (org.status, org.dissolved_on, org.dissolution_reason) == (
        Status.DISSOLVED,
        date(2024, 1, 1),
        "学院调整",
    )


def test_dissolve_with_active_children_is_refused(univ: Client, tree: Tree) -> None:
    response = send(
        univ, "post", org_url(tree.c1, "/dissolve"), {"on": "2024-01-01", "reason": "调整"}
    )
    message = errors(response)[("body",)]
    assert message.startswith("请先撤销、合并或调出下级党组织")
    assert Organization.objects.get(pk=tree.c1.pk).is_active


def test_dissolve_bad_date_format_names_the_field(univ: Client, tree: Tree) -> None:
    response = send(
        univ, "post", org_url(tree.b2, "/dissolve"), {"on": "01/02/2024", "reason": "x"}
    )
    assert errors(response) == {("body", "on"): "日期格式不正确，应为 YYYY-MM-DD。"}
    assert response.json()["detail"][0]["type"] == "date_from_datetime_parsing"


def test_dissolve_refusals(univ: Client, tree: Tree) -> None:
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert errors(
        send(univ, "post", org_url(tree.b2, "/dissolve"), {"on": future, "reason": "x"})
    ) == {("body", "on"): "撤销日期不能晚于今天。"}
    assert errors(
        send(univ, "post", org_url(tree.b2, "/dissolve"), {"on": "2024-01-01", "reason": " "})
    ) == {("body", "reason"): "请填写撤销原因。"}


# --- delete -----------------------------------------------------------------------------------


def test_delete(login: Any, tree: Tree) -> None:
    response = login("committee").delete(org_url(tree.b2))
    assert response.status_code == 204
    assert response.content == b""
    assert not Organization.objects.filter(pk=tree.b2.pk).exists()
    assert AuditEvent.objects.filter(action="orgs.organization.delete", success=True).exists()


def test_delete_with_children_is_refused(univ: Client, tree: Tree) -> None:
    response = univ.delete(org_url(tree.c2))
    assert errors(response) == {
        ("body",): "该党组织有下级组织，不能删除；如已不再存在，请使用“撤销”。"
    }
    assert Organization.objects.filter(pk=tree.c2.pk).exists()


def test_delete_with_records_is_refused(univ: Client, tree: Tree) -> None:
    actions.start_term(tree.b2, {"elected_on": date(2023, 6, 1)}, acting_user=None)
    message = errors(univ.delete(org_url(tree.b2)))[("body",)]
    assert "委员会届次" in message and "撤销" in message
    assert Organization.objects.filter(pk=tree.b2.pk).exists()


def test_delete_by_secretary_is_403(login: Any, tree: Tree) -> None:
    assert login("secretary").delete(org_url(tree.g1)).status_code == 403


# --- terms ------------------------------------------------------------------------------------


def test_terms(login: Any, tree: Tree) -> None:
    secretary = login("secretary")
    first = send(secretary, "post", org_url(tree.b1, "/terms"), {"elected_on": "2020-06-01"})
    assert first.status_code == 201, first.content
    assert first.json()["number"] == 1
    assert first.json()["term_years"] == 3
    assert first.json()["ends_on"] == "2023-06-01"
    second = send(
        secretary,
        "post",
        org_url(tree.b1, "/terms"),
        {"elected_on": "2023-06-01", "term_years": 3, "note": "按期换届"},
    )
    assert second.status_code == 201
    listed = secretary.get(org_url(tree.b1, "/terms")).json()
    assert [(t["number"], t["closed_on"], t["is_current"]) for t in listed] == [
        (2, None, True),
        (1, "2023-06-01", False),
    ]
    assert listed[0]["note"] == "按期换届"


def test_term_refusals(univ: Client, tree: Tree) -> None:
    send(univ, "post", org_url(tree.b1, "/terms"), {"elected_on": "2023-06-01"})
    assert errors(send(univ, "post", org_url(tree.b1, "/terms"), {"elected_on": "2022-06-01"})) == {
        ("body", "elected_on"): "选举日期须晚于上一届（2023-06-01）。"
    }
    assert errors(
        send(
            univ, "post", org_url(tree.b1, "/terms"), {"elected_on": "2024-06-01", "term_years": 11}
        )
    ) == {("body", "term_years"): "不能大于10。"}
    assert errors(send(univ, "post", org_url(tree.g1, "/terms"), {"elected_on": "2024-06-01"})) == {
        ("body",): "党小组不设委员会。"
    }


def test_terms_outside_scope_are_404(login: Any, tree: Tree) -> None:
    outsider = login("outsider")
    assert outsider.get(org_url(tree.c1, "/terms")).status_code == 404
    assert (
        send(outsider, "post", org_url(tree.c1, "/terms"), {"elected_on": "2023-06-01"}).status_code
        == 404
    )
    assert not CommitteeTerm.objects.exists()


def test_member_may_read_but_not_record_terms(login: Any, tree: Tree) -> None:
    member = login("member")
    assert member.get(org_url(tree.b1, "/terms")).status_code == 200
    assert (
        send(member, "post", org_url(tree.b1, "/terms"), {"elected_on": "2023-06-01"}).status_code
        == 403
    )


# --- outsider ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("patch", "", {"phone": "1"}),
        ("delete", "", None),
        ("post", "/move", {"parent": 0}),
        ("post", "/merge", {"into": 0, "on": "2024-01-01"}),
        ("post", "/dissolve", {"on": "2024-01-01", "reason": "x"}),
        ("get", "/terms", None),
    ],
)
def test_outsider_gets_404_on_everything_of_c1(
    login: Any, tree: Tree, method: str, suffix: str, data: Any
) -> None:
    response = send(login("outsider"), method, org_url(tree.c1, suffix), data)
    assert response.status_code == 404
    assert Organization.objects.get(pk=tree.c1.pk).is_active
