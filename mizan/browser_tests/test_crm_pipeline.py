"""In a real browser, in Arabic (right-to-left): create a lead, convert it, drag the deal to the
next stage on the board, log a call on the deal's timeline, and mark the deal won."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.urls import reverse

from mizan.browser_tests.helpers import PASSWORD, sign_in
from mizan.core.models import User
from mizan.core.services.organizations import organization_create
from mizan.crm.models import Activity, Deal, Lead, Stage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def arabic_owner() -> User:
    user = User.objects.create_user(
        email="owner@crm.browser.mizan.local", password=PASSWORD, full_name="عبدالله الحربي", language="ar"
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


def _drag(page, source, target) -> None:
    """A mouse drag in small steps (SortableJS follows pointer moves)."""
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 5, start["y"] + 15, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 20, steps=25)
    page.mouse.up()


def test_lead_to_won_deal_in_arabic(page, live_server, arabic_owner: User, artifacts: Path) -> None:
    sign_in(page, live_server, arabic_owner)

    # 1. A new lead.
    page.goto(live_server.url + reverse("crm:lead_create"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator('input[name="person_name"]').fill("ريم الزهراني")
    page.locator('input[name="company_name"]').fill("شركة الزهراني للتجارة")
    page.locator('input[name="email"]').fill("reem@zahrani-trading.example")
    page.locator('input[name="phone"]').fill("0501234567")
    page.locator("main form[method='post'] button[type='submit']").last.click()
    _wait_until(lambda: Lead.objects.exists(), "the lead to be saved")
    lead = Lead.objects.get()
    assert lead.phone == "+966501234567"
    page.wait_for_url(f"**{reverse('crm:lead_detail', args=[lead.pk])}")

    # 2. Convert it into company + contact + deal.
    page.locator(f'a[href="{reverse("crm:lead_convert", args=[lead.pk])}"]').click()
    page.wait_for_url(f"**{reverse('crm:lead_convert', args=[lead.pk])}")
    page.locator("main form[method='post'] button[type='submit']").last.click()
    _wait_until(lambda: Lead.objects.get().status == Lead.Status.CONVERTED, "the conversion")
    lead.refresh_from_db()
    deal = Deal.objects.get(pk=lead.converted_deal_id)
    first_stage = deal.stage
    next_stage = (
        Stage.objects.filter(pipeline=deal.pipeline, kind=Stage.Kind.OPEN, position__gt=first_stage.position)
        .order_by("position")
        .first()
    )
    assert next_stage is not None

    # 3. Drag the deal to the next stage on the board.
    page.goto(live_server.url + reverse("crm:deal_board") + f"?pipeline={deal.pipeline_id}")
    card = page.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    column = page.locator(f'ol.deal-cards[data-stage-id="{next_stage.pk}"]')
    page.wait_for_function("() => window.Sortable !== undefined")
    _drag(page, card, column)
    _wait_until(lambda: Deal.objects.get(pk=deal.pk).stage_id == next_stage.pk, "the move to be saved")
    assert column.locator(f'.deal-card[data-deal-id="{deal.pk}"]').count() == 1
    page.screenshot(path=str(artifacts / "crm-board-ar.png"), full_page=True)

    # 4. Log a call on the deal's timeline (htmx swaps the panel in place).
    page.goto(live_server.url + reverse("crm:deal_detail", args=[deal.pk]))
    panel = page.locator("#crm-timeline")
    panel.locator("#crm-tab-call").click()
    call_form = panel.locator("#crm-pane-call form")
    call_form.locator('select[name="call-outcome"]').select_option("answered")
    call_form.locator('input[name="call-duration_minutes"]').fill("20")
    call_form.locator('input[name="call-subject"]').fill("مكالمة لمناقشة العرض")
    call_form.locator('button[type="submit"]').click()
    page.locator('#crm-timeline .crm-timeline-entry[data-kind="call"]').wait_for()
    assert "مكالمة لمناقشة العرض" in page.locator("#crm-timeline-entries").inner_text()
    call = Activity.objects.get(deal=deal, kind=Activity.Kind.CALL)
    assert (call.outcome, call.duration_minutes, call.created_by_id) == ("answered", 20, arabic_owner.pk)

    # 5. Mark it won.
    page.locator(f'form[action="{reverse("crm:deal_won", args=[deal.pk])}"] button[type="submit"]').click()
    _wait_until(lambda: Deal.objects.get(pk=deal.pk).status == Deal.Status.WON, "the deal to be won")
    page.wait_for_load_state("load")
    deal.refresh_from_db()
    assert deal.stage.kind == Stage.Kind.WON and deal.closed_at is not None
    assert page.locator(f'form[action="{reverse("crm:deal_reopen", args=[deal.pk])}"]').count() == 1
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=str(artifacts / "crm-deal-won-ar.png"), full_page=True)
    assert page.console_errors == []
