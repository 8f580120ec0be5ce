"""The two letters: numbering, reply period (calendar or working days), reply rules,
escalation, and the PDFs (Chinese text rendered)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from conftest import ARTIFACTS
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.rights.exports import letter_pdf
from gonghui.rights.models import Letter, LetterStatus
from gonghui.rights.services import letters as svc
from gonghui.rights.tests.conftest import make_employer

pytestmark = pytest.mark.django_db


def _issue(tree, actor, day=dt.date(2026, 9, 25), employer=None):
    employer = employer or make_employer(tree["SH-A-1"])
    with clock.frozen(dt.datetime.combine(day, dt.time(9))):
        return svc.opinion_issue(org=tree["SH-A-1"], employer=employer, violation="拖欠工资",
                                 legal_basis="劳动法第五十条", correction="足额支付",
                                 issued_on=day, actor=actor)


def test_numbered_per_union_and_year_with_default_15_days(tree, district_cadre):
    first = _issue(tree, district_cadre)
    second = _issue(tree, district_cadre)
    assert (first.seq, second.seq) == (1, 2)
    assert first.number == "甲区一街道工会监督意见〔2026〕1号"
    # 15 calendar days after 25 September 2026 = 10 October, a 调休 working Saturday
    assert first.reply_due == dt.date(2026, 10, 10)


def test_federation_sets_working_days(tree, district_cadre):
    svc.policy_set(org=tree["SH-A"], reply_days=15, reply_in_working_days=True,
                   actor=district_cadre)
    letter = _issue(tree, district_cadre)
    assert letter.reply_due == dt.date(2026, 10, 22)


def test_reply_before_letter_is_refused_and_changes_nothing(tree, district_cadre):
    letter = _issue(tree, district_cadre)
    with clock.frozen(dt.datetime(2026, 10, 5, 9)), pytest.raises(ApplicationError) as exc:
        svc.opinion_reply(letter=letter, reply_on=dt.date(2026, 9, 24), reply_text="已整改",
                          corrected=True, actor=district_cadre)
    assert exc.value.message == "答复日期不能早于意见书发出日期（2026-09-25）。"
    letter.refresh_from_db()
    assert (letter.status, letter.reply_on) == (LetterStatus.ISSUED, None)


def test_escalation_only_when_refused_or_overdue(tree, district_cadre):
    letter = _issue(tree, district_cadre)
    with clock.frozen(dt.datetime(2026, 10, 10, 9)), pytest.raises(Conflict):
        svc.recommendation_issue(opinion=letter, authority="劳动监察大队",
                                 issued_on=dt.date(2026, 10, 10), actor=district_cadre)
    assert Letter.objects.count() == 1
    with clock.frozen(dt.datetime(2026, 10, 12, 9)):
        rec = svc.recommendation_issue(opinion=letter, authority="甲区劳动保障监察大队",
                                       issued_on=dt.date(2026, 10, 12), actor=district_cadre)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ESCALATED
    assert (rec.kind, rec.number, rec.opinion_id) == (
        "recommendation", "甲区一街道工会监督建议〔2026〕1号", letter.pk)


def test_other_district_cannot_issue(tree, other_district_cadre, auditor):
    employer = make_employer(tree["SH-A-1"])
    with pytest.raises(Exception) as exc:
        _issue(tree, other_district_cadre, employer=employer)
    assert type(exc.value).__name__ == "NotFound"
    with pytest.raises((Forbidden, Exception)):
        _issue(tree, auditor, employer=employer)
    assert Letter.objects.count() == 0


def _pdf_text(data: bytes, name: str) -> str:
    """The PDF's text (pdftotext), and a page image in var/artifacts for people to look at; the
    embedded CJK font is checked either way."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(ARTIFACTS / name)], check=True)
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: the text cannot be extracted")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert re.search(r"Noto-?(Serif|Sans)-?CJK", fonts), fonts   # the CJK font is embedded
    return "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout.split())


def test_both_pdfs_render_chinese(tree, district_cadre):
    letter = _issue(tree, district_cadre)
    data = letter_pdf(letter)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data, "rights-opinion")
    assert "劳动法律监督意见书" in text
    assert "甲区一街道工会监督意见〔2026〕1号" in text
    assert "拖欠工资" in text
    assert "请于2026年10月10日前将整改情况书面答复本会。" in text
    with clock.frozen(dt.datetime(2026, 10, 12, 9)):
        rec = svc.recommendation_issue(opinion=letter, authority="甲区劳动保障监察大队",
                                       issued_on=dt.date(2026, 10, 12), actor=district_cadre)
    text = _pdf_text(letter_pdf(rec), "rights-recommendation")
    assert "劳动法律监督建议书" in text
    assert "甲区劳动保障监察大队" in text
