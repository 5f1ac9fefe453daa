"""The organization API in the permission matrix (web views: endpoints.py)."""

from dangjian.core.testing.matrix import IN_C1, Endpoint

ALL_ORGS_VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}
ABOVE_B = {"univ", "committee"}
B1_EDITORS = {"univ", "committee", "secretary"}
# B2 lies outside the secretary's branch: it does not exist for them.
OUTSIDE_B2 = {"outsider", "secretary"}

ORGS = "/api/v1/organizations"
ORG = "/api/v1/organizations/{org_id}"


def on_b1(tree) -> dict:
    return {"org_id": tree.b1.pk}


def on_b2(tree) -> dict:
    return {"org_id": tree.b2.pk}


ENDPOINTS = [
    Endpoint(ORGS, api=True, ok=ALL_ORGS_VIEWERS),
    Endpoint(
        ORGS,
        api=True,
        method="POST",
        ok=ABOVE_B,
        not_found={"outsider"},
        data=lambda t: {
            "parent": t.c1.pk,
            "name": "文学院教工第二党支部",
            "code": "C1-B9",
            "level": "branch",
            "kind": "teacher",
        },
        note="a parent outside the caller's scope does not exist for them",
    ),
    Endpoint(ORG, api=True, ok=IN_C1, not_found={"outsider"}, args=on_b1),
    Endpoint(
        ORG,
        api=True,
        method="PATCH",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=on_b1,
        data=lambda t: {"phone": "0731-88880001"},
    ),
    Endpoint(ORG, api=True, method="DELETE", ok=ABOVE_B, not_found={"outsider"}, args=on_b2),
    Endpoint(
        f"{ORG}/move",
        api=True,
        method="POST",
        ok=ABOVE_B,
        not_found={"outsider"},
        args=lambda t: {"org_id": t.g1.pk},
        data=lambda t: {"parent": t.b2.pk},
        note="the party group G1 moves from B1 to B2; the secretary may not add under B2",
    ),
    Endpoint(
        f"{ORG}/merge",
        api=True,
        method="POST",
        ok=ABOVE_B,
        not_found=OUTSIDE_B2,
        args=on_b2,
        data=lambda t: {"into": t.b1.pk, "on": "2024-01-01"},
    ),
    Endpoint(
        f"{ORG}/dissolve",
        api=True,
        method="POST",
        ok=ABOVE_B,
        not_found=OUTSIDE_B2,
        args=on_b2,
        data=lambda t: {"on": "2024-01-01", "reason": "撤并"},
    ),
    Endpoint(f"{ORG}/terms", api=True, ok=IN_C1, not_found={"outsider"}, args=on_b1),
    Endpoint(
        f"{ORG}/terms",
        api=True,
        method="POST",
        ok=B1_EDITORS,
        not_found={"outsider"},
        args=on_b1,
        data=lambda t: {"elected_on": "2023-06-01", "term_years": 3},
    ),
]
