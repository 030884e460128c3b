"""Ledger pages: they render, the manual entry form posts through the service, posted entries
cannot be edited, and another organization's ids answer 404 and change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from mizan.core.roles import Role
from mizan.ledger.models import Account, ExchangeRate, FiscalYear, JournalEntry, JournalLine, Period
from mizan.ledger.services.periods import period_for_date
from mizan.ledger.tests.conftest import account, journal, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant_client(tenant):
    return client_for(tenant.user(Role.ACCOUNTANT))


def _entry_payload(tenant, lines, action="post", **header):
    org = tenant.org
    data = {
        "journal": journal(org).pk,
        "date": org.today().isoformat(),
        "reference": "R-1",
        "memo": "Manual",
        "currency": org.base_currency,
        "exchange_rate": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "2",
        "lines-MAX_NUM_FORMS": "200",
        "action": action,
        **header,
    }
    for index, (code, debit, credit) in enumerate(lines):
        data[f"lines-{index}-account"] = account(org, code).pk if isinstance(code, str) else code
        data[f"lines-{index}-debit"] = debit
        data[f"lines-{index}-credit"] = credit
        data[f"lines-{index}-description"] = ""
    return data


@pytest.mark.parametrize(
    "name",
    [
        "account_list",
        "account_create",
        "journal_list",
        "journal_create",
        "entry_list",
        "entry_create",
        "period_list",
        "exchange_rate_list",
        "opening_balance_import",
    ],
)
def test_pages_render_in_both_languages(tenant, accountant_client, name):
    post(tenant, [("1130", "115", "0"), ("4100", "0", "100"), ("2120", "0", "15")])
    for language in ("ar", "en"):
        response = accountant_client.get(reverse(f"ledger:{name}"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, name
        assert b"<script>" not in response.content and b' style="' not in response.content


def test_sidebar_shows_accounting_to_accountants_only(tenant, accountant_client):
    assert reverse("ledger:entry_list").encode() in accountant_client.get(reverse("core:home")).content
    sales = client_for(tenant.user(Role.SALES))
    assert reverse("ledger:entry_list").encode() not in sales.get(reverse("core:home")).content
    assert sales.get(reverse("ledger:entry_list")).status_code == 403


def test_chart_groups_by_type_and_shows_balances(tenant, accountant_client):
    post(tenant, [("1130", "115", "0"), ("4100", "0", "100"), ("2120", "0", "15")])
    response = accountant_client.get(reverse("ledger:account_list"), HTTP_ACCEPT_LANGUAGE="en")
    groups = {group.type: group for group in response.context["groups"]}
    receivable = next(a for a in groups["asset"].accounts if a.code == "1130")
    assert receivable.balance == Decimal("115.000") and receivable.has_lines
    assert "Accounts receivable" in response.content.decode()


def test_manual_entry_form_posts_balanced_entry(tenant, accountant_client):
    response = accountant_client.post(
        reverse("ledger:entry_create"), _entry_payload(tenant, [("5300", "100.50", ""), ("1110", "", "100.50")])
    )
    entry = JournalEntry.objects.get(organization=tenant.org)
    assert response.status_code == 302 and response.url == reverse("ledger:entry_detail", args=[entry.pk])
    assert entry.is_posted and entry.number == 1 and entry.reference == "R-1"
    assert sorted(entry.lines.values_list("debit", "credit")) == [
        (Decimal("0"), Decimal("100.5")),
        (Decimal("100.5"), Decimal("0")),
    ]
    detail = accountant_client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert detail.status_code == 200 and entry.display_number() in detail.content.decode()


def test_manual_entry_form_saves_a_draft(tenant, accountant_client):
    accountant_client.post(
        reverse("ledger:entry_create"), _entry_payload(tenant, [("5300", "10", ""), ("1110", "", "10")], action="save")
    )
    entry = JournalEntry.objects.get(organization=tenant.org)
    assert entry.state == "draft" and entry.number is None
    response = accountant_client.post(reverse("ledger:entry_post", args=[entry.pk]))
    entry.refresh_from_db()
    assert response.status_code == 302 and entry.is_posted


def test_unbalanced_form_shows_the_error_and_saves_nothing(tenant, accountant_client):
    response = accountant_client.post(
        reverse("ledger:entry_create"),
        _entry_payload(tenant, [("5300", "100", ""), ("1110", "", "99")]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "not balanced" in response.content.decode()
    assert JournalEntry.objects.count() == JournalLine.objects.count() == 0


def test_form_refuses_other_organizations_account(tenant, other_tenant, accountant_client):
    foreign = account(other_tenant.org, "5300").pk
    response = accountant_client.post(
        reverse("ledger:entry_create"), _entry_payload(tenant, [(foreign, "10", ""), ("1110", "", "10")])
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["account"]
    assert JournalEntry.objects.count() == 0


def test_form_in_closed_period_is_refused(tenant, accountant_client, accountant):
    from mizan.ledger.services.periods import period_close

    period_close(
        org=tenant.org, actor_membership=accountant, period=period_for_date(org=tenant.org, day=tenant.org.today())
    )
    response = accountant_client.post(
        reverse("ledger:entry_create"),
        _entry_payload(tenant, [("5300", "10", ""), ("1110", "", "10")]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and "closed" in response.content.decode()
    assert JournalEntry.objects.count() == 0


def test_posted_entry_cannot_be_edited_or_deleted_via_ui(tenant, accountant_client):
    entry = post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    response = accountant_client.post(
        reverse("ledger:entry_edit", args=[entry.pk]), _entry_payload(tenant, [("5300", "99", ""), ("1110", "", "99")])
    )
    assert response.status_code == 302
    response = accountant_client.post(reverse("ledger:entry_delete", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_posted and sorted(entry.lines.values_list("debit", flat=True)) == [Decimal("0"), Decimal("10")]


def test_reverse_button_posts_the_reversal(tenant, accountant_client):
    entry = post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    response = accountant_client.post(
        reverse("ledger:entry_reverse", args=[entry.pk]), {"date": tenant.org.today().isoformat(), "memo": "Oops"}
    )
    reversal = JournalEntry.objects.get(reversal_of=entry)
    assert response.url == reverse("ledger:entry_detail", args=[reversal.pk])
    page = accountant_client.get(reverse("ledger:entry_detail", args=[entry.pk])).content.decode()
    assert reversal.display_number() in page


def test_edit_draft_via_form(tenant, accountant_client):
    draft = post(tenant, [("5300", "10", "0"), ("1110", "0", "10")], post=False)
    assert accountant_client.get(reverse("ledger:entry_edit", args=[draft.pk])).status_code == 200
    accountant_client.post(
        reverse("ledger:entry_edit", args=[draft.pk]),
        _entry_payload(tenant, [("5300", "20", ""), ("1110", "", "20")], action="save"),
    )
    assert sorted(JournalLine.objects.filter(entry=draft).values_list("debit", flat=True)) == [
        Decimal("0"),
        Decimal("20"),
    ]


def test_entry_list_filters(tenant, accountant_client):
    post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    post(tenant, [("1130", "20", "0"), ("4100", "0", "20")], journal_code="SAL", post=False)
    url = reverse("ledger:entry_list")
    assert len(accountant_client.get(url).context["page"].object_list) == 2
    assert len(accountant_client.get(url, {"state": "posted"}).context["page"].object_list) == 1
    assert len(accountant_client.get(url, {"account": account(tenant.org, "4100").pk}).context["page"].object_list) == 1
    assert len(accountant_client.get(url, {"journal": journal(tenant.org, "SAL").pk}).context["page"].object_list) == 1


#: Session, user, membership and shell queries, then the page's own (the entry list also fills
#: its filter choices: journals, accounts, partners).
PINNED_QUERIES = {"entry_list": 10, "account_list": 8, "journal_list": 6, "period_list": 7, "exchange_rate_list": 7}


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("name", ["entry_list", "account_list", "journal_list", "period_list", "exchange_rate_list"])
def test_list_page_queries_do_not_grow_with_rows(tenant, accountant_client, accountant, name):
    from mizan.ledger.services.currencies import exchange_rate_set

    url = reverse(f"ledger:{name}")
    post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    exchange_rate_set(org=tenant.org, actor_membership=accountant, currency="EUR", date=tenant.org.today(), rate="4")
    few = _count(accountant_client, url)
    for index in range(6):
        post(tenant, [("1130", "20", "0"), ("4100", "0", "20")], journal_code="SAL")
        exchange_rate_set(
            org=tenant.org,
            actor_membership=accountant,
            currency="USD",
            date=tenant.org.today().replace(day=index + 1),
            rate="3.75",
        )
    from mizan.ledger.services.periods import fiscal_year_create

    fiscal_year_create(org=tenant.org, actor_membership=accountant)
    assert _count(accountant_client, url) == few == PINNED_QUERIES[name]


def test_other_organizations_ids_answer_404_and_change_nothing(tenant, other_tenant, accountant_client):
    entry = post(other_tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    draft = post(other_tenant, [("5300", "10", "0"), ("1110", "0", "10")], post=False)
    acc = (
        account(other_tenant.org, "5310")
        if Account.objects.filter(organization=other_tenant.org, code="5310").exists()
        else account(other_tenant.org, "5400")
    )
    period = Period.objects.filter(organization=other_tenant.org).first()
    year = FiscalYear.objects.get(organization=other_tenant.org)
    rate = ExchangeRate.objects.create(
        organization=other_tenant.org, currency="USD", date=other_tenant.org.today(), rate=Decimal("50")
    )
    admin = client_for(tenant.user(Role.OWNER))
    requests = [
        ("get", "account_edit", acc.pk),
        ("post", "account_edit", acc.pk),
        ("post", "account_set_active", acc.pk),
        ("post", "account_delete", acc.pk),
        ("get", "journal_edit", journal(other_tenant.org).pk),
        ("post", "journal_edit", journal(other_tenant.org).pk),
        ("get", "entry_detail", entry.pk),
        ("get", "entry_edit", draft.pk),
        ("post", "entry_edit", draft.pk),
        ("post", "entry_post", draft.pk),
        ("post", "entry_reverse", entry.pk),
        ("post", "entry_delete", draft.pk),
        ("post", "period_close", period.pk),
        ("post", "period_reopen", period.pk),
        ("post", "fiscal_year_close", year.pk),
        ("post", "exchange_rate_delete", rate.pk),
    ]
    before = (
        JournalEntry.objects.count(),
        Period.objects.filter(state="closed").count(),
        Account.objects.filter(is_active=False).count(),
    )
    for method, name, pk in requests:
        response = getattr(admin, method)(
            reverse(f"ledger:{name}", args=[pk]), {"date": "2026-01-01", "is_active": "0"}
        )
        assert response.status_code == 404, name
    assert (
        JournalEntry.objects.count(),
        Period.objects.filter(state="closed").count(),
        Account.objects.filter(is_active=False).count(),
    ) == before
    assert ExchangeRate.objects.filter(pk=rate.pk).exists()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_period_close_reopen_and_year_pages(tenant, accountant_client):
    period = period_for_date(org=tenant.org, day=tenant.org.today())
    accountant_client.post(reverse("ledger:period_close", args=[period.pk]))
    period.refresh_from_db()
    assert not period.is_open
    # The accountant may not reopen (separate capability): 403, still closed.
    assert accountant_client.post(reverse("ledger:period_reopen", args=[period.pk])).status_code == 403
    owner = client_for(tenant.owner)
    owner.post(reverse("ledger:period_reopen", args=[period.pk]), {"reason": "Correction"})
    period.refresh_from_db()
    assert period.is_open
    owner.post(reverse("ledger:fiscal_year_create"))
    assert FiscalYear.objects.filter(organization=tenant.org).count() == 2
    year = FiscalYear.objects.filter(organization=tenant.org).order_by("start_date").first()
    owner.post(reverse("ledger:fiscal_year_close", args=[year.pk]))
    year.refresh_from_db()
    assert year.is_closed


def test_exchange_rate_page_and_csv_import(tenant, accountant_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    accountant_client.post(
        reverse("ledger:exchange_rate_list"), {"currency": "USD", "date": "2024-01-01", "rate": "3.75"}
    )
    upload = SimpleUploadedFile("rates.csv", b"currency,date,rate\nEUR,2024-01-01,4.05\n", content_type="text/csv")
    accountant_client.post(reverse("ledger:exchange_rate_import"), {"file": upload})
    assert sorted(ExchangeRate.objects.filter(organization=tenant.org).values_list("currency", "rate")) == [
        ("EUR", Decimal("4.05")),
        ("USD", Decimal("3.75")),
    ]
    sales = client_for(tenant.user(Role.SALES))
    assert (
        sales.post(
            reverse("ledger:exchange_rate_list"), {"currency": "GBP", "date": "2024-01-01", "rate": "5"}
        ).status_code
        == 403
    )


def test_opening_balance_import_preview_then_post(tenant, accountant_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    day = FiscalYear.objects.get(organization=tenant.org).start_date.isoformat()
    upload = SimpleUploadedFile("opening.csv", b"1120,1000,\n2110,,400\n", content_type="text/csv")
    preview = accountant_client.post(
        reverse("ledger:opening_balance_import"),
        {"date": day, "file": upload, "action": "preview"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert preview.status_code == 200 and preview.context["plan"].difference == Decimal("600")
    assert JournalEntry.objects.count() == 0
    response = accountant_client.post(
        reverse("ledger:opening_balance_import"),
        {"date": day, "csv_text": preview.context["csv_text"], "action": "import"},
    )
    entry = JournalEntry.objects.get()
    assert response.url == reverse("ledger:entry_detail", args=[entry.pk])
    assert entry.kind == "opening" and entry.lines.count() == 3


def test_account_pages_create_edit_deactivate_delete(tenant, accountant_client):
    accountant_client.post(
        reverse("ledger:account_create"),
        {"code": "5310", "name_en": "Software", "type": "expense", "parent": account(tenant.org, "5").pk},
    )
    created = account(tenant.org, "5310")
    accountant_client.post(
        reverse("ledger:account_edit", args=[created.pk]),
        {"code": "5310", "name_en": "Software & SaaS", "type": "expense"},
    )
    created.refresh_from_db()
    assert created.name_en == "Software & SaaS"
    accountant_client.post(reverse("ledger:account_set_active", args=[created.pk]), {"is_active": "0"})
    created.refresh_from_db()
    assert not created.is_active
    post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    response = accountant_client.post(
        reverse("ledger:account_delete", args=[account(tenant.org, "5300").pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "cannot be deleted" in response.content.decode()
    assert Account.objects.filter(organization=tenant.org, code="5300").exists()
    accountant_client.post(reverse("ledger:account_delete", args=[created.pk]))
    assert not Account.objects.filter(pk=created.pk).exists()
