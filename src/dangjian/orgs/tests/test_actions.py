"""Organization actions: create, update, move, merge, dissolve, delete, terms — and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.accounts.models import RoleGrant
from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.models import AuditEvent
from dangjian.orgs import actions
from dangjian.orgs.choices import Level, Status
from dangjian.orgs.models import CommitteeMember, Organization

pytestmark = pytest.mark.django_db


def branch(code: str, name: str = "新党支部", **extra) -> dict:
    return {"name": name, "code": code, "level": Level.BRANCH, "kind": "teacher", **extra}


def count() -> int:
    return Organization.objects.count()


class TestCreate:
    def test_committee_staff_create_a_branch_in_their_committee(self, tree, personas) -> None:
        org = actions.create_organization(
            branch("C1-B9"), parent=tree.c1, acting_user=personas["committee"]
        )
        assert Organization.objects.get_parent(org).pk == tree.c1.pk and org.depth == 3
        assert org.name_initials == "xdzb"
        event = AuditEvent.objects.get(action="orgs.organization.create")
        assert event.changes["code"] == [None, "C1-B9"]

    def test_outside_scope_is_refused(self, tree, personas) -> None:
        before = count()
        with pytest.raises(DomainError):
            actions.create_organization(
                branch("X"), parent=tree.c1, acting_user=personas["outsider"]
            )
        assert count() == before

    def test_duplicate_code_is_refused_on_the_field(self, tree, personas) -> None:
        with pytest.raises(DomainError) as caught:
            actions.create_organization(
                branch("C1-B1"), parent=tree.c1, acting_user=personas["univ"]
            )
        assert "已被使用" in caught.value.errors["code"]

    @pytest.mark.parametrize(
        ("level", "parent_attr"),
        [
            (Level.BRANCH, "g1"),  # a branch under a party group
            (Level.COMMITTEE, "c1"),  # a committee under a committee
            (Level.PARTY_GROUP, "c1"),  # a party group directly under a committee
            (Level.UNIVERSITY_COMMITTEE, "university"),
        ],
    )
    def test_level_must_fit_the_parent(self, tree, personas, level, parent_attr) -> None:
        before = count()
        with pytest.raises(DomainError) as caught:
            actions.create_organization(
                {"name": "错误层级", "code": "BAD", "level": level},
                parent=getattr(tree, parent_attr),
                acting_user=personas["univ"],
            )
        assert "不能设在" in caught.value.errors["level"]
        assert count() == before

    def test_general_branch_under_committee_and_branch_under_it(self, tree, personas) -> None:
        general = actions.create_organization(
            {"name": "研究生党总支", "code": "C1-G", "level": Level.GENERAL_BRANCH},
            parent=tree.c1,
            acting_user=personas["committee"],
        )
        actions.create_organization(
            branch("C1-G-B1"), parent=general, acting_user=personas["committee"]
        )
        assert Organization.objects.get_children_count(general) == 1

    def test_a_new_university_committee_only_from_the_system(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.create_organization(
                {"name": "某大学委员会", "code": "U2", "level": Level.UNIVERSITY_COMMITTEE},
                parent=None,
                acting_user=personas["univ"],
            )
        root = actions.create_organization(
            {"name": "某大学委员会", "code": "U2", "level": Level.UNIVERSITY_COMMITTEE},
            parent=None,
            acting_user=None,
        )
        assert root.depth == 1

    def test_future_founding_date_and_blank_name(self, tree, personas) -> None:
        with pytest.raises(DomainError) as caught:
            actions.create_organization(
                branch("C1-B8", name=" ", founded_on=timezone.localdate() + timedelta(days=1)),
                parent=tree.c1,
                acting_user=personas["univ"],
            )
        assert set(caught.value.errors) == {"name", "founded_on"}

    def test_joint_branch_units_boundary(self, tree, personas) -> None:
        ok = actions.create_organization(
            branch("J5", is_joint=True, joint_units=5), parent=tree.c1, acting_user=personas["univ"]
        )
        assert ok.is_joint
        with pytest.raises(RuleViolation) as caught:
            actions.create_organization(
                branch("J6", is_joint=True, joint_units=6),
                parent=tree.c1,
                acting_user=personas["univ"],
            )
        assert caught.value.rule_code == "org.branch.joint_max_units"
        assert not Organization.objects.filter(code="J6").exists()

    def test_only_branches_can_be_joint(self, tree, personas) -> None:
        with pytest.raises(DomainError) as caught:
            actions.create_organization(
                {"name": "总支", "code": "GJ", "level": Level.GENERAL_BRANCH, "is_joint": True},
                parent=tree.c1,
                acting_user=personas["univ"],
            )
        assert "is_joint" in caught.value.errors


class TestUpdate:
    def test_update_records_before_and_after(self, tree, personas) -> None:
        actions.update_organization(
            tree.b1,
            {"name": "文学院教职工第一党支部", "is_model_branch": True},
            acting_user=personas["committee"],
        )
        tree.b1.refresh_from_db()
        assert tree.b1.is_model_branch and tree.b1.name_initials.startswith("wxyjzg")
        event = AuditEvent.objects.get(action="orgs.organization.update")
        assert event.changes == {
            "name": ["文学院教工第一党支部", "文学院教职工第一党支部"],
            "is_model_branch": [False, True],
        }

    def test_level_change_must_fit_children(self, tree, personas) -> None:
        with pytest.raises(DomainError) as caught:
            actions.update_organization(
                tree.b1, {"level": Level.GENERAL_BRANCH}, acting_user=personas["univ"]
            )
        assert "第一党小组" in caught.value.errors["level"]

    def test_secretary_cannot_change_own_level(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.update_organization(
                tree.b2, {"level": Level.TEMPORARY_BRANCH}, acting_user=personas["secretary"]
            )

    def test_member_cannot_update(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.update_organization(tree.b1, {"name": "x"}, acting_user=personas["member"])


class TestMove:
    def test_move_carries_the_subtree(self, tree, personas) -> None:
        moved = actions.move_organization(tree.b1, tree.c2, acting_user=personas["univ"])
        assert Organization.objects.get_parent(moved).pk == tree.c2.pk
        group = Organization.objects.get(code="C1-B1-G1")
        assert group.path.startswith(moved.path)
        assert Organization.objects.find_problems() == ([], [], [], [], [])

    def test_move_under_own_descendant_is_refused(self, tree, personas) -> None:
        with pytest.raises(DomainError) as caught:
            actions.move_organization(tree.c1, tree.b1, acting_user=personas["univ"])
        assert "下级组织" in caught.value.errors["parent"]

    def test_move_under_itself_is_refused(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.move_organization(tree.b1, tree.b1, acting_user=personas["univ"])

    def test_branch_under_party_group_is_refused(self, tree, personas) -> None:
        with pytest.raises(DomainError) as caught:
            actions.move_organization(tree.b2, tree.g1, acting_user=personas["univ"])
        assert "不能设在党小组之下" in caught.value.errors["parent"]

    def test_committee_staff_cannot_move_their_own_committee_or_into_other_scope(
        self, tree, personas
    ) -> None:
        with pytest.raises(DomainError):
            actions.move_organization(tree.c1, tree.university, acting_user=personas["committee"])
        with pytest.raises(DomainError):
            actions.move_organization(tree.b1, tree.c2, acting_user=personas["committee"])

    def test_same_parent_is_refused(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.move_organization(tree.b1, tree.c1, acting_user=personas["univ"])


class TestDissolveMergeDelete:
    def test_dissolve_keeps_history(self, tree, personas) -> None:
        actions.dissolve_organization(
            tree.b2, on=date(2024, 7, 1), reason="学生毕业", acting_user=personas["committee"]
        )
        tree.b2.refresh_from_db()
        assert tree.b2.status == Status.DISSOLVED and tree.b2.dissolved_on == date(2024, 7, 1)
        assert Organization.objects.filter(pk=tree.b2.pk).exists()

    def test_dissolve_with_active_children_is_refused(self, tree, personas) -> None:
        with pytest.raises(DomainError) as caught:
            actions.dissolve_organization(
                tree.b1, on=date(2024, 7, 1), reason="x", acting_user=personas["univ"]
            )
        assert "第一党小组" in str(caught.value)

    @pytest.mark.parametrize(
        ("on", "reason", "field"),
        [
            (date(2000, 1, 1), "x", "on"),  # before founding (2005)
            (date(2099, 1, 1), "x", "on"),  # in the future
            (date(2024, 1, 1), " ", "reason"),
        ],
    )
    def test_dissolve_bad_input(self, tree, personas, on, reason, field) -> None:
        with pytest.raises(DomainError) as caught:
            actions.dissolve_organization(
                tree.b2, on=on, reason=reason, acting_user=personas["univ"]
            )
        assert field in caught.value.errors

    def test_dissolved_cannot_be_dissolved_twice_or_edited(self, tree, personas) -> None:
        actions.dissolve_organization(
            tree.b2, on=date(2024, 7, 1), reason="x", acting_user=personas["univ"]
        )
        with pytest.raises(DomainError):
            actions.dissolve_organization(
                tree.b2, on=date(2024, 7, 1), reason="x", acting_user=personas["univ"]
            )
        with pytest.raises(DomainError):
            actions.update_organization(tree.b2, {"name": "y"}, acting_user=personas["univ"])

    def test_secretary_cannot_dissolve_own_branch(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.dissolve_organization(
                tree.g1, on=date(2024, 1, 1), reason="x", acting_user=personas["member"]
            )
        actions.dissolve_organization(
            tree.g1, on=date(2024, 1, 1), reason="合并小组", acting_user=personas["secretary"]
        )

    def test_merge_moves_children_and_handlers(self, tree, personas) -> None:
        seen = []
        actions.merge_handlers.append(lambda a, b: seen.append((a.code, b.code)) or 3)
        try:
            actions.merge_organization(
                tree.b1, tree.b2, on=date(2024, 9, 1), acting_user=personas["committee"]
            )
        finally:
            actions.merge_handlers.pop()
        tree.b1.refresh_from_db()
        assert tree.b1.status == Status.MERGED and tree.b1.merged_into_id == tree.b2.pk
        assert (
            Organization.objects.get_parent(Organization.objects.get(code="C1-B1-G1")).pk
            == tree.b2.pk
        )
        assert seen == [("C1-B1", "C1-B2")]
        assert AuditEvent.objects.get(action="orgs.organization.merge").detail == {
            "children_moved": 1,
            "records_moved": 3,
        }
        assert Organization.objects.find_problems() == ([], [], [], [], [])

    def test_merge_into_other_level_or_descendant_is_refused(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.merge_organization(
                tree.b1, tree.c2, on=date(2024, 1, 1), acting_user=personas["univ"]
            )
        with pytest.raises(DomainError):
            actions.merge_organization(
                tree.c1, tree.b1, on=date(2024, 1, 1), acting_user=personas["univ"]
            )

    def test_delete_a_mistake(self, tree, personas) -> None:
        actions.delete_organization(tree.b2, acting_user=personas["committee"])
        assert not Organization.objects.filter(code="C1-B2").exists()
        tree.c1.refresh_from_db()
        assert tree.c1.numchild == 1

    def test_delete_with_records_or_children_is_refused(self, tree, personas) -> None:
        RoleGrant.objects.create(user=personas["univ"], role="member", organization=tree.b2)
        with pytest.raises(DomainError) as caught:
            actions.delete_organization(tree.b2, acting_user=personas["univ"])
        assert "角色授权" in str(caught.value) and "撤销" in str(caught.value)
        with pytest.raises(DomainError):
            actions.delete_organization(tree.b1, acting_user=personas["univ"])
        assert Organization.objects.filter(code__in=["C1-B1", "C1-B2"]).count() == 2


class TestTerms:
    def test_start_term_defaults_to_three_years_for_branches(self, tree, personas) -> None:
        term = actions.start_term(
            tree.b1, {"elected_on": date(2023, 6, 1)}, acting_user=personas["secretary"]
        )
        assert term.number == 1 and term.term_years == 3 and term.ends_on == date(2026, 6, 1)
        assert (
            actions.start_term(
                tree.c1, {"elected_on": date(2022, 1, 10)}, acting_user=personas["committee"]
            ).term_years
            == 5
        )

    def test_next_term_closes_the_previous(self, tree, personas) -> None:
        first = actions.start_term(
            tree.b1, {"elected_on": date(2020, 6, 1)}, acting_user=personas["univ"]
        )
        actions.add_committee_member(
            first, {"name": "王明", "position": "secretary"}, acting_user=personas["univ"]
        )
        second = actions.start_term(
            tree.b1, {"elected_on": date(2023, 6, 1)}, acting_user=personas["univ"]
        )
        first.refresh_from_db()
        assert first.closed_on == date(2023, 6, 1) and second.number == 2
        assert CommitteeMember.objects.get(name="王明").ended_on == date(2023, 6, 1)
        with pytest.raises(DomainError):
            actions.start_term(
                tree.b1, {"elected_on": date(2023, 5, 1)}, acting_user=personas["univ"]
            )

    def test_term_bad_input(self, tree, personas) -> None:
        with pytest.raises(DomainError):
            actions.start_term(
                tree.b1,
                {"elected_on": timezone.localdate() + timedelta(days=1)},
                acting_user=personas["univ"],
            )
        with pytest.raises(DomainError):
            actions.start_term(
                tree.g1, {"elected_on": date(2023, 1, 1)}, acting_user=personas["univ"]
            )
        with pytest.raises(DomainError):
            actions.start_term(
                tree.b1,
                {"elected_on": date(2023, 1, 1), "term_years": 11},
                acting_user=personas["univ"],
            )

    def test_one_sitting_secretary_per_term(self, tree, personas) -> None:
        term = actions.start_term(
            tree.b1, {"elected_on": date(2023, 6, 1)}, acting_user=personas["univ"]
        )
        secretary = actions.add_committee_member(
            term, {"name": "王明", "position": "secretary"}, acting_user=personas["univ"]
        )
        with pytest.raises(DomainError):
            actions.add_committee_member(
                term, {"name": "李华", "position": "secretary"}, acting_user=personas["univ"]
            )
        with pytest.raises(DomainError):
            actions.add_committee_member(
                term,
                {"name": "赵四", "position": "member", "started_on": date(2023, 1, 1)},
                acting_user=personas["univ"],
            )
        actions.end_committee_post(secretary, on=date(2024, 1, 1), acting_user=personas["univ"])
        actions.add_committee_member(
            term, {"name": "李华", "position": "secretary"}, acting_user=personas["univ"]
        )
        with pytest.raises(DomainError):
            actions.end_committee_post(secretary, on=date(2024, 2, 1), acting_user=personas["univ"])


class TestReviewFindings:
    """Refusals added after the security review."""

    @pytest.mark.parametrize(
        "change", [{"is_model_branch": True}, {"code": "NEW"}, {"is_dual_leader_studio": True}]
    )
    def test_designations_and_code_are_decided_above(self, tree, personas, change) -> None:
        with pytest.raises(DomainError):
            actions.update_organization(tree.b1, change, acting_user=personas["secretary"])
        actions.update_organization(tree.b1, change, acting_user=personas["committee"])
        actions.update_organization(tree.b1, {"phone": "0731-1"}, acting_user=personas["secretary"])

    def test_committee_of_a_dissolved_organization_is_frozen(self, tree, personas) -> None:
        term = actions.start_term(tree.b2, {"elected_on": date(2023, 6, 1)}, acting_user=None)
        member = actions.add_committee_member(
            term, {"name": "王明", "position": "secretary"}, acting_user=None
        )
        actions.dissolve_organization(tree.b2, on=date(2024, 7, 1), reason="毕业", acting_user=None)
        term.refresh_from_db()
        member.refresh_from_db()
        with pytest.raises(DomainError):
            actions.add_committee_member(
                term, {"name": "李华", "position": "member"}, acting_user=personas["committee"]
            )
        with pytest.raises(DomainError):
            actions.update_term(
                term, {"elected_on": date(2023, 6, 2)}, acting_user=personas["committee"]
            )
        with pytest.raises(DomainError):
            actions.end_committee_post(
                member, on=date(2024, 8, 1), acting_user=personas["committee"]
            )

    def test_unexpected_fault_is_audited_and_raised(self, tree, personas) -> None:
        from dangjian.core.actions import domain_action

        @domain_action("test.fault")
        def fault(org, *, acting_user=None):
            raise ValueError("bug")

        with pytest.raises(ValueError):
            fault(tree.b1, acting_user=personas["univ"])
        event = AuditEvent.objects.get(action="test.fault")
        assert not event.success and "ValueError" in event.message
