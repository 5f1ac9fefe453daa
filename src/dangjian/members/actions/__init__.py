"""Every state change of the member registry (domain.md §3, §7, §8).

Each action checks that the acting user's grant covers the organizations involved, validates,
changes the record, writes the person's timeline (`MemberEvent`) and the audit event. ID and
phone numbers reach the audit log only as masks.

Split by topic (people, transfers, status, corrections, cadres); import from here.
"""

from __future__ import annotations

from dangjian.members.actions.cadres import CADRE_FIELDS, clean_cadre, end_cadre, save_cadre
from dangjian.members.actions.common import (
    CORRECTABLE,
    DIRECTLY_APPLIED,
    PERSON_FIELDS,
    PROTECTED_CORRECTIONS,
    add_event,
    responsible_users,
)
from dangjian.members.actions.corrections import (
    decide_correction,
    proposed_plain,
    request_correction,
)
from dangjian.members.actions.organizations import move_people_on_merge, people_keep_organization
from dangjian.members.actions.people import (
    LABELLED,
    advance_category,
    delete_person,
    register_person,
    reveal,
    update_person,
)
from dangjian.members.actions.status import (
    end_floating,
    leave_party,
    mark_lost_contact,
    record_death,
    restore_contact,
    restore_standing,
    start_floating,
    suspend,
)
from dangjian.members.actions.transfers import (
    issue_transfer,
    receive_from_outside,
    receive_transfer,
    return_transfer,
)

__all__ = [
    "CADRE_FIELDS",
    "CORRECTABLE",
    "DIRECTLY_APPLIED",
    "LABELLED",
    "PERSON_FIELDS",
    "PROTECTED_CORRECTIONS",
    "add_event",
    "advance_category",
    "clean_cadre",
    "decide_correction",
    "delete_person",
    "end_cadre",
    "end_floating",
    "issue_transfer",
    "leave_party",
    "mark_lost_contact",
    "move_people_on_merge",
    "people_keep_organization",
    "proposed_plain",
    "receive_from_outside",
    "receive_transfer",
    "record_death",
    "register_person",
    "request_correction",
    "responsible_users",
    "restore_contact",
    "restore_standing",
    "return_transfer",
    "reveal",
    "save_cadre",
    "start_floating",
    "suspend",
    "update_person",
]
