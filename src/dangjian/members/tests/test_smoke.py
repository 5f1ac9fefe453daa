from datetime import date
import pytest
from dangjian.members import actions
from dangjian.members.models import Person
from dangjian.members.testing import make_person, person_data, make_id_number
from dangjian.core import idnumber
from dangjian.core.errors import DomainError

def test_smoke(tree, personas):
    for i in range(20):
        n = make_id_number(date(1990,1,1), "female" if i%2 else "male")
        assert idnumber.parse(n).gender == ("female" if i%2 else "male")
    p = make_person(tree.b1)
    assert p.id_masked.startswith("4301")
    assert Person.objects.with_id_number(p.reveal_id_number()).get() == p
    with pytest.raises(DomainError) as e:
        actions.register_person(person_data(tree.b1, id_number=p.reveal_id_number()), acting_user=personas["secretary"])
    assert "id_number" in e.value.errors
    with pytest.raises(DomainError) as e:
        actions.register_person(person_data(tree.b1, joined_on=date(2005,1,1), converted_on=date(2004,1,1)), acting_user=personas["univ"])
    print(e.value.errors)
    t = actions.issue_transfer(p, direction="internal", letter_no="X1", issued_on=date(2026,1,1), to_organization=tree.b2, acting_user=personas["secretary"])
    actions.receive_transfer(t, received_on=date(2026,1,2), acting_user=personas["committee"])
    p.refresh_from_db(); assert p.organization == tree.b2
    assert p.events.count() == 3
    from dangjian.orgs.counts import member_counts
    print(member_counts([tree.university, tree.b2, tree.b1]))
