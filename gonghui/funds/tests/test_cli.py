from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from gonghui.funds.models import PeriodBalance
from gonghui.funds.services import post_income


def test_funds_check_passes_then_finds_a_tampered_balance(tree, city_admin):
    union = tree["SH-A-1-1"]
    post_income(union=union, date=dt.date(2026, 3, 1), account_code="4101",
                amount=Decimal("10.00"), memo="会费", idempotency_key="d", actor=city_admin)
    out = io.StringIO()
    call_command("funds", "check", stdout=out)
    assert out.getvalue().splitlines() == [
        "1 transactions checked", "unbalanced: 0", "fewer than two lines: 0",
        "lines of another union: 0", "month balances differing from the lines: 0", "ledger OK"]
    PeriodBalance.objects.filter(account_code="1002").update(debit=Decimal("10.01"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="ledger integrity check failed"):
        call_command("funds", "check", "--union", "SH-A-1-1", stdout=out)
    assert (f"month balances differing from the lines: 1 (e.g. [({union.pk}, '1002', 202603)])"
            in out.getvalue())
