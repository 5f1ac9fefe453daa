"""The problem pages: the list with its filters and the loop's counts, the form, the problem's
page, the whole loop through the pages (committee as the unit, univ as the issuer), refusals
on the forms, evidence files (permissions per persona: core/tests/test_permission_matrix)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.choices import ProblemStatus, ProblemStep
from dangjian.tasks.models import Problem, ProblemFile
from dangjian.tasks.testing import close, evidence, make_problem

pytestmark = pytest.mark.django_db
LIST = "/tasks/problems/"
LEDGER = {"measures": "制定整改方案，每月开展一次主题党日", "responsible": "李书记"}


def _text(response: Any) -> str:
    return response.content.decode()


def _url(problem: Problem, step: str = "") -> str:
    return f"/tasks/problems/{problem.pk}/{step + '/' if step else ''}"


def _rectifying(issuer: Any, unit: Any, deadline: date | None = None, **data: Any) -> Problem:
    problem = make_problem(issuer, unit, **data)
    day = deadline or problem.listed_on + timedelta(days=30)
    actions.open_ledger(problem, LEDGER | {"deadline": day}, acting_user=None)
    return problem


def _overdue(problem: Problem, days: int) -> None:
    """Move the problem's dates back so that its deadline passed `days` days ago."""
    today = timezone.localdate()
    Problem.objects.filter(pk=problem.pk).update(
        listed_on=today - timedelta(days=days + 10), deadline=today - timedelta(days=days)
    )


# The list -------------------------------------------------------------------------------------


def test_list_shows_the_loop_badges_recurrence_and_overdue(tree: Tree, login: Any) -> None:
    old = close(make_problem(tree.university, tree.c1, year=2022, description="主题党日形式单一"))
    again = make_problem(tree.university, tree.c1, year=2023, description="主题党日形式单一")
    late = _rectifying(tree.university, tree.c1, description="发展党员程序不规范")
    _overdue(late, 5)
    make_problem(tree.university, tree.c2, description="数学学院的问题")
    response = login("committee").get(LIST)
    text = _text(response)
    assert response.status_code == 200
    assert "发展党员程序不规范" in text and "数学学院的问题" not in text
    loop = {s["status"]: s["count"] for s in response.context["loop"]}
    assert loop == {"listed": 1, "rectifying": 1, "submitted": 0, "closed": 1}
    assert response.context["total"] == 3
    assert 'data-testid="recurring-flag"' in text and "与2022年第1号已销号问题相似" in text
    assert "超期5天" in text and "text-danger" in text
    assert f"?status={ProblemStatus.LISTED}" in text  # each count links to its status
    assert again.recurring_of == old


def test_the_counts_ignore_the_status_filter_but_keep_the_others(tree: Tree, login: Any) -> None:
    make_problem(tree.university, tree.c1)
    _rectifying(tree.university, tree.c1)
    _rectifying(tree.university, tree.c2)
    client = login("univ")
    response = client.get(f"{LIST}?status=rectifying&within={tree.c1.pk}")
    assert len(response.context["object_list"]) == 1
    loop = {s["status"]: s["count"] for s in response.context["loop"]}
    assert loop["listed"] == 1 and loop["rectifying"] == 1
    assert response.context["chosen_status"] == "rectifying"


def test_every_filter_of_the_docstring(tree: Tree, login: Any) -> None:
    today = timezone.localdate()
    a = make_problem(tree.university, tree.c1, description="甲问题", source="inspection")
    b = _rectifying(tree.c1, tree.b1, description="乙问题", category="conduct")
    c = close(make_problem(tree.university, tree.c2, year=2022, description="丙问题"))
    d = make_problem(tree.university, tree.c2, year=2024, description="丙问题")
    _overdue(b, 3)
    client = login("univ")

    def shown(query: str) -> set[str]:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200, query
        assert not response.context["filterset"].errors, query
        return {p.description for p in response.context["object_list"]}

    assert shown(f"within={tree.c1.pk}") == {"甲问题", "乙问题"}
    assert shown(f"issuer={tree.c1.pk}") == {"乙问题"}
    assert shown(f"unit={tree.c2.pk}") == {"丙问题"}
    assert (
        shown("year=2022") == {"丙问题"}
        and len(client.get(f"{LIST}?year=2022").context["object_list"]) == 1
    )
    assert shown("level=unit") == {"乙问题"}
    assert shown("source=inspection") == {"甲问题"}
    assert shown("category=conduct") == {"乙问题"}
    assert shown("status=closed") == {"丙问题"}
    assert shown("status=open") == {"甲问题", "乙问题", "丙问题"}
    assert shown("recurring=1") == {"丙问题"}
    assert shown("overdue=1") == {"乙问题"}
    assert shown(f"listed_from={today.isoformat()}") == {"甲问题", "丙问题"}
    assert shown(f"listed_to={(today - timedelta(days=1)).isoformat()}") == {"乙问题"}
    assert shown(f"closed_from={today.isoformat()}&closed_to={today.isoformat()}") == {"丙问题"}
    assert (a.pk, c.pk, d.recurring_of_id) == (a.pk, c.pk, c.pk)
    bad = client.get(f"{LIST}?listed_from=明天")
    assert bad.status_code == 200 and bad.context["filterset"].errors


def test_list_queries_do_not_grow_with_rows(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login("univ")
    for n in range(3):
        make_problem(tree.university, tree.c1, description=f"第{n}个问题")
    with django_assert_max_num_queries(20) as few:
        client.get(f"{LIST}?status=open&within={tree.c1.pk}")
    for n in range(12):
        close(make_problem(tree.university, tree.c2, year=2020, description=f"旧问题{n}"))
        make_problem(tree.university, tree.c2, year=2021, description=f"旧问题{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"{LIST}?within={tree.university.pk}")
    assert len(response.context["object_list"]) == 27


def test_the_list_needs_a_grant_and_shows_only_the_scope(tree: Tree, login: Any) -> None:
    make_problem(tree.university, tree.c1, description="文学院的问题")
    assert login("member").get(LIST).status_code == 403
    assert "文学院的问题" not in _text(login("outsider").get(LIST))
    assert "文学院的问题" not in _text(login("secretary").get(LIST))


# Listing a problem ----------------------------------------------------------------------------


def _form(tree: Tree, **extra: Any) -> dict[str, Any]:
    return {
        "issuer": str(tree.university.pk),
        "unit": str(tree.c1.pk),
        "year": "2024",
        "source": "investigation",
        "category": "organization",
        "description": "基层党组织活动方式单一",
    } | extra


def test_the_form_defaults_to_the_users_own_organization(tree: Tree, login: Any) -> None:
    response = login("committee").get(f"{LIST}add/")
    assert response.status_code == 200
    form = response.context["form"]
    assert str(form.initial["issuer"]) == str(tree.c1.pk)
    issuers = {str(pk) for pk, _label in form.fields["issuer"].choices}
    assert str(tree.c1.pk) in issuers and str(tree.university.pk) not in issuers
    units = {str(pk) for pk, _label in form.fields["unit"].choices}
    assert {str(tree.c1.pk), str(tree.b1.pk), str(tree.b2.pk)} <= units
    assert str(tree.c2.pk) not in units and str(tree.g1.pk) not in units
    assert f'data-path="{tree.b1.path}"' in _text(response)


def test_listing_a_problem_through_the_form(tree: Tree, login: Any) -> None:
    response = login("univ").post(f"{LIST}add/", _form(tree, number="A-1"))
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(problem)
    assert (problem.issuer, problem.unit, problem.number, problem.level) == (
        tree.university,
        tree.c1,
        "A-1",
        "university",
    )


def test_bad_input_is_named_in_chinese_and_nothing_is_saved(tree: Tree, login: Any) -> None:
    client = login("univ")
    response = client.post(f"{LIST}add/", _form(tree, category="x"))
    assert "请选择问题类别。" in response.context["form"].errors["category"]
    response = client.post(f"{LIST}add/", _form(tree, year="明年", source="", description=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "年度应为2000至2100之间的整数。" in errors["year"]
    assert "请选择问题来源。" in errors["source"] and "请填写问题描述。" in errors["description"]
    text = _text(
        client.post(f"{LIST}add/", _form(tree, issuer=str(tree.c1.pk), unit=str(tree.c2.pk)))
    )
    assert "数学与统计学院党委不在文学院党委的下级范围内。" in text
    text = _text(login("committee").post(f"{LIST}add/", _form(tree)))
    assert "请选择列出单位。" in text  # the university is not the committee's to list for
    assert not Problem.objects.exists()


def test_a_recurring_problem_is_flagged_on_listing_and_on_its_page(tree: Tree, login: Any) -> None:
    old = close(
        make_problem(tree.university, tree.c1, year=2022, description="支部组织生活质量不高")
    )
    client = login("univ")
    response = client.post(
        f"{LIST}add/", _form(tree, year="2023", description="支部组织生活质量不高"), follow=True
    )
    text = _text(response)
    assert "疑似反弹" in text and "相似度为100%" in text
    assert 'data-testid="recurring-warning"' in text and _url(old) in text


# The whole loop through the pages -------------------------------------------------------------


def test_the_whole_loop_through_the_pages(tree: Tree, login: Any) -> None:
    univ, committee = login("univ"), login("committee")
    univ.post(f"{LIST}add/", _form(tree))
    problem = Problem.objects.get()
    text = _text(committee.get(_url(problem)))
    assert 'data-testid="ledger-form"' in text and 'data-testid="verify-form"' not in text
    assert 'data-testid="delete-problem"' not in text  # the unit may not delete it
    deadline = (problem.listed_on + timedelta(days=30)).isoformat()
    response = committee.post(_url(problem, "ledger"), LEDGER | {"deadline": deadline})
    assert response.status_code == 302
    response = committee.post(
        _url(problem, "progress"),
        {"note": "已召开专题组织生活会", "files": [evidence("会议记录.pdf")]},
    )
    assert response.status_code == 302
    text = _text(committee.get(_url(problem)))
    assert "会议记录" in text and 'data-testid="submit-form"' in text
    response = committee.post(_url(problem, "submit"), {"note": "整改完成"})
    assert response.status_code == 302  # the evidence sent with the progress counts
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SUBMITTED
    text = _text(committee.get(_url(problem)))
    assert "等待列出单位核验" in text and 'data-testid="verify-form"' not in text
    text = _text(univ.get(_url(problem)))
    assert 'data-testid="verify-form"' in text
    response = univ.post(_url(problem, "verify"), {"decision": "accept", "note": "核验属实"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED and problem.closed_on == timezone.localdate()
    text = _text(univ.get(_url(problem)))
    assert 'data-testid="reopen-form"' in text and text.count('class="dj-step dj-step-done"') == 5
    univ.post(_url(problem, "reopen"), {"reason": "回访发现问题反弹"})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING and problem.reopened_count == 1
    steps = list(problem.log.values_list("step", flat=True))
    assert steps == [
        ProblemStep.LISTED,
        ProblemStep.LEDGER,
        ProblemStep.PROGRESS,
        ProblemStep.SUBMITTED,
        ProblemStep.CLOSED,
        ProblemStep.REOPENED,
    ]
    text = _text(univ.get(_url(problem)))
    assert "回访发现问题反弹" in text and "已召开专题组织生活会" in text


def test_closing_without_evidence_is_refused_on_the_page(tree: Tree, login: Any) -> None:
    problem = _rectifying(tree.university, tree.c1)
    response = login("committee").post(_url(problem, "submit"), {"note": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "申请销号须上传整改佐证材料。" in errors["files"]
    assert "请说明整改完成情况。" in errors["note"]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING


def test_verifying_by_the_unit_is_refused(tree: Tree, login: Any) -> None:
    problem = _rectifying(tree.university, tree.c1)
    actions.submit_closure(problem, "完成", [evidence()], acting_user=None)
    response = login("committee").post(
        _url(problem, "verify"), {"decision": "accept", "note": "自己销号"}
    )
    assert response.status_code == 200
    assert "只有列出问题的单位才能核验、销号或重新打开。" in _text(response)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SUBMITTED and problem.closed_on is None


def test_returning_needs_a_reason_and_goes_back_to_rectification(tree: Tree, login: Any) -> None:
    problem = _rectifying(tree.university, tree.c1)
    actions.submit_closure(problem, "完成", [evidence()], acting_user=None)
    client = login("univ")
    response = client.post(_url(problem, "verify"), {"decision": "return", "note": " "})
    assert "退回时请说明理由。" in response.context["form"].errors["note"]
    response = client.post(_url(problem, "verify"), {"decision": "maybe", "note": "x"})
    assert "请选择核验结论。" in response.context["form"].errors["decision"]
    client.post(_url(problem, "verify"), {"decision": "return", "note": "措施未落实"})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    assert client.get(_url(problem, "verify")).status_code == 405


def test_the_ledger_form_names_bad_fields(tree: Tree, login: Any) -> None:
    problem = make_problem(tree.university, tree.c1)
    client = login("committee")
    day = (problem.listed_on - timedelta(days=1)).isoformat()
    response = client.post(
        _url(problem, "ledger"), {"measures": "", "responsible": "李", "deadline": day}
    )
    errors = response.context["form"].errors
    assert "请填写整改措施。" in errors["measures"] and "不能早于" in errors["deadline"][0]
    response = client.post(_url(problem, "ledger"), LEDGER | {"deadline": "2024-13-45"})
    assert "整改时限的日期格式不正确。" in response.context["form"].errors["deadline"]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.LISTED and not problem.measures


def test_a_bad_file_is_refused_and_nothing_is_kept(tree: Tree, login: Any) -> None:
    problem = _rectifying(tree.university, tree.c1)
    fake = SimpleUploadedFile("证明.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = login("committee").post(_url(problem, "submit"), {"note": "完成", "files": [fake]})
    assert response.status_code == 200
    assert "文件应为PDF、JPG或PNG格式。" in response.context["form"].errors["files"]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING and not ProblemFile.objects.exists()


def test_the_outsider_gets_404_and_the_member_403(tree: Tree, login: Any) -> None:
    problem = _rectifying(tree.university, tree.c1)
    actions.record_progress(problem, "进展", [evidence()], acting_user=None)
    stored = ProblemFile.objects.get()
    outsider = login("outsider")
    for url in (_url(problem), _url(problem, "ledger"), f"{LIST}files/{stored.pk}/"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(_url(problem, "progress"), {"note": "x"}).status_code == 404
    assert login("member").get(_url(problem)).status_code == 403


def test_evidence_downloads_typed_by_content(tree: Tree, login: Any) -> None:
    problem = _rectifying(tree.university, tree.c1)
    actions.record_progress(problem, "进展", [evidence("整改报告.pdf")], acting_user=None)
    stored = ProblemFile.objects.get()
    response = login("committee").get(f"{LIST}files/{stored.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert f"{LIST}files/{stored.pk}/" in _text(login("univ").get(_url(problem)))


def test_the_page_shows_the_stepper_and_overdue_in_few_queries(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    problem = _rectifying(tree.university, tree.c1)
    for n in range(4):
        actions.record_progress(problem, f"进展{n}", [evidence()], acting_user=None)
    _overdue(problem, 7)
    client = login("committee")
    with django_assert_max_num_queries(20):
        response = client.get(_url(problem))
    text = _text(response)
    steps = [s["state"] for s in response.context["steps"]]
    assert steps == ["done", "done", "current", "todo", "todo"]
    assert "超期7天" in text and 'data-testid="overdue-warning"' in text
    assert len(response.context["files"]) == 4 and "进展3" in text


def test_only_a_listed_problem_is_deleted_by_its_issuer(tree: Tree, login: Any) -> None:
    problem = make_problem(tree.university, tree.c1)
    client = login("univ")
    assert "确定从问题清单中删除" in _text(client.get(_url(problem, "delete")))
    started = _rectifying(tree.university, tree.c1, description="已建台账的问题")
    response = client.post(_url(started, "delete"))
    assert response.status_code == 200 and "不能删除" in _text(response)
    response = login("committee").post(_url(problem, "delete"))
    assert response.status_code == 200 and "无权" in _text(response)
    response = client.post(_url(problem, "delete"))
    assert response.status_code == 302 and response["Location"] == LIST
    assert list(Problem.objects.all()) == [started]
