"""In a real browser, in Arabic (right-to-left): write a manual journal entry while the form checks
its balance live, save it as a draft, post it, then find its figures in the trial balance and drill
down from a figure to the journal lines."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from mizan.browser_tests.helpers import PASSWORD, sign_in
from mizan.core.formatting import Formatter
from mizan.core.models import Organization, User
from mizan.core.services.organizations import organization_create
from mizan.ledger.models import Account, AccountRole, JournalEntry

ARABIC_DIGITS = set("٠١٢٣٤٥٦٧٨٩")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def arabic_owner() -> User:
    """The owner of a Saudi organization (its chart of accounts and journals come with it), in Arabic."""
    user = User.objects.create_user(
        email="owner@ledger.browser.mizan.local", password=PASSWORD, full_name="عبدالله الحربي", language="ar"
    )
    organization_create(owner=user, name_ar="شركة ميزان للاستشارات", name_en="Mizan Consulting", country="SA")
    return user


def _wait_until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}")


def test_manual_entry_to_trial_balance_in_arabic(page, live_server, arabic_owner: User, artifacts: Path) -> None:
    org = Organization.objects.get(memberships__user=arabic_owner)
    bank = Account.objects.filter(organization=org, role__in=[AccountRole.BANK, AccountRole.CASH]).order_by("code")[0]
    revenue = Account.objects.get(organization=org, role=AccountRole.REVENUE)
    sign_in(page, live_server, arabic_owner)

    # 1. A new entry: the totals row says live whether debits equal credits.
    page.goto(live_server.url + reverse("ledger:entry_create"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    form = page.locator("form[data-ledger-entry-form]")
    rows = form.locator("[data-ledger-lines] [data-ledger-line]")
    assert rows.count() == 2
    status = form.locator("[data-ledger-balance-status]")
    rows.nth(0).locator('select[name="lines-0-account"]').select_option(str(bank.pk))
    rows.nth(0).locator('input[name="lines-0-description"]').fill("تحصيل أتعاب استشارة")
    rows.nth(0).locator("[data-ledger-debit]").fill("1000")
    rows.nth(1).locator('select[name="lines-1-account"]').select_option(str(revenue.pk))
    rows.nth(1).locator("[data-ledger-credit]").fill("900")
    page.wait_for_function(
        "() => document.querySelector('[data-ledger-balance-status]').classList.contains('ledger-balance-off')"
    )
    assert "ledger-balance-ok" not in (status.get_attribute("class") or "")
    assert status.get_attribute("data-text-unbalanced") in status.inner_text()
    # The Saudi organization shows Arabic-Indic digits, the live totals too.
    assert form.locator("[data-ledger-total-debit]").inner_text() == "١٠٠٠٫٠٠"
    assert form.locator("[data-ledger-total-credit]").inner_text() == "٩٠٠٫٠٠"

    # Equal amounts, typed with Arabic-Indic digits and separators.
    rows.nth(1).locator("[data-ledger-credit]").fill("١٬٠٠٠٫٠٠")
    page.wait_for_function(
        "() => document.querySelector('[data-ledger-balance-status]').classList.contains('ledger-balance-ok')"
    )
    assert "ledger-balance-off" not in (status.get_attribute("class") or "")
    assert status.inner_text() == status.get_attribute("data-text-balanced")
    assert form.locator("[data-ledger-total-credit]").inner_text() == "١٠٠٠٫٠٠"
    page.screenshot(path=str(artifacts / "ledger-entry-ar.png"), full_page=True)

    # 2. Save it as a draft, then post it from its page (the confirm dialog is accepted).
    form.locator('button[type="submit"][name="action"][value="save"]').click()
    _wait_until(lambda: JournalEntry.objects.filter(organization=org).exists(), "the draft to be saved")
    entry = JournalEntry.objects.get(organization=org)
    assert entry.state == JournalEntry.State.DRAFT and entry.number is None
    page.wait_for_url(f"**{reverse('ledger:entry_detail', args=[entry.pk])}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'form[action="{reverse("ledger:entry_post", args=[entry.pk])}"] button[type="submit"]').click()
    _wait_until(
        lambda: JournalEntry.objects.get(pk=entry.pk).state == JournalEntry.State.POSTED, "the entry to be posted"
    )
    page.wait_for_load_state("load")
    entry.refresh_from_db()
    assert entry.number is not None and entry.posted_by_id == arabic_owner.pk
    lines = {line.account_id: (line.debit, line.credit) for line in entry.lines.all()}
    assert lines == {bank.pk: (Decimal("1000"), Decimal("0")), revenue.pk: (Decimal("0"), Decimal("1000"))}
    assert page.locator(f'form[action="{reverse("ledger:entry_post", args=[entry.pk])}"]').count() == 0

    # 3. The trial balance shows both accounts' figures, in Arabic-Indic digits, right to left.
    page.goto(live_server.url + reverse("ledger:report_trial_balance"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    thousand = Formatter.for_org(org, language="ar").money(Decimal("1000"), org.base_currency)
    assert ARABIC_DIGITS & set(thousand)
    table = page.locator("table.report-table")
    bank_row = table.locator("tbody tr").filter(has=page.locator(f'a[href*="account={bank.pk}&"]'))
    revenue_row = table.locator("tbody tr").filter(has=page.locator(f'a[href*="account={revenue.pk}&"]'))
    assert bank_row.count() == 1 and revenue_row.count() == 1
    bank_cells = bank_row.locator("td")
    revenue_cells = revenue_row.locator("td")
    assert bank_cells.nth(2).inner_text().strip() == thousand  # debit
    assert revenue_cells.nth(3).inner_text().strip() == thousand  # credit
    page.screenshot(path=str(artifacts / "ledger-trial-balance-ar.png"), full_page=True)

    # 4. Drill down from the bank account's debit figure to its journal lines.
    with page.expect_navigation():
        bank_cells.nth(2).locator("a.report-figure").click()
    assert reverse("ledger:line_list") in page.url
    line_rows = page.locator("table.report-table tbody tr")
    assert line_rows.count() == 1
    assert line_rows.first.locator(f'a[href="{reverse("ledger:entry_detail", args=[entry.pk])}"]').inner_text() == (
        entry.display_number()
    )
    assert thousand in line_rows.first.inner_text()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.console_errors == []
