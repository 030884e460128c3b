"""The posting service: valid entries post balanced and numbered; every bad input is refused
with a translated error and nothing is saved."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry
from mizan.core.roles import Capability, Role
from mizan.crm.models import Company
from mizan.ledger.models import AnalyticAccount, JournalEntry, JournalLine, PostedEntryError
from mizan.ledger.selectors.balances import account_balances
from mizan.ledger.services.entries import (
    journal_entry_create,
    journal_entry_delete,
    journal_entry_post,
    journal_entry_reverse,
    journal_entry_update,
)
from mizan.ledger.tests.conftest import account, journal, post

pytestmark = pytest.mark.django_db


def _counts():
    return JournalEntry.objects.count(), JournalLine.objects.count()


def _create(tenant, lines, **extra):
    org = tenant.org
    return journal_entry_create(
        org=org,
        actor_membership=tenant.members[Role.ACCOUNTANT],
        journal=extra.pop("journal", None) or journal(org),
        date=extra.pop("date", None) or org.today(),
        lines=lines,
        post=extra.pop("post", True),
        **extra,
    )


def test_post_balanced_entry_numbers_and_audits(tenant):
    entry = post(tenant, [("1130", "115.00", "0"), ("4100", "0", "100.00"), ("2120", "0", "15.00")])
    entry.refresh_from_db()
    assert entry.state == JournalEntry.State.POSTED
    assert entry.number == 1
    assert entry.posted_by == tenant.user(Role.ACCOUNTANT)
    assert entry.display_number() == f"GEN/{entry.fiscal_year.name}/00001"
    lines = list(entry.lines.order_by("position"))
    assert [(line.account.code, line.debit, line.credit) for line in lines] == [
        ("1130", Decimal("115.000"), Decimal("0.000")),
        ("4100", Decimal("0.000"), Decimal("100.000")),
        ("2120", Decimal("0.000"), Decimal("15.000")),
    ]
    assert all(line.currency == "SAR" and line.exchange_rate == 1 for line in lines)
    assert [line.amount_currency for line in lines] == [Decimal("115"), Decimal("-100"), Decimal("-15")]
    actions = list(
        AuditEntry.objects.filter(object_id=str(entry.pk), content_type__model="journalentry").values_list(
            "action", "changes"
        )
    )
    assert [action for action, _changes in actions] == ["update", "create"]
    assert actions[0][1] == {"state": ["draft", "posted"]}
    balances = account_balances(org=tenant.org)
    assert balances[account(tenant.org, "1130").pk] == Decimal("115.000")
    assert sum(balances.values()) == 0


def test_draft_has_no_number_and_posts_later(tenant, accountant):
    draft = post(tenant, [("5300", "50", "0"), ("1110", "0", "50")], post=False)
    assert draft.state == JournalEntry.State.DRAFT and draft.number is None
    assert account_balances(org=tenant.org) == {}
    posted = journal_entry_post(org=tenant.org, actor_membership=accountant, entry=draft)
    assert posted.number == 1
    with pytest.raises(PostedEntryError):
        journal_entry_post(org=tenant.org, actor_membership=accountant, entry=draft)


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([("1130", "100", "0"), ("4100", "0", "99.99")], "ledger.unbalanced"),
        ([("1130", "100", "100"), ("4100", "0", "100")], "ledger.both_sides"),
        ([("1130", "0", "0"), ("4100", "0", "0")], "ledger.no_amount"),
        ([("1130", "-100", "0"), ("4100", "-100", "0")], "ledger.amount_negative"),
        ([("1130", "100.005", "0"), ("4100", "0", "100.005")], "ledger.amount_precision"),
        ([("1130", "100", "0")], "ledger.too_few_lines"),
        ([("1", "100", "0"), ("4100", "0", "100")], "ledger.group_account"),
    ],
)
def test_bad_lines_are_refused_and_nothing_saved(tenant, lines, code):
    before = _counts()
    with pytest.raises(DomainError) as error:
        post(tenant, lines)
    assert error.value.code == code
    assert error.value.message  # translated, human-readable
    assert _counts() == before


def test_float_amounts_are_refused(tenant):
    org = tenant.org
    with pytest.raises(DomainError) as error:
        _create(
            tenant, [{"account": account(org, "1130"), "debit": 1.1}, {"account": account(org, "4100"), "credit": 1.1}]
        )
    assert error.value.code == "ledger.amount_invalid"
    assert _counts() == (0, 0)


def test_inactive_account_is_refused(tenant):
    acc = account(tenant.org, "5300")
    acc.is_active = False
    acc.save()
    with pytest.raises(DomainError) as error:
        post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    assert error.value.code == "ledger.account_inactive"
    assert _counts() == (0, 0)


def test_other_organizations_account_partner_or_analytic_is_not_found(tenant, other_tenant):
    org = tenant.org
    foreign_account = account(other_tenant.org, "1130")
    foreign_partner = Company.objects.create(organization=other_tenant.org, name_latin="Elsewhere")
    foreign_cc = AnalyticAccount.objects.create(
        organization=other_tenant.org, kind="cost_center", code="X", name_en="X"
    )
    cases = [
        [{"account": foreign_account, "debit": "10"}, {"account": account(org, "4100"), "credit": "10"}],
        [
            {"account": account(org, "1130"), "debit": "10", "partner": foreign_partner},
            {"account": account(org, "4100"), "credit": "10"},
        ],
        [
            {"account": account(org, "1130"), "debit": "10", "cost_center": foreign_cc},
            {"account": account(org, "4100"), "credit": "10"},
        ],
    ]
    for lines in cases:
        with pytest.raises(DomainError) as error:
            _create(tenant, lines)
        assert error.value.code == "not_found"
    with pytest.raises(DomainError) as error:
        _create(tenant, cases[0][1:] * 2, journal=journal(other_tenant.org))
    assert error.value.code == "not_found"
    assert _counts() == (0, 0)


def test_analytic_kind_must_match(tenant):
    org = tenant.org
    project = AnalyticAccount.objects.create(organization=org, kind="project", code="P1", name_en="Project")
    with pytest.raises(DomainError) as error:
        _create(
            tenant,
            [
                {"account": account(org, "5300"), "debit": "10", "cost_center": project},
                {"account": account(org, "1110"), "credit": "10"},
            ],
        )
    assert error.value.code == "ledger.analytic_kind"
    entry = _create(
        tenant,
        [
            {"account": account(org, "5300"), "debit": "10", "project": project},
            {"account": account(org, "1110"), "credit": "10"},
        ],
    )
    assert entry.lines.get(position=1).project == project


def test_partner_default_fills_lines_without_one(tenant):
    client = Company.objects.create(organization=tenant.org, name_latin="Client")
    entry = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")], partner=client)
    assert set(entry.lines.values_list("partner_id", flat=True)) == {client.pk}


def test_permission_checked_before_anything_is_written(tenant):
    org = tenant.org
    with pytest.raises(PermissionDeniedError):
        journal_entry_create(
            org=org,
            actor_membership=tenant.members[Role.SALES],
            journal=journal(org),
            date=org.today(),
            lines=[{"account": account(org, "1130"), "debit": "1"}, {"account": account(org, "4100"), "credit": "1"}],
            post=True,
        )
    assert _counts() == (0, 0)


def test_callers_may_name_their_own_capability(tenant):
    """Billing posts invoices as a member with BILLING_EDIT (sales has BILLING_VIEW only)."""
    org = tenant.org
    lines = [{"account": account(org, "1130"), "debit": "1"}, {"account": account(org, "4100"), "credit": "1"}]
    entry = journal_entry_create(
        org=org,
        actor_membership=tenant.members[Role.ACCOUNTANT],
        journal=journal(org, "SAL"),
        date=org.today(),
        lines=lines,
        post=True,
        required_capability=Capability.BILLING_EDIT,
    )
    assert entry.is_posted


def test_source_document_is_linked(tenant):
    client = Company.objects.create(organization=tenant.org, name_latin="Client")
    entry = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")], source=client)
    assert (entry.source_type.model, entry.source_id) == ("company", client.pk)


def test_posted_entry_is_immutable_at_service_and_model_level(tenant, accountant):
    org = tenant.org
    entry = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    lines = [{"account": account(org, "1130"), "debit": "99"}, {"account": account(org, "4100"), "credit": "99"}]
    with pytest.raises(PostedEntryError):
        journal_entry_update(
            org=org, actor_membership=accountant, entry=entry, journal=journal(org), date=org.today(), lines=lines
        )
    with pytest.raises(PostedEntryError):
        journal_entry_delete(org=org, actor_membership=accountant, entry=entry)
    fresh = JournalEntry.objects.get(pk=entry.pk)
    fresh.memo = "changed"
    with pytest.raises(PostedEntryError):
        fresh.save()
    with pytest.raises(PostedEntryError):
        fresh.delete()
    with pytest.raises(PostedEntryError):
        JournalEntry.objects.filter(pk=entry.pk).delete()
    line = JournalLine.objects.select_related("entry").filter(entry=entry).first()
    line.debit = Decimal("5")
    with pytest.raises(PostedEntryError):
        line.save()
    with pytest.raises(PostedEntryError):
        JournalLine.objects.filter(entry=entry).delete()
    entry.refresh_from_db()
    assert entry.memo == "" and entry.lines.count() == 2
    assert sorted(entry.lines.values_list("debit", flat=True)) == [Decimal("0"), Decimal("10")]


def test_draft_can_be_updated_and_deleted(tenant, accountant):
    org = tenant.org
    draft = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")], post=False)
    lines = [{"account": account(org, "5300"), "debit": "30"}, {"account": account(org, "1110"), "credit": "30"}]
    updated = journal_entry_update(
        org=org,
        actor_membership=accountant,
        entry=draft,
        journal=journal(org),
        date=org.today(),
        lines=lines,
        memo="Fixed",
    )
    assert updated.memo == "Fixed"
    assert sorted(updated.lines.values_list("account__code", flat=True)) == ["1110", "5300"]
    journal_entry_delete(org=org, actor_membership=accountant, entry=updated)
    assert _counts() == (0, 0)


def test_reversal_nets_to_zero_and_links(tenant, accountant):
    org = tenant.org
    client = Company.objects.create(organization=org, name_latin="Client")
    entry = post(tenant, [("1130", "115", "0"), ("4100", "0", "100"), ("2120", "0", "15")], partner=client)
    reversal = journal_entry_reverse(org=org, actor_membership=accountant, entry=entry, memo="Wrong client")
    assert reversal.reversal_of == entry and reversal.is_posted and reversal.number == 2
    assert entry.reversed_by == reversal
    assert all(balance == 0 for balance in account_balances(org=org).values())
    pairs = {(line.account_id, line.partner_id, line.debit, line.credit) for line in entry.lines.all()}
    mirrored = {(line.account_id, line.partner_id, line.credit, line.debit) for line in reversal.lines.all()}
    assert pairs == mirrored
    with pytest.raises(DomainError) as error:
        journal_entry_reverse(org=org, actor_membership=accountant, entry=entry)
    assert error.value.code == "ledger.already_reversed"
    with pytest.raises(DomainError) as error:
        journal_entry_reverse(org=org, actor_membership=accountant, entry=reversal)
    assert error.value.code == "ledger.reversal_of_reversal"
    assert JournalEntry.objects.count() == 2
    audit = AuditEntry.objects.filter(object_id=str(entry.pk), content_type__model="journalentry").first()
    assert audit.changes == {"reversed_by": [None, str(reversal.pk)]}


def test_reversal_of_a_draft_is_refused(tenant, accountant):
    draft = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")], post=False)
    with pytest.raises(DomainError) as error:
        journal_entry_reverse(org=tenant.org, actor_membership=accountant, entry=draft)
    assert error.value.code == "ledger.not_posted"
    assert JournalEntry.objects.count() == 1


def test_reversal_of_another_organizations_entry_is_not_found(tenant, other_tenant, accountant):
    foreign = post(other_tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    with pytest.raises(DomainError) as error:
        journal_entry_reverse(org=tenant.org, actor_membership=accountant, entry=foreign)
    assert error.value.code == "not_found"
    assert JournalEntry.objects.filter(organization=tenant.org).count() == 0


def test_database_constraints_stand_behind_the_service(tenant):
    from django.db import IntegrityError, transaction

    entry = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")], post=False)
    acc = account(tenant.org, "1130")
    for debit, credit in [("-1", "0"), ("1", "1"), ("0", "0")]:
        with pytest.raises(IntegrityError), transaction.atomic():
            JournalLine.objects.bulk_create(
                [
                    JournalLine(
                        organization=tenant.org, entry=entry, account=acc, debit=debit, credit=credit, currency="SAR"
                    )
                ]
            )
    first = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(number=first.number, state="posted", posted_at=first.posted_at)
