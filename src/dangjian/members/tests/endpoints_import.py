"""The import pages of the member registry in the permission matrix (core/views/imports.py).

People and positions need IMPORT on Person (university, committee, branch staff); cadres need
IMPORT on Cadre (the university's organization department only). A result page is its
uploader's alone: other importers get 404, like an object outside their scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.core.testing.matrix import Endpoint

PEOPLE_IMPORTERS = {"univ", "committee", "secretary", "outsider"}
CADRE_IMPORTERS = {"univ"}


def people_csv(tree: Any) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.members.testing import make_id_number

    number = make_id_number(date(1990, 3, 15))
    text = (
        "姓名,身份证号,人员类别,所在党支部,递交入党申请书日期\r\n"
        f"张三,{number},入党申请人,C1-B1,2020-09-01\r\n"
    )
    return SimpleUploadedFile("人员.csv", text.encode("utf-8-sig"))


def _univ_result(spec_class: Any, text: str, name: str) -> dict[str, str]:
    """A failed import by univ, so it has an error file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangjian.accounts.models import User
    from dangjian.core.io.importer import run_import
    from dangjian.core.io.results import save_result

    spec = spec_class()
    univ = User.objects.get(username="univ")
    upload = SimpleUploadedFile(name, text.encode("utf-8-sig"))
    result = run_import(spec, upload, univ)
    assert result.error_file is not None
    return {"token": save_result(result, user=univ, spec=spec, file_name=name, mode="create")}


def member_result(tree: Any) -> dict[str, str]:
    from dangjian.members.importers import MemberImport

    text = "姓名,身份证号,人员类别,所在党支部\r\n张三,123,正式党员,NOPE\r\n"
    return _univ_result(MemberImport, text, "人员.csv")


def position_result(tree: Any) -> dict[str, str]:
    from dangjian.members.importers import PositionImport

    return _univ_result(PositionImport, "工号/学号,党组织编码,职务\r\nX1,NOPE,书记\r\n", "职务.csv")


def cadre_result(tree: Any) -> dict[str, str]:
    from dangjian.members.importers import CadreImport

    text = "工号/学号,职级,现任职务,任职单位\r\nX1,正处级,院长,文学院\r\n"
    return _univ_result(CadreImport, text, "干部.csv")


def _pages(name: str, importers: set[str], args: Any, post: Any) -> list[Endpoint]:
    others = importers - {"univ"}
    return [
        Endpoint(f"members:{name}", ok=importers),
        Endpoint(f"members:{name}", method="POST", ok=importers, data=post),
        Endpoint(f"members:{name}_template", ok=importers),
        Endpoint(f"members:{name}_result", ok={"univ"}, not_found=others, args=args),
        Endpoint(f"members:{name}_error_file", ok={"univ"}, not_found=others, args=args),
    ]


ENDPOINTS = [
    *_pages(
        "import",
        PEOPLE_IMPORTERS,
        member_result,
        lambda t: {"file": people_csv(t), "mode": "create"},
    ),
    *_pages(
        "position_import",
        PEOPLE_IMPORTERS,
        position_result,
        lambda t: {"file": people_csv(t), "mode": "create"},  # wrong headers: a file error
    ),
    *_pages(
        "cadre_import",
        CADRE_IMPORTERS,
        cadre_result,
        lambda t: {"file": people_csv(t), "mode": "create"},
    ),
]
