"""SCAFFOLD: to be written."""

from dangjian.core.io.importer import ImportSpec
from dangjian.members.models import Cadre, Person


class MemberImport(ImportSpec):
    name = "members"
    model = Person


class PositionImport(ImportSpec):
    name = "positions"
    model = Person


class CadreImport(ImportSpec):
    name = "cadres"
    model = Cadre
