"""Protected fields (SM4-GCM, keyed SM3 lookup, rotation) and citizen ID numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core import crypto, idnumber
from dangjian.core.checks import field_keys_configured

FIELD = "members.person.id_number"
K1, K2 = "k1:" + "11" * 16, "k2:" + "22" * 16


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto._keyring.cache_clear()
    yield
    crypto._keyring.cache_clear()


def test_round_trip_and_no_plain_text() -> None:
    token = crypto.encrypt("43010219900101123X", FIELD)
    assert token.startswith("sm4gcm$dev$") and "43010219900101123X" not in token
    assert crypto.decrypt(token, FIELD) == "43010219900101123X"
    assert crypto.encrypt("43010219900101123X", FIELD) != token  # a fresh nonce each time


def test_ciphertext_is_bound_to_its_field_and_tamper_evident() -> None:
    token = crypto.encrypt("13800138000", FIELD)
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(token, "members.person.phone")
    head, _, payload = token.rpartition("$")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(f"{head}${flipped}", FIELD)
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt("plain text", FIELD)


def test_rotation_keeps_old_values_readable(settings) -> None:
    settings.DANGJIAN_FIELD_KEYS = K1
    old = crypto.encrypt("甲", FIELD)
    settings.DANGJIAN_FIELD_KEYS = f"{K2},{K1}"
    assert crypto.decrypt(old, FIELD) == "甲" and crypto.needs_rotation(old)
    new = crypto.rotate(old, FIELD)
    assert new.startswith("sm4gcm$k2$") and not crypto.needs_rotation(new)
    settings.DANGJIAN_FIELD_KEYS = K2
    assert crypto.decrypt(new, FIELD) == "甲"
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(old, FIELD)  # the dropped key


@pytest.mark.parametrize(
    "text", ["k1:abc", "k1:" + "1" * 30, "k1:" + "zz" * 16, f"{K1},{K1}", "k 1:" + "11" * 16]
)
def test_bad_key_configuration_is_refused(text: str) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.parse_keys(text)


def test_lookup_hash_is_keyed_normalized_and_per_field(settings) -> None:
    a = crypto.lookup_hash("43010219900101123x", FIELD)
    assert a == crypto.lookup_hash(" 43010219900101123X ", FIELD)
    assert a == crypto.lookup_hash("４３０１０２１９９００１０１１２３Ｘ", FIELD)
    assert a != crypto.lookup_hash("43010219900101123X", "members.person.phone")
    settings.DANGJIAN_LOOKUP_KEY = "33" * 16
    assert crypto.lookup_hash("43010219900101123X", FIELD) != a


def test_production_needs_configured_keys(settings) -> None:
    settings.PRODUCTION = True
    assert [e.id for e in field_keys_configured()] == ["dangjian.E001"]
    settings.DANGJIAN_FIELD_KEYS, settings.DANGJIAN_LOOKUP_KEY = K1, "33" * 16
    assert field_keys_configured() == []
    settings.DANGJIAN_FIELD_KEYS = "k1:bad"
    assert [e.id for e in field_keys_configured()] == ["dangjian.E002"]


# --- citizen ID numbers ---------------------------------------------------------------------

VALID = "11010519491231002X"  # GB 11643 example: born 1949-12-31, female


def test_valid_number_and_its_facts() -> None:
    parsed = idnumber.parse(VALID)
    assert parsed.birth_date == date(1949, 12, 31) and parsed.gender == "female"
    assert parsed.region == "110105" and parsed.masked == "1101**********002X"


@pytest.mark.parametrize(
    "raw", [" 11010519491231002x ", "１１０１０５１９４９１２３１００２Ｘ", "110105 19491231 002X"]
)
def test_tolerant_input(raw: str) -> None:
    assert idnumber.parse(raw).number == VALID


def test_numbers_from_spreadsheets() -> None:
    assert idnumber.normalize(Decimal("430102199001011234")) == "430102199001011234"
    with pytest.raises(ValueError, match="末几位已丢失"):
        idnumber.normalize(4.30102199001011e17)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "请填写"),
        ("1101051949123100", "应为18位"),
        ("11010519491231002A", "最后一位"),
        ("99010519491231002X", "省份代码"),
        ("110105194913310025", "不是有效日期"),
        ("110105189912310021", "不合理"),
        ("110105194912310021", "校验位"),
    ],
)
def test_invalid_numbers(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        idnumber.parse(raw)


def test_birth_date_in_the_future_is_refused() -> None:
    number = "110105" + "20300101" + "001"
    number += idnumber.check_char(number)
    with pytest.raises(ValueError, match="不合理"):
        idnumber.parse(number, today=date(2026, 11, 25))


def test_fifteen_digit_numbers_are_upgraded() -> None:
    parsed = idnumber.parse("110105491231002")
    assert parsed.number == VALID and parsed.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(("day", "age"), [(date(2008, 3, 14), 17), (date(2008, 3, 15), 18)])
def test_age_boundary_at_the_eighteenth_birthday(day: date, age: int) -> None:
    number = "430102" + "19900315" + "123"
    parsed = idnumber.parse(number + idnumber.check_char(number))
    assert parsed.age_on(day.replace(year=2008)) == age


def test_consistency_with_the_record() -> None:
    parsed = idnumber.parse(VALID)
    assert idnumber.consistency_errors(parsed, birth_date=date(1949, 12, 31), gender="female") == {}
    assert set(idnumber.consistency_errors(parsed, birth_date=date(1950, 1, 1), gender="male")) == {
        "birth_date",
        "gender",
    }


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)),
    st.integers(0, 999),
    st.sampled_from(sorted(idnumber.PROVINCES)),
)
def test_any_well_formed_number_parses_back(birth: date, serial: int, province: str) -> None:
    first17 = f"{province}0102{birth:%Y%m%d}{serial:03d}"
    parsed = idnumber.parse(first17 + idnumber.check_char(first17))
    assert parsed.birth_date == birth and parsed.gender == ("male" if serial % 2 else "female")
