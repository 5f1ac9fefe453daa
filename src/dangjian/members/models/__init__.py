"""Models of the member registry."""

from django.db.models import Q

from dangjian.core import protected
from dangjian.members.models.cadre import Cadre
from dangjian.members.models.person import ID_FIELD, PHONE_FIELD, Person, PersonQuerySet
from dangjian.members.models.records import (
    PROPOSED_FIELD,
    CorrectionRequest,
    MemberEvent,
    Transfer,
)

__all__ = ["Cadre", "CorrectionRequest", "MemberEvent", "Person", "PersonQuerySet", "Transfer"]

# Every column holding ciphertexts, for `dangjian rotate_keys`.
protected.register(Person, "id_cipher", ID_FIELD, hash_column="id_hash")
protected.register(Person, "phone_cipher", PHONE_FIELD)
protected.register(
    CorrectionRequest,
    "proposed_value",
    PROPOSED_FIELD,
    condition=Q(field__in=("id_number", "phone")),
)
