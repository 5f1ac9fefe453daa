"""The organization app's web views in the permission matrix (API operations: api_endpoints)."""

from datetime import date

from dangjian.core.testing.matrix import IN_C1, Endpoint
from dangjian.orgs.models import CommitteeMember, CommitteeTerm

ALL_ORGS_VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}
ABOVE_B = {"univ", "committee"}
B1_EDITORS = {"univ", "committee", "secretary"}
# B2 lies outside the secretary's branch: the secretary may change organizations, not this one.
OUTSIDE_B2 = {"outsider", "secretary"}


def b1_term(tree) -> CommitteeTerm:
    term, _ = CommitteeTerm.objects.get_or_create(
        organization=tree.b1, number=1,
        defaults={"elected_on": date(2023, 6, 1), "term_years": 3, "ends_on": date(2026, 6, 1)},
    )
    return term


def b1_secretary(tree) -> CommitteeMember:
    term = b1_term(tree)
    member, _ = CommitteeMember.objects.get_or_create(
        term=term, name="王明", position="secretary", defaults={"started_on": term.elected_on}
    )
    return member


ENDPOINTS = [
    Endpoint("orgs:list", ok=ALL_ORGS_VIEWERS),
    Endpoint("orgs:tree", ok=ALL_ORGS_VIEWERS),
    Endpoint("orgs:tree_children", ok=IN_C1, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint("orgs:detail", ok=IN_C1, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint("orgs:create", ok={"univ", "committee", "outsider"}),
    Endpoint("orgs:create", method="POST", ok={"univ", "committee"}, not_found={"outsider"},
             data=lambda t: {"parent": t.c1.pk, "name": "文学院教工第二党支部", "code": "C1-B9",
                             "level": "branch", "kind": "teacher"},
             note="a parent outside the user's scope does not exist for them"),
    Endpoint("orgs:edit", ok=B1_EDITORS, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint("orgs:edit", method="POST", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": t.b1.pk},
             data=lambda t: {"name": "文学院教工第一党支部", "code": "C1-B1", "level": "branch",
                             "kind": "teacher"}),
    Endpoint("orgs:move", ok=ABOVE_B, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint("orgs:move", method="POST", ok=ABOVE_B, not_found=OUTSIDE_B2,
             args=lambda t: {"pk": t.b2.pk}, data=lambda t: {"parent": t.c1.pk}),
    Endpoint("orgs:merge", ok=ABOVE_B, not_found=OUTSIDE_B2, args=lambda t: {"pk": t.b2.pk}),
    Endpoint("orgs:merge", method="POST", ok=ABOVE_B, not_found=OUTSIDE_B2,
             args=lambda t: {"pk": t.b2.pk}, data=lambda t: {"into": t.b1.pk, "on": "2024-01-01"}),
    Endpoint("orgs:dissolve", ok=ABOVE_B, not_found=OUTSIDE_B2, args=lambda t: {"pk": t.b2.pk}),
    Endpoint("orgs:dissolve", method="POST", ok=ABOVE_B, not_found=OUTSIDE_B2,
             args=lambda t: {"pk": t.b2.pk}, data=lambda t: {"on": "2024-01-01", "reason": "撤并"}),
    Endpoint("orgs:delete", ok=ABOVE_B, not_found={"outsider"}, args=lambda t: {"pk": t.b2.pk}),
    Endpoint("orgs:delete", method="POST", ok=ABOVE_B, not_found={"outsider"},
             args=lambda t: {"pk": t.b2.pk}),
    Endpoint("orgs:term_create", ok=B1_EDITORS, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint("orgs:term_create", method="POST", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": t.b1.pk},
             data=lambda t: {"elected_on": "2023-06-01", "term_years": "3"}),
    Endpoint("orgs:term_edit", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": b1_term(t).pk}),
    Endpoint("orgs:term_edit", method="POST", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": b1_term(t).pk},
             data=lambda t: {"elected_on": "2023-06-02", "term_years": "3"}),
    Endpoint("orgs:committee_member_add", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": b1_term(t).pk}),
    Endpoint("orgs:committee_member_add", method="POST", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": b1_term(t).pk},
             data=lambda t: {"name": "李华", "position": "organization", "started_on": "2023-06-01"}),
    Endpoint("orgs:committee_member_end", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": b1_secretary(t).pk}),
    Endpoint("orgs:committee_member_end", method="POST", ok=B1_EDITORS, not_found={"outsider"},
             args=lambda t: {"pk": b1_secretary(t).pk}, data=lambda t: {"on": "2024-06-01"}),
]
