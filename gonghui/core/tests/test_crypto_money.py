from __future__ import annotations

from decimal import Decimal

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.crypto import blind_index, decrypt, encrypt
from gonghui.core.money import to_money


@given(st.text(max_size=60))
def test_encrypt_round_trip_and_randomised(value):
    a, b = encrypt(value), encrypt(value)
    assert decrypt(a) == value
    assert a != b  # fresh nonce each time


def test_tampered_ciphertext_is_refused():
    token = bytearray(encrypt("31010119800101123X"))
    token[-1] ^= 1
    with pytest.raises(InvalidTag):
        decrypt(bytes(token))


def test_blind_index_is_deterministic_and_keyed():
    assert blind_index("31010119800101123X") == blind_index("31010119800101123X")
    assert blind_index("31010119800101123X") != blind_index("31010119800101123X", purpose="bank")
    assert "31010119800101123X" not in blind_index("31010119800101123X")
    assert len(blind_index("x")) == 64


def test_money_rounds_half_up_to_fen():
    assert to_money("1.005") == Decimal("1.01")
    assert to_money("2.675") == Decimal("2.68")
    assert to_money(3) == Decimal("3.00")
    with pytest.raises(TypeError):
        to_money(0.1)  # type: ignore[arg-type]
