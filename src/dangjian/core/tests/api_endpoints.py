"""The core API operations in the permission matrix: current user and figures."""

from dangjian.core.testing.matrix import IN_C1, PERSONAS, Endpoint

EVERYONE = frozenset(p for p in PERSONAS if p != "anonymous")
ORG_VIEWERS = {"univ", "committee", "secretary", "member", "outsider"}

FIGURES = "/api/v1/figures"
FIGURE = "/api/v1/figures/{name}"

ENDPOINTS = [
    Endpoint("/api/v1/me", api=True, ok=EVERYONE),
    Endpoint(FIGURES, api=True, ok=ORG_VIEWERS, note="default: the caller's top organization"),
    Endpoint(
        f"{FIGURES}?organization={{org_id}}",
        api=True,
        ok=IN_C1,
        not_found={"outsider"},
        args=lambda t: {"org_id": t.b1.pk},
    ),
    Endpoint(FIGURE, api=True, ok=ORG_VIEWERS, args=lambda t: {"name": "orgs.branches"}),
    Endpoint(
        f"{FIGURE}?organization={{org_id}}",
        api=True,
        ok=IN_C1,
        not_found={"outsider"},
        args=lambda t: {"name": "orgs.by_level.branch", "org_id": t.b1.pk},
    ),
]
