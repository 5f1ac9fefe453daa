"""The recruitment worklist (发展工作台): reviews waiting, overdue and coming steps, returned
steps and the cases per stage, most urgent first, each section linked to the full list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core.permissions import require
from dangjian.core.scope import VIEW
from dangjian.core.views.pages import scope_tops
from dangjian.recruitment import worklist as queries
from dangjian.recruitment.models import Case

ROWS = 10  # rows per section; the rest are on the list


def _section(code: str, title: str, cases: Any, today: Any, url: str, empty: str) -> dict[str, Any]:
    total = cases.count()
    return {
        "code": code,
        "title": title,
        "rows": queries.with_days(cases[:ROWS], today),
        "total": total,
        "more": total > ROWS,
        "url": url,
        "empty": empty,
    }


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    """One page of what is due on the cases in the user's scope."""
    require(request, Case, VIEW)
    user, today = request.user, timezone.localdate()
    tops = scope_tops(user)
    within = tops[0] if len(tops) == 1 else None
    url = queries.list_url
    sections = [
        _section(
            "waiting",
            gettext("待我审核"),
            queries.waiting_for_me(user),
            today,
            url(within, waiting="1"),
            gettext("没有等待您审核的步骤。"),
        ),
        _section(
            "overdue",
            gettext("已逾期"),
            queries.overdue(user, today),
            today,
            url(within, overdue="1"),
            gettext("没有逾期未办的步骤。"),
        ),
        _section(
            "coming",
            gettext("%(days)d天内到期") % {"days": queries.UPCOMING_DAYS},
            queries.coming(user, today),
            today,
            url(within, status="open"),
            gettext("近期没有到期的步骤。"),
        ),
        _section(
            "returned",
            gettext("被退回待修改"),
            queries.returned(user),
            today,
            url(within, status="open", returned="1"),
            gettext("没有被退回的步骤。"),
        ),
    ]
    context = {
        "page_title": gettext("发展工作台"),
        "sections": sections,
        "stages": queries.stage_distribution(user, within),
        "open_url": url(within, status="open"),
        "today": today,
    }
    return render(request, "recruitment/worklist.html", context)
