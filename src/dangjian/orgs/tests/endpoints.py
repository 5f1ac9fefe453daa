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
        organization=tree.b1,
        number=1,
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
    Endpoint(
        "orgs:tree_children", ok=IN_C1, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}
    ),
    Endpoint("orgs:detail", ok=IN_C1, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint("orgs:create", ok={"univ", "committee", "outsider"}),
    Endpoint(
        "orgs:create",
        method="POST",
        ok={"univ", "committee"},
        not_found={"outsider"},
        data=lambda t: {
            "parent": t.c1.pk,
            "name": "文学院教工第二党支部",
            "code": "C1-B9",
            "level": "branch",
            "kind": "teacher",
        },
        note="a parent outside the user's scope does not exist for them",
    ),
    Endpoint("orgs:edit", ok=B1_EDITORS, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint(
        "orgs:edit",
        method="POST",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": t.b1.pk},
        data=lambda t: {
            "name": "文学院教工第一党支部",
            "code": "C1-B1",
            "level": "branch",
            "kind": "teacher",
        },
    ),
    Endpoint("orgs:move", ok=ABOVE_B, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}),
    Endpoint(
        "orgs:move",
        method="POST",
        ok=ABOVE_B,
        not_found=OUTSIDE_B2,
        args=lambda t: {"pk": t.b2.pk},
        data=lambda t: {"parent": t.c1.pk},
    ),
    Endpoint("orgs:merge", ok=ABOVE_B, not_found=OUTSIDE_B2, args=lambda t: {"pk": t.b2.pk}),
    Endpoint(
        "orgs:merge",
        method="POST",
        ok=ABOVE_B,
        not_found=OUTSIDE_B2,
        args=lambda t: {"pk": t.b2.pk},
        data=lambda t: {"into": t.b1.pk, "on": "2024-01-01"},
    ),
    Endpoint("orgs:dissolve", ok=ABOVE_B, not_found=OUTSIDE_B2, args=lambda t: {"pk": t.b2.pk}),
    Endpoint(
        "orgs:dissolve",
        method="POST",
        ok=ABOVE_B,
        not_found=OUTSIDE_B2,
        args=lambda t: {"pk": t.b2.pk},
        data=lambda t: {"on": "2024-01-01", "reason": "撤并"},
    ),
    Endpoint("orgs:delete", ok=ABOVE_B, not_found={"outsider"}, args=lambda t: {"pk": t.b2.pk}),
    Endpoint(
        "orgs:delete",
        method="POST",
        ok=ABOVE_B,
        not_found={"outsider"},
        args=lambda t: {"pk": t.b2.pk},
    ),
    Endpoint(
        "orgs:term_create", ok=B1_EDITORS, not_found={"outsider"}, args=lambda t: {"pk": t.b1.pk}
    ),
    Endpoint(
        "orgs:term_create",
        method="POST",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": t.b1.pk},
        data=lambda t: {"elected_on": "2023-06-01", "term_years": "3"},
    ),
    Endpoint(
        "orgs:term_edit",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": b1_term(t).pk},
    ),
    Endpoint(
        "orgs:term_edit",
        method="POST",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": b1_term(t).pk},
        data=lambda t: {"elected_on": "2023-06-02", "term_years": "3"},
    ),
    Endpoint(
        "orgs:committee_member_add",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": b1_term(t).pk},
    ),
    Endpoint(
        "orgs:committee_member_add",
        method="POST",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": b1_term(t).pk},
        data=lambda t: {"name": "李华", "position": "organization", "started_on": "2023-06-01"},
    ),
    Endpoint(
        "orgs:committee_member_end",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": b1_secretary(t).pk},
    ),
    Endpoint(
        "orgs:committee_member_end",
        method="POST",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=lambda t: {"pk": b1_secretary(t).pk},
        data=lambda t: {"on": "2024-06-01"},
    ),
]

# --- import (core/views/imports.py) ------------------------------------------------------------
IMPORTERS = {"univ", "committee", "outsider"}
# A result page is the uploader's alone: other importers get 404, like an object out of scope.
OTHER_IMPORTERS = IMPORTERS - {"univ"}


def import_file(tree, parent: str = "C1") -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = f"组织编码,名称,层级,上级组织编码\r\nC1-B9,文学院教工第二党支部,党支部,{parent}\r\n"
    return SimpleUploadedFile("党组织.csv", text.encode("utf-8-sig"))


def univ_import_result(tree) -> dict[str, str]:
    """A failed import by univ (its parent code is unknown), so it has an error file."""
    from dangjian.accounts.models import User
    from dangjian.core.io.importer import run_import
    from dangjian.core.io.results import save_result
    from dangjian.orgs.importers import OrganizationImport

    spec = OrganizationImport()
    univ = User.objects.get(username="univ")
    result = run_import(spec, import_file(tree, parent="NOPE"), univ)
    assert result.error_file is not None
    return {
        "token": save_result(result, user=univ, spec=spec, file_name="党组织.csv", mode="create")
    }


ENDPOINTS += [
    Endpoint("orgs:import", ok=IMPORTERS),
    Endpoint(
        "orgs:import",
        method="POST",
        ok=IMPORTERS,
        data=lambda t: {"file": import_file(t), "mode": "create"},
        note="the outsider's rows are refused row by row (parent out of scope): still a 302",
    ),
    Endpoint("orgs:import_template", ok=IMPORTERS),
    Endpoint("orgs:import_result", ok={"univ"}, not_found=OTHER_IMPORTERS, args=univ_import_result),
    Endpoint(
        "orgs:import_error_file", ok={"univ"}, not_found=OTHER_IMPORTERS, args=univ_import_result
    ),
]
