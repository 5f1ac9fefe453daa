"""Models of the member registry."""

from dangjian.members.models.cadre import Cadre
from dangjian.members.models.person import Person, PersonQuerySet
from dangjian.members.models.records import CorrectionRequest, MemberEvent, Transfer

__all__ = ["Cadre", "CorrectionRequest", "MemberEvent", "Person", "PersonQuerySet", "Transfer"]
