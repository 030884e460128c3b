"""Every number a reader sees follows the organization's digits: Arabic-Indic in Arabic when on."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from conftest import client_for
from mizan.core.formatting import Formatter, formatter_override, to_arabic_indic
from mizan.core.roles import Role
from mizan.crm.models import ImportJob
from mizan.crm.selectors.deals import duration_text
from mizan.crm.tests.clients_helpers import make_company
from mizan.crm.tests.deal_helpers import make_deal
from mizan.ledger.tests.conftest import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(tenant):
    tenant.org.use_arabic_indic_digits = True
    tenant.org.save(update_fields=["use_arabic_indic_digits"])
    return tenant.org


def _reader(tenant, role: str, language: str):
    user = tenant.user(role)
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


def _plural(language: str, singular: str, plural: str, count: int, name: str, digits: str) -> str:
    with translation.override(language):
        return ngettext(singular, plural, count) % {name: digits}


def _text(language: str, message: str, **values: str) -> str:
    with translation.override(language):
        return gettext(message) % values


def _assert_digits(content: str, arabic_indic: str, latin: str) -> None:
    assert arabic_indic in content
    assert latin not in content


def test_company_list_count_uses_arabic_indic_digits(tenant, org):
    for index in range(4):
        make_company(tenant.members[Role.OWNER], name_latin=f"Company {chr(65 + index)}")
    content = _reader(tenant, Role.OWNER, "ar").get(reverse("crm:company_list")).content.decode()
    _assert_digits(
        content,
        _plural("ar", "%(total)s record", "%(total)s records", 4, "total", "٤"),
        _plural("ar", "%(total)s record", "%(total)s records", 4, "total", "4"),
    )


def test_company_list_in_english_keeps_latin_digits(tenant, org):
    for index in range(4):
        make_company(tenant.members[Role.OWNER], name_latin=f"Company {chr(65 + index)}")
    content = _reader(tenant, Role.OWNER, "en").get(reverse("crm:company_list")).content.decode()
    assert "4 records" in content
    assert "٤" not in content


def test_deal_list_and_board_counts_and_probabilities(tenant, org):
    for _index in range(3):
        make_deal(tenant)
    client = _reader(tenant, Role.OWNER, "ar")
    listing = client.get(reverse("crm:deal_list")).content.decode()
    _assert_digits(
        listing,
        _plural("ar", "%(total)s deal", "%(total)s deals", 3, "total", "٣"),
        _plural("ar", "%(total)s deal", "%(total)s deals", 3, "total", "3"),
    )
    board = client.get(reverse("crm:deal_board")).content.decode()
    assert 'small">١٠%</span>' in board  # the "New" stage's 10 % win probability
    assert 'small">10%</span>' not in board
    assert re.search(r'data-column-count="\d+">٣</span>', board)
    assert not re.search(r'data-column-count="\d+">3</span>', board)


def test_deal_board_in_english_keeps_latin_digits(tenant, org):
    make_deal(tenant)
    board = _reader(tenant, Role.OWNER, "en").get(reverse("crm:deal_board")).content.decode()
    assert 'small">10%</span>' in board
    assert "١" not in board


def _import_job(org) -> ImportJob:
    return ImportJob.objects.create(
        organization=org,
        original_name="leads.csv",
        file="imports/leads.csv",
        file_format=ImportJob.FileFormat.CSV,
        status=ImportJob.Status.DONE,
        total=12,
        processed=12,
        created=7,
        failed=5,
        errors=[{"row": 37, "messages": ["bad"]}],
    )


def test_import_progress_uses_arabic_indic_digits(tenant, org):
    job = _import_job(org)
    content = _reader(tenant, Role.OWNER, "ar").get(reverse("crm:import_detail", args=[job.pk])).content.decode()
    message = "%(processed)s of %(total)s rows processed: %(created)s leads created, %(failed)s rows skipped."
    _assert_digits(
        content,
        _text("ar", message, processed="١٢", total="١٢", created="٧", failed="٥"),
        _text("ar", message, processed="12", total="12", created="7", failed="5"),
    )
    assert '<th scope="row">٣٧</th>' in content
    assert 'max="12"' in content  # machine-read attributes keep Latin digits


def test_import_progress_in_english(tenant, org):
    job = _import_job(org)
    content = _reader(tenant, Role.OWNER, "en").get(reverse("crm:import_detail", args=[job.pk])).content.decode()
    assert "12 of 12 rows processed: 7 leads created, 5 rows skipped." in content
    assert '<th scope="row">37</th>' in content


@pytest.mark.parametrize(("language", "expected"), [("ar", ("١", "٣")), ("en", ("1", "3"))])
def test_ledger_entry_list_pagination(tenant, org, monkeypatch, language, expected):
    monkeypatch.setattr("mizan.ledger.views.entries.PAGE_SIZE", 1)
    for _index in range(3):
        post(tenant, [("1110", "10", "0"), ("4100", "0", "10")])
    content = _reader(tenant, Role.ACCOUNTANT, language).get(reverse("ledger:entry_list")).content.decode()
    page_of = _text(language, "Page %(number)s of %(count)s", number=expected[0], count=expected[1])
    assert page_of in content
    if language == "ar":
        assert _text("ar", "Page %(number)s of %(count)s", number="1", count="3") not in content


def test_durations_follow_the_active_formatter(tenant, org):
    with translation.override("ar"), formatter_override(Formatter.for_org(org)):
        text = duration_text(25 * 60)
    assert to_arabic_indic("25") in text
    assert "25" not in text
    with translation.override("en"), formatter_override(Formatter.for_org(org)):
        assert duration_text(25 * 60) == "25 minutes"


def test_forecast_chart_gets_the_numbering_system(tenant, org):
    make_deal(tenant, expected_close_date=org.today() + datetime.timedelta(days=3))
    ar = _reader(tenant, Role.OWNER, "ar").get(reverse("crm:forecast")).content.decode()
    data = json.loads(re.search(r'id="forecast-chart-data"[^>]*>(.*?)</script>', ar, re.S).group(1))
    assert data["locale"] == "ar-SA-u-nu-arab"
    assert all(re.fullmatch(r"[\d.]+", value) for value in data["values"])  # values stay machine-readable
    en = _reader(tenant, Role.OWNER, "en").get(reverse("crm:forecast")).content.decode()
    assert '"locale": "en"' in en
