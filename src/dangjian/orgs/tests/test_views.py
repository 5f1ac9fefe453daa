"""Organization pages: inline Chinese errors, warnings, tree search, list filters, export."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.orgs.models import CommitteeTerm, Organization

pytestmark = pytest.mark.django_db


def test_create_form_shows_inline_errors_and_saves_nothing(tree, login) -> None:
    before = Organization.objects.count()
    response = login("committee").post(
        "/orgs/add/", {"parent": tree.c1.pk, "name": "", "code": "C1-B1", "level": "branch"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" in page or "请填写" in page
    assert Organization.objects.count() == before


def test_create_form_shows_domain_error_on_the_field(tree, login) -> None:
    response = login("univ").post(
        "/orgs/add/", {"parent": tree.g1.pk, "name": "错党支部", "code": "XX", "level": "branch"}
    )
    assert response.status_code == 200  # party groups are not offered as parents
    assert "选择一个有效的选项" in response.content.decode()
    assert not Organization.objects.filter(code="XX").exists()


def test_create_then_redirect_to_detail(tree, login) -> None:
    response = login("committee").post(
        "/orgs/add/",
        {
            "parent": tree.c1.pk,
            "name": "文学院教工第二党支部",
            "code": "C1-B3",
            "level": "branch",
            "kind": "teacher",
        },
    )
    org = Organization.objects.get(code="C1-B3")
    assert response.status_code == 302 and response["Location"] == f"/orgs/{org.pk}/"


def test_level_under_wrong_parent_shown_inline(tree, login) -> None:
    response = login("univ").post(
        "/orgs/add/", {"parent": tree.c1.pk, "name": "错层级", "code": "XX", "level": "committee"}
    )
    assert "基层党委不能设在基层党委之下" in response.content.decode()


def test_move_form_refuses_descendant_inline(tree, login) -> None:
    response = login("univ").post(f"/orgs/{tree.c1.pk}/move/", {"parent": tree.b1.pk})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()  # descendants are not offered
    tree.c1.refresh_from_db()
    assert Organization.objects.get_parent(tree.c1).pk == tree.university.pk


def test_detail_flags_overdue_reelection(tree, login) -> None:
    CommitteeTerm.objects.create(
        organization=tree.b1,
        number=2,
        elected_on=date(2020, 1, 1),
        term_years=3,
        ends_on=date(2023, 1, 1),
    )
    page = login("secretary").get(f"/orgs/{tree.b1.pk}/").content.decode()
    assert "org.term.max_delay" in page and "逾期" in page


def test_home_lists_overdue_terms(tree, login) -> None:
    CommitteeTerm.objects.create(
        organization=tree.b1,
        number=2,
        elected_on=date(2020, 1, 1),
        term_years=3,
        ends_on=date(2023, 1, 1),
    )
    page = login("committee").get("/").content.decode()
    assert "文学院教工第一党支部 第2届" in page
    assert "文学院教工第一党支部 第2届" not in login("outsider").get("/").content.decode()


def test_tree_search_by_pinyin_initials(tree, login) -> None:
    response = login("univ").get("/orgs/tree/", {"q": "wxyjg"})
    assert [o.code for o in response.context["matches"]] == ["C1-B1"]
    assert [
        o.code for o in login("outsider").get("/orgs/tree/", {"q": "wxy"}).context["matches"]
    ] == []


def test_tree_top_is_the_scope(tree, login) -> None:
    assert [o.code for o in login("committee").get("/orgs/tree/").context["nodes"]] == ["C1"]
    children = login("committee").get(f"/orgs/tree/{tree.c1.pk}/children/").context["nodes"]
    assert [o.code for o in children] == ["C1-B1", "C1-B2"]


def test_list_filters_and_query_count(tree, login, django_assert_max_num_queries) -> None:
    client = login("univ")
    response = client.get("/orgs/", {"level": "branch", "kind": "teacher"})
    assert [o.code for o in response.context["object_list"]] == ["C1-B1"]
    with django_assert_max_num_queries(12):
        client.get("/orgs/")
    for i in range(30):
        Organization.objects.add_child(
            tree.c2, {"name": f"数学学院党支部{i}", "code": f"C2-X{i}", "level": "branch"}
        )
    with django_assert_max_num_queries(12):
        client.get("/orgs/")


def test_export_only_the_users_scope_and_audited(tree, login) -> None:
    response = login("committee").get("/orgs/", {"export": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"C1", "C1-B1", "C1-B2", "C1-B1-G1"}
    parents = {row[0]: row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert parents["C1-B1"] == "C1" and parents["C1"] == "U"
    event = AuditEvent.objects.get(action="security.export")
    assert event.detail["rows"] == 4 and event.actor_name == "committee"


def test_csv_export_has_bom(tree, login) -> None:
    response = login("committee").get("/orgs/", {"export": "csv"})
    assert b"".join(response.streaming_content).startswith("\ufeff组织编码".encode())


def test_denials_are_audited(tree, login) -> None:
    login("outsider").get(f"/orgs/{tree.b1.pk}/")
    login("sysadmin").get("/orgs/")
    events = AuditEvent.objects.filter(action="security.permission_denied")
    assert {e.actor_name for e in events} == {"outsider", "sysadmin"}


def test_edit_form_keeps_the_founding_date(tree, login) -> None:
    """Date inputs are ISO formatted; a localized value would be dropped by the browser."""
    page = login("univ").get(f"/orgs/{tree.b1.pk}/edit/").content.decode()
    assert 'type="date" name="founded_on" value="2001-09-01"' in page


def test_one_menu_item_is_active(tree, login) -> None:
    menu = login("univ").get("/orgs/tree/").context["menu"]
    active = [entry.item.label for _, entries in menu for entry in entries if entry.active]
    assert active == ["组织架构"]


def test_list_hides_dissolved_unless_asked(tree, login) -> None:
    from dangjian.orgs import actions

    actions.dissolve_organization(tree.b2, on=date(2024, 7, 1), reason="毕业", acting_user=None)
    client = login("committee")
    assert "C1-B2" not in [o.code for o in client.get("/orgs/").context["object_list"]]
    assert "C1-B2" in [
        o.code for o in client.get("/orgs/", {"status": "all"}).context["object_list"]
    ]
    assert "C1-B2" in [
        o.code for o in client.get("/orgs/", {"status": "dissolved"}).context["object_list"]
    ]
    before = client.get("/orgs/", {"as_of": "2024-06-30", "within": tree.c1.pk}).context[
        "object_list"
    ]
    assert "C1-B2" in [o.code for o in before]


def test_overdue_filter_and_home_total(tree, login) -> None:
    for i, org in enumerate([tree.b1, tree.b2, tree.c1]):
        CommitteeTerm.objects.create(
            organization=org,
            number=1,
            elected_on=date(2019, 1, 1 + i),
            term_years=3,
            ends_on=date(2022, 1, 1 + i),
        )
    client = login("committee")
    listed = [o.code for o in client.get("/orgs/", {"flag": "overdue"}).context["object_list"]]
    assert sorted(listed) == ["C1", "C1-B1", "C1-B2"]
    home = client.get("/").context
    assert home["overdue_total"] == 3 and home["overdue_url"].endswith("flag=overdue")


def test_secretary_home_shows_the_branch_not_university_counts(tree, login) -> None:
    context = login("secretary").get("/").context
    assert context["my_branch"].org.code == "C1-B1" and "stats" not in context


def test_member_counts_come_from_the_registry(tree, login) -> None:
    """With the member registry installed, a branch's count is its members and the
    member-based structure rules are checked (fewer than 3 full members is flagged)."""
    from dangjian.members.testing import make_person

    page = login("univ").get(f"/orgs/{tree.b1.pk}/").content.decode()
    assert '<div class="dj-stat-value">0</div>' in page
    assert "org.branch.min_members" in page
    make_person(tree.b1)
    make_person(tree.b1, name="李四", category="probationary", converted_on=None)
    page = login("univ").get(f"/orgs/{tree.b1.pk}/").content.decode()
    assert '<div class="dj-stat-value">2</div>' in page


def test_within_select_is_bounded_but_accepts_deeper_organizations(
    tree, login, monkeypatch
) -> None:
    from dangjian.orgs import filters

    monkeypatch.setattr(filters, "WITHIN_OPTIONS", 3)
    response = login("univ").get("/orgs/", {"within": tree.b3.pk})
    choices = response.context["filterset"].form.fields["within"].widget.choices
    assert [label.strip("　") for _, label in choices] == [
        "全部党组织",
        "湘麓大学委员会",
        "文学院党委",
        "数学与统计学院党委",
        "数学学院研究生党支部",
    ]
    assert [o.code for o in response.context["object_list"]] == ["C2-B3"]


def test_malformed_ids_answer_404(tree, login) -> None:
    assert login("univ").get("/orgs/add/", {"parent": "abc"}).status_code == 404


def test_tree_search_names_only_visible_parents(tree, login) -> None:
    matches = login("secretary").get("/orgs/tree/", {"q": "wxyjg"}).context["matches"]
    assert [(m.code, m.parent_name) for m in matches] == [("C1-B1", "")]
    matches = login("committee").get("/orgs/tree/", {"q": "wxyjg"}).context["matches"]
    assert [(m.code, m.parent_name) for m in matches] == [("C1-B1", "文学院党委")]


def test_refused_delete_shows_the_reason_on_the_confirm_page(tree, login):
    """An empty confirm POST that the action refuses re-renders with the message (no 500)."""
    response = login("committee").post(f"/orgs/{tree.b1.pk}/delete/")
    assert response.status_code == 200
    assert Organization.objects.filter(pk=tree.b1.pk).exists()
    assert "errorlist" in response.content.decode() or "alert" in response.content.decode()
