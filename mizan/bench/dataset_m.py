"""Dataset M: a deterministic mid-size organization (issue 6, item 2) for page and API timings.

At scale 1: 20,000 companies, 40,000 contacts, 5,000 deals across the default pipeline's stages
(open, won, lost), 100,000 activities (notes, calls, meetings, e-mails on companies and deals),
50,000 posted invoices with about 150,000 lines (1 to 5 lines, VAT, eight products on four income
accounts, SAR and USD at weekly exchange rates, over fiscal years 2025 and 2026), 35,000 payments
(full, partial, a few overpayments) and the journal entries they post. `scale` multiplies every
count (at least one of each). Names are Arabic with English transliterations, combined from the
small lists in `dataset_m_names.py`.

Determinism: everything comes from `random.Random(SEED)` (plus the scale); dates are fixed
(1 January 2025 to 30 November 2026), never read from the clock. Only timestamps that the
services themselves stamp (created_at, posted_at, the ZATCA QR built from posted_at) vary, and
`dataset_hash` leaves them out.

How it is written:

- set-up, through the services: the organization (Saudi, SAR, chart, journals, taxes, payment
  terms, default pipeline), fiscal years 2025 and 2026, four sales members, three more income
  accounts, eight products, the USD rates (`exchange_rates_import`);
- companies, contacts, deals (with their first stage change and contacts), activities: bulk_create,
  with every derived field set the way the CRM services set it (`company_search_name`,
  `contact_search_name`, deal status/closed_at/lost reason from the stage kind, kanban positions
  0..n-1 per stage, the company of a deal's activity, the deals' `last_activity_at`). No audit
  entries are written for these rows;
- invoices and payments, either through the billing services (`path="services"`: invoice_create,
  invoice_post in date order, then payment_record in date order) or through the bulk path of
  `dataset_m_billing.py` (`path="bulk"`), which computes every figure with the services' own
  functions and writes the rows with bulk_create. `path="auto"` takes the bulk path from
  AUTO_BULK_FROM invoices on;
- `dataset_m_check.check_dataset` verifies the ledger and billing invariants at the end of every
  build; a build with a problem fails.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation

from mizan.bench import dataset_m_names as names
from mizan.bench.w1 import QueryCounter, database_details

SEED = 20260601
#: Counts at scale 1 (issue 6).
SPEC = {
    "companies": 20_000,
    "contacts": 40_000,
    "deals": 5_000,
    "activities": 100_000,
    "invoices": 50_000,
    "payments": 35_000,
}
FIRST_DAY = datetime.date(2025, 1, 1)
LAST_DAY = datetime.date(2026, 11, 30)
FISCAL_YEARS = (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
FOREIGN_CURRENCY = "USD"
#: Share of companies abroad, billed in USD.
FOREIGN_SHARE = 0.15
#: Share of companies with a VAT number (their invoices are standard tax invoices; else simplified).
VAT_SHARE = 0.6
#: From this many invoices on, `path="auto"` writes billing through the bulk path.
AUTO_BULK_FROM = 2_000
BATCH = 2_000
SALES_MEMBERS = 4
PATHS = ("auto", "services", "bulk")
ONE = Decimal("1")
CENT = Decimal("0.01")


class DatasetError(Exception):
    """The dataset could not be built, or its invariants do not hold."""


def counts_for(scale: float) -> dict[str, int]:
    """Every count of SPEC times the scale, rounded, at least 1 (payments: at most the invoices)."""
    counts = {
        name: max(1, int(Decimal(str(value * scale)).to_integral_value(ROUND_HALF_UP))) for name, value in SPEC.items()
    }
    counts["payments"] = min(counts["payments"], counts["invoices"] * 2)
    return counts


# --- the plan: plain data from the seed ------------------------------------------------------------


@dataclass(frozen=True)
class CompanyPlan:
    name_ar: str
    name_latin: str
    city: str
    country: str
    phone: str
    email: str
    industry: str
    vat_number: str
    language: str
    owner: int  # index of the member
    foreign: bool


@dataclass(frozen=True)
class ContactPlan:
    company: int | None
    name_ar: str
    name_latin: str
    job_title: str
    email: str
    mobile: str
    owner: int


@dataclass(frozen=True)
class DealPlan:
    company: int
    contact: int | None
    title: str
    stage: int  # index in the default pipeline's stages
    value: Decimal
    foreign: bool
    opened: datetime.datetime
    expected_close: datetime.date
    lost_reason: int
    owner: int


@dataclass(frozen=True)
class ActivityPlan:
    kind: str
    subject: str
    body: str
    occurred_at: datetime.datetime
    company: int | None
    deal: int | None
    contact: int | None
    duration: int | None
    outcome: str
    owner: int


@dataclass(frozen=True)
class LinePlan:
    product: int
    quantity: Decimal
    unit_price: Decimal  # in the invoice's currency
    discount_percent: Decimal


@dataclass(frozen=True)
class InvoicePlan:
    index: int
    company: int
    contact: int | None
    issue_date: datetime.date
    foreign: bool
    reference: str
    lines: tuple[LinePlan, ...]


@dataclass(frozen=True)
class PaymentPlan:
    index: int
    invoice: int
    date: datetime.date
    #: "full" (what is due), "part" (`share` of what is due), "over" (what is due plus `extra`).
    kind: str
    share: Decimal = Decimal("0")
    extra: Decimal = Decimal("0")
    method: str = "bank_transfer"
    reference: str = ""


@dataclass
class Plan:
    scale: float
    counts: dict[str, int]
    companies: list[CompanyPlan]
    contacts: list[ContactPlan]
    deals: list[DealPlan]
    activities: list[ActivityPlan]
    invoices: list[InvoicePlan]
    payments: list[PaymentPlan]
    rates: list[tuple[datetime.date, Decimal]]


def _day(rng: random.Random, first: datetime.date = FIRST_DAY, last: datetime.date = LAST_DAY) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(6 + rng.randrange(11), rng.randrange(60)), datetime.UTC)


def _saudi_vat_number(rng: random.Random, index: int) -> str:
    return f"3{rng.randrange(10**8):08d}{index:05d}3"


def _person(rng: random.Random) -> tuple[str, str]:
    first = rng.choice(names.MALE_FIRST if rng.random() < 0.7 else names.FEMALE_FIRST)
    father = rng.choice(names.MALE_FIRST)
    family = rng.choice(names.FAMILY)
    return f"{first[0]} {father[0]} {family[0]}", f"{first[1]} {family[1]}"


def make_plan(scale: float, seed: int = SEED) -> Plan:
    """Every record of the dataset as plain data (no database)."""
    rng = random.Random(seed)
    counts = counts_for(scale)
    companies = []
    for index in range(counts["companies"]):
        kind = rng.choice(names.COMPANY_KIND)
        core = rng.choice(names.COMPANY_CORE)
        trade = rng.choice(names.COMPANY_TRADE)
        foreign = rng.random() < FOREIGN_SHARE
        city, country, prefix = rng.choice(names.FOREIGN_CITIES if foreign else names.CITIES)
        number = index + 1
        companies.append(
            CompanyPlan(
                name_ar=f"{kind[0]} {core[0]} {trade[0]} {number}",
                name_latin=kind[1].format(core=core[1], trade=trade[1]) + f" {number}",
                city=city,
                country=country,
                phone=f"{prefix}{rng.randrange(10**6, 10**7)}",
                email=f"info{number}@{core[1].lower().replace('-', '')}{number}.example",
                industry=trade[2],
                vat_number=_saudi_vat_number(rng, number) if not foreign and rng.random() < VAT_SHARE else "",
                language="en" if foreign else "",
                owner=rng.randrange(SALES_MEMBERS + 1),
                foreign=foreign,
            )
        )
    contacts = []
    for index in range(counts["contacts"]):
        company = rng.randrange(len(companies)) if rng.random() < 0.9 else None
        name_ar, name_latin = _person(rng)
        title = rng.choice(names.JOB_TITLES)
        contacts.append(
            ContactPlan(
                company=company,
                name_ar=name_ar,
                name_latin=name_latin,
                job_title=title[0] if rng.random() < 0.7 else title[1],
                email=f"{name_latin.split()[0].lower()}.{index + 1}@mail{index % 97}.example",
                mobile=f"+9665{rng.randrange(10**7, 10**8)}",
                owner=companies[company].owner if company is not None else rng.randrange(SALES_MEMBERS + 1),
            )
        )
    by_company: dict[int, list[int]] = {}
    for index, contact in enumerate(contacts):
        if contact.company is not None:
            by_company.setdefault(contact.company, []).append(index)
    deals = []
    for _index in range(counts["deals"]):
        company = rng.randrange(len(companies))
        people = by_company.get(company, [])
        topic = rng.choice(names.DEAL_TOPICS)
        roll = rng.random()
        stage = rng.randrange(4) if roll < 0.55 else (4 if roll < 0.85 else 5)  # open 55%, won 30%, lost 15%
        opened = _day(rng, FIRST_DAY, LAST_DAY - datetime.timedelta(days=30))
        deals.append(
            DealPlan(
                company=company,
                contact=rng.choice(people) if people else None,
                title=f"{topic[0]} - {companies[company].name_ar}" if rng.random() < 0.6 else topic[1],
                stage=stage,
                value=Decimal(rng.randrange(5_000, 500_000)),
                foreign=companies[company].foreign,
                opened=_moment(rng, opened),
                expected_close=opened + datetime.timedelta(days=rng.randrange(15, 120)),
                lost_reason=rng.randrange(6),
                owner=companies[company].owner,
            )
        )
    activities = []
    for _index in range(counts["activities"]):
        kind, subject_ar, subject_en, outcome = rng.choice(names.ACTIVITY_TEXTS)
        on_deal = deals and rng.random() < 0.4
        deal = rng.randrange(len(deals)) if on_deal else None
        company = deals[deal].company if deal is not None else rng.randrange(len(companies))
        people = by_company.get(company, [])
        contact = rng.choice(people) if people and rng.random() < 0.5 else None
        day = _day(rng, deals[deal].opened.date(), LAST_DAY) if deal is not None else _day(rng)
        activities.append(
            ActivityPlan(
                kind=kind,
                subject=subject_ar if rng.random() < 0.7 else subject_en,
                body=f"{subject_ar} — {companies[company].name_ar}",
                occurred_at=_moment(rng, day),
                company=company,
                deal=deal,
                contact=contact,
                duration=rng.choice((15, 30, 45, 60)) if kind in ("call", "meeting") else None,
                outcome=outcome,
                owner=companies[company].owner,
            )
        )
    # Invoices: dates spread over both years; a fifth of the clients get most of the invoices.
    busy = max(1, len(companies) // 5)
    invoices = []
    for index in range(counts["invoices"]):
        company = rng.randrange(busy) if rng.random() < 0.6 else rng.randrange(len(companies))
        foreign = companies[company].foreign
        people = by_company.get(company, [])
        lines = []
        for _line in range(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 5))):
            product = rng.randrange(len(names.PRODUCTS))
            price = Decimal(names.PRODUCTS[product][4]) * Decimal(rng.randrange(80, 121)) / 100
            if foreign:
                price = price / Decimal("3.75")
            quantity = Decimal(rng.randrange(1, 21)) if product != 0 else Decimal(rng.randrange(2, 81)) / 2
            lines.append(
                LinePlan(
                    product=product,
                    quantity=quantity,
                    unit_price=price.quantize(CENT, ROUND_HALF_UP),
                    discount_percent=Decimal(rng.choice((0, 0, 0, 0, 0, 0, 5, 10))),
                )
            )
        invoices.append(
            InvoicePlan(
                index=index,
                company=company,
                contact=rng.choice(people) if people and rng.random() < 0.5 else None,
                issue_date=_day(rng),
                foreign=foreign,
                reference=f"PO-{rng.randrange(10**5, 10**6)}" if rng.random() < 0.3 else "",
                lines=tuple(lines),
            )
        )
    payments = _plan_payments(rng, invoices, counts["payments"])
    rates = []
    day, rate = datetime.date(2024, 12, 30), Decimal("3.7500")
    while day <= LAST_DAY:
        rates.append((day, rate))
        rate = min(Decimal("3.7600"), max(Decimal("3.7400"), rate + Decimal(rng.randrange(-15, 16)) / 10_000))
        day += datetime.timedelta(days=7)
    return Plan(
        scale=scale,
        counts=counts,
        companies=companies,
        contacts=contacts,
        deals=deals,
        activities=activities,
        invoices=invoices,
        payments=payments,
        rates=rates,
    )


def _plan_payments(rng: random.Random, invoices: list[InvoicePlan], wanted: int) -> list[PaymentPlan]:
    """`wanted` payments: 70% of paid invoices in full, 12% partly, 15% partly then the rest, 3% overpaid."""
    order = list(range(len(invoices)))
    rng.shuffle(order)
    raw: list[tuple[int, datetime.date, str, Decimal, Decimal]] = []
    methods = ("bank_transfer", "bank_transfer", "bank_transfer", "card", "cheque", "online")
    position = 0
    while len(raw) < wanted:
        invoice = invoices[order[position % len(order)]]
        position += 1
        if position > len(order):  # more payments than invoices can take: second payments only
            break
        first = min(LAST_DAY, invoice.issue_date + datetime.timedelta(days=rng.randrange(0, 76)))
        roll = rng.random()
        if roll < 0.70:
            raw.append((invoice.index, first, "full", Decimal(0), Decimal(0)))
        elif roll < 0.82:
            raw.append((invoice.index, first, "part", Decimal(rng.randrange(20, 81)) / 100, Decimal(0)))
        elif roll < 0.97 and len(raw) + 2 <= wanted:
            raw.append((invoice.index, first, "part", Decimal(rng.randrange(20, 81)) / 100, Decimal(0)))
            second = min(LAST_DAY, first + datetime.timedelta(days=rng.randrange(5, 61)))
            raw.append((invoice.index, second, "full", Decimal(0), Decimal(0)))
        else:
            raw.append((invoice.index, first, "over", Decimal(0), Decimal(rng.randrange(10, 500))))
    raw = raw[:wanted]
    # Date order, ties in planning order; a second payment never precedes the first (later or same day).
    ordered = sorted(range(len(raw)), key=lambda i: (raw[i][1], i))
    return [
        PaymentPlan(
            index=number,
            invoice=raw[i][0],
            date=raw[i][1],
            kind=raw[i][2],
            share=raw[i][3],
            extra=raw[i][4],
            method=methods[i % len(methods)],
            reference=f"TRF-{i + 1:06d}",
        )
        for number, i in enumerate(ordered)
    ]


# --- the organization ------------------------------------------------------------------------------


@dataclass
class Books:
    org: Any
    membership: Any
    members: list[Any]  # memberships: the owner, then the sales members
    pipeline: Any
    stages: list[Any]
    lost_reasons: list[Any]
    products: list[Any]
    tax: Any
    bank: Any
    companies: list[Any] = field(default_factory=list)
    contacts: list[Any] = field(default_factory=list)
    deals: list[Any] = field(default_factory=list)
    invoices: list[Any] = field(default_factory=list)


def set_up(plan: Plan) -> Books:
    """A Saudi organization with its chart, taxes, terms and pipeline, through the services."""
    from mizan.billing.models import Tax, TaxKind
    from mizan.billing.services.invoices import role_account
    from mizan.core.models import Membership, Organization, User
    from mizan.core.roles import Role
    from mizan.core.services.organizations import organization_create
    from mizan.crm.models import LostReason, Pipeline, Stage
    from mizan.ledger.models import Account, AccountRole, AccountType, FiscalYear
    from mizan.ledger.services.accounts import account_create
    from mizan.ledger.services.currencies import exchange_rates_import
    from mizan.ledger.services.periods import fiscal_year_create
    from mizan.sales.models import ProductKind
    from mizan.sales.services.catalog import product_create

    build = Organization.objects.count() + 1  # a fresh database has none: e-mails stay unique per build
    owner = User.objects.create_user(
        email=f"owner-{build}@dataset-m.bench.mizan.local", language="ar", full_name="مالك المنشأة"
    )
    org = organization_create(
        owner=owner,
        name_ar="مجموعة الميزان التجارية",
        name_en="Mizan Trading Group",
        country="SA",
        language="ar",
        vat_number="300000000000003",
    )
    membership = Membership.objects.get(organization=org, user=owner)
    members = [membership]
    for number in range(1, SALES_MEMBERS + 1):
        name_ar, _latin = _person(random.Random(SEED + number))
        user = User.objects.create_user(
            email=f"sales{number}-{build}@dataset-m.bench.mizan.local", language="ar", full_name=name_ar
        )
        members.append(Membership.objects.create(organization=org, user=user, role=Role.SALES))
    for start in FISCAL_YEARS:
        if not FiscalYear.objects.filter(organization=org, start_date=start).exists():
            fiscal_year_create(org=org, actor_membership=membership, start_date=start)
    income_parent = Account.objects.get(organization=org, code="4")
    income = {"services": role_account(org, AccountRole.REVENUE)}
    for key, (code, name_ar, name_en) in names.INCOME_ACCOUNTS.items():
        income[key] = account_create(
            org=org,
            actor_membership=membership,
            data={
                "code": code,
                "name_ar": name_ar,
                "name_en": name_en,
                "type": AccountType.INCOME,
                "parent": income_parent,
            },
        )
    tax = Tax.objects.get(organization=org, kind=TaxKind.STANDARD, rate=Decimal("15"))
    products = [
        product_create(
            org=org,
            actor_membership=membership,
            data={
                "kind": ProductKind.SERVICE if account in ("services", "training") else ProductKind.PRODUCT,
                "code": code,
                "name_ar": name_ar,
                "name_en": name_en,
                "unit": unit,
                "income_account": income[account],
                "default_tax": tax,
            },
            prices={"SAR": Decimal(price)},
        )
        for code, name_ar, name_en, unit, price, account in names.PRODUCTS
    ]
    exchange_rates_import(
        org=org,
        actor_membership=membership,
        text="\n".join(f"{FOREIGN_CURRENCY},{day.isoformat()},{rate}" for day, rate in plan.rates),
    )
    pipeline = Pipeline.objects.filter(organization=org, is_default=True).order_by("position", "pk").first()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "pk"))
    kinds = [stage.kind for stage in stages]
    if kinds != ["open"] * 4 + ["won", "lost"]:
        raise DatasetError(f"The default pipeline changed (stages {kinds}); dataset M expects 4 open, won, lost.")
    return Books(
        org=org,
        membership=membership,
        members=members,
        pipeline=pipeline,
        stages=stages,
        lost_reasons=list(LostReason.objects.filter(organization=org).order_by("pk")),
        products=products,
        tax=tax,
        bank=role_account(org, AccountRole.BANK),
    )


# --- CRM, in bulk ----------------------------------------------------------------------------------


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    created = []
    for start in range(0, len(rows), BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + BATCH]))
    return created


def write_companies(books: Books, plan: Plan) -> int:
    from mizan.crm.models import Company
    from mizan.crm.services.clients import company_search_name

    rows = []
    for item in plan.companies:
        company = Company(
            organization=books.org,
            name_ar=item.name_ar,
            name_latin=item.name_latin,
            email=item.email,
            phone=item.phone,
            vat_number=item.vat_number,
            country=item.country,
            city=item.city,
            industry=item.industry,
            language=item.language,
            owner=books.members[item.owner].user,
        )
        company.search_name = company_search_name(company)
        rows.append(company)
    books.companies = _bulk(Company, rows)
    return len(rows)


def write_contacts(books: Books, plan: Plan) -> int:
    from mizan.crm.models import Contact
    from mizan.crm.services.clients import contact_search_name

    rows = []
    for item in plan.contacts:
        contact = Contact(
            organization=books.org,
            company=books.companies[item.company] if item.company is not None else None,
            name_ar=item.name_ar,
            name_latin=item.name_latin,
            job_title=item.job_title,
            email=item.email,
            mobile=item.mobile,
            owner=books.members[item.owner].user,
        )
        contact.search_name = contact_search_name(contact)
        rows.append(contact)
    books.contacts = _bulk(Contact, rows)
    return len(rows)


def write_deals(books: Books, plan: Plan) -> int:
    """Deals as deal_create leaves them: status from the stage kind, positions 0..n-1 per stage,
    the first stage change, the contact linked."""
    from mizan.crm.models import Deal, DealStageChange, Stage

    org = books.org
    positions: dict[int, int] = {}
    rows = []
    for item in plan.deals:
        stage = books.stages[item.stage]
        position = positions.get(stage.pk, 0)
        positions[stage.pk] = position + 1
        deal = Deal(
            organization=org,
            title=item.title,
            company=books.companies[item.company],
            pipeline=books.pipeline,
            stage=stage,
            position=position,
            value=item.value,
            currency=FOREIGN_CURRENCY if item.foreign else org.base_currency,
            expected_close_date=item.expected_close,
            owner=books.members[item.owner].user,
            stage_entered_at=item.opened,
        )
        if stage.kind == Stage.Kind.LOST:
            deal.status, deal.closed_at = Deal.Status.LOST, item.opened
            deal.lost_reason = books.lost_reasons[item.lost_reason % len(books.lost_reasons)]
        elif stage.kind == Stage.Kind.WON:
            deal.status, deal.closed_at = Deal.Status.WON, item.opened
        rows.append(deal)
    books.deals = _bulk(Deal, rows)
    _bulk(
        DealStageChange,
        [
            DealStageChange(
                organization=org,
                deal=deal,
                from_stage=None,
                to_stage=deal.stage,
                changed_by=deal.owner,
                changed_at=deal.stage_entered_at,
            )
            for deal in books.deals
        ],
    )
    through = Deal.contacts.through
    _bulk(
        through,
        [
            through(deal_id=deal.pk, contact_id=books.contacts[item.contact].pk)
            for deal, item in zip(books.deals, plan.deals, strict=True)
            if item.contact is not None
        ],
    )
    return len(rows)


def write_activities(books: Books, plan: Plan) -> int:
    """Activities as activity_log writes them (a deal's activity names its company), then each
    deal's last_activity_at = its newest activity."""
    from mizan.crm.models import Activity, Deal

    rows = []
    newest: dict[int, datetime.datetime] = {}
    for item in plan.activities:
        deal = books.deals[item.deal] if item.deal is not None else None
        rows.append(
            Activity(
                organization=books.org,
                kind=item.kind,
                subject=item.subject,
                body=item.body,
                occurred_at=item.occurred_at,
                duration_minutes=item.duration,
                outcome=item.outcome,
                company=books.companies[item.company] if item.company is not None else None,
                contact=books.contacts[item.contact] if item.contact is not None else None,
                deal=deal,
                created_by=books.members[item.owner].user,
            )
        )
        if deal is not None and (deal.pk not in newest or newest[deal.pk] < item.occurred_at):
            newest[deal.pk] = item.occurred_at
    _bulk(Activity, rows)
    for deal in books.deals:
        deal.last_activity_at = newest.get(deal.pk)
    Deal.objects.bulk_update([deal for deal in books.deals if deal.pk in newest], ["last_activity_at"], batch_size=500)
    return len(rows)


# --- billing through the services ------------------------------------------------------------------


def invoice_input(books: Books, item: InvoicePlan) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and lines invoice_create gets for a planned invoice (the bulk path uses the same)."""
    data: dict[str, Any] = {"company": books.companies[item.company], "issue_date": item.issue_date}
    if item.contact is not None:
        data["contact"] = books.contacts[item.contact]
    if item.foreign:
        data["currency"] = FOREIGN_CURRENCY
    if item.reference:
        data["reference"] = item.reference
    lines = [
        {
            "product": books.products[line.product],
            "description": books.products[line.product].name_ar,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax": books.tax,
            "income_account": books.products[line.product].income_account,
        }
        for line in plan_lines(item)
    ]
    return data, lines


def plan_lines(item: InvoicePlan) -> tuple[LinePlan, ...]:
    return item.lines


def payment_amount(
    kind: str, due: Decimal, *, share: Decimal, extra: Decimal, currency: str
) -> tuple[Decimal, Decimal]:
    """(amount paid, amount allocated) of a planned payment on an invoice with `due` left."""
    from mizan.billing.taxes import money_round

    if kind == "part":
        allocated = max(money_round(due * share, currency), money_round(CENT, currency))
        allocated = min(allocated, due)
        return allocated, allocated
    if kind == "over":
        return due + extra, due
    return due, due


def post_invoices_via_services(books: Books, plan: Plan, say: Callable[[str], None]) -> int:
    from mizan.billing.services.invoices import invoice_create, invoice_post

    org, membership = books.org, books.membership
    order = sorted(range(len(plan.invoices)), key=lambda i: (plan.invoices[i].issue_date, i))
    books.invoices = [None] * len(plan.invoices)
    for done, index in enumerate(order, start=1):
        data, lines = invoice_input(books, plan.invoices[index])
        draft = invoice_create(org=org, actor_membership=membership, data=data, lines=lines)
        books.invoices[index] = invoice_post(org=org, actor_membership=membership, invoice=draft)
        if done % 1000 == 0:
            say(f"  invoices: {done:,} of {len(order):,}")
    return len(order)


def record_payments_via_services(books: Books, plan: Plan, say: Callable[[str], None]) -> int:
    from mizan.billing.services.payments import payment_record

    org, membership = books.org, books.membership
    for done, item in enumerate(plan.payments, start=1):
        invoice = books.invoices[item.invoice]
        if invoice.amount_due <= 0:
            raise DatasetError(f"Planned payment {item.index} finds invoice {invoice.display_number} settled.")
        amount, allocated = payment_amount(
            item.kind, invoice.amount_due, share=item.share, extra=item.extra, currency=invoice.currency
        )
        payment_record(
            org=org,
            actor_membership=membership,
            data={
                "company": invoice.company,
                "date": item.date,
                "amount": amount,
                "currency": invoice.currency,
                "account": books.bank,
                "method": item.method,
                "reference": item.reference,
            },
            allocations=[{"invoice": invoice, "amount": allocated}],
        )
        invoice.refresh_from_db(fields=["amount_paid", "amount_due", "status"])
        if done % 1000 == 0:
            say(f"  payments: {done:,} of {len(plan.payments):,}")
    return len(plan.payments)


# --- the build -------------------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    seconds: float
    cpu_seconds: float
    queries: int
    rows: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.name,
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "queries": self.queries,
            "rows": self.rows,
            "rows_per_second": round(self.rows / self.seconds, 1) if self.rows and self.seconds > 0 else None,
        }


@dataclass
class DatasetResult:
    scale: float
    path: str
    counts: dict[str, int]
    stages: list[Stage]
    tables: dict[str, int]
    problems: list[str]
    digest: str
    database: dict[str, str]
    organization_id: int
    summary: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def seconds(self) -> float:
        return sum(stage.seconds for stage in self.stages)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workload": "dataset-m",
            "scale": self.scale,
            "path": self.path,
            "seed": SEED,
            "database": self.database,
            "organization_id": self.organization_id,
            "planned": self.counts,
            "stages": [stage.as_dict() for stage in self.stages],
            "build_seconds": round(self.seconds, 2),
            "tables": self.tables,
            "summary": self.summary,
            "hash": self.digest,
            "checks": {"passed": self.passed, "problems": self.problems},
        }


def _timed(stages: list[Stage], name: str, work: Callable[[], Any], say: Callable[[str], None]) -> Any:
    counter = QueryCounter()
    with counter.counting():
        started, cpu = time.perf_counter(), time.process_time()
        value = work()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    stages.append(
        Stage(
            name=name,
            seconds=seconds,
            cpu_seconds=cpu_seconds,
            queries=counter.count,
            rows=value if isinstance(value, int) else None,
        )
    )
    say(f"{name}: {seconds:.1f} s")
    return value


def choose_path(path: str, plan: Plan) -> str:
    if path not in PATHS:
        raise DatasetError(f"Unknown path {path!r}: choose one of {', '.join(PATHS)}.")
    if path == "auto":
        return "bulk" if len(plan.invoices) >= AUTO_BULK_FROM else "services"
    return path


def build_dataset_m(
    scale: float, *, path: str = "auto", seed: int = SEED, progress: Callable[[str], None] | None = None
) -> DatasetResult:
    """Build dataset M in the connected database, check it and describe it (see the module docstring)."""
    from mizan.bench.dataset_m_billing import write_billing_in_bulk
    from mizan.bench.dataset_m_check import check_dataset, dataset_hash, dataset_summary, table_counts

    say = progress or (lambda message: None)
    plan = make_plan(scale, seed)
    chosen = choose_path(path, plan)
    stages: list[Stage] = []
    with translation.override("ar"):
        books = _timed(stages, "setup", lambda: _atomic(lambda: set_up(plan)), say)
        _timed(stages, "companies", lambda: _atomic(lambda: write_companies(books, plan)), say)
        _timed(stages, "contacts", lambda: _atomic(lambda: write_contacts(books, plan)), say)
        _timed(stages, "deals", lambda: _atomic(lambda: write_deals(books, plan)), say)
        _timed(stages, "activities", lambda: _atomic(lambda: write_activities(books, plan)), say)
        if chosen == "services":
            _timed(stages, "invoices", lambda: post_invoices_via_services(books, plan, say), say)
            _timed(stages, "payments", lambda: record_payments_via_services(books, plan, say), say)
        else:
            write_billing_in_bulk(books, plan, stages=stages, timed=_timed, say=say)
        problems = _timed(stages, "check", lambda: check_dataset(books.org), say)
        digest = _timed(stages, "hash", lambda: dataset_hash(books.org), say)
        _timed(stages, "analyze", update_planner_statistics, say)
    return DatasetResult(
        scale=scale,
        path=chosen,
        counts=plan.counts,
        stages=stages,
        tables=table_counts(books.org),
        problems=problems,
        digest=digest,
        database=database_details(),
        organization_id=books.org.pk,
        summary=dataset_summary(books.org),
    )


def update_planner_statistics() -> None:
    """VACUUM ANALYZE (PostgreSQL) or ANALYZE (SQLite), as autovacuum or `PRAGMA optimize` would
    in a real installation some time after a bulk load: the page timings must not depend on
    whether autovacuum has run yet (planner statistics, and the visibility map that lets a count
    read an index alone). Inside a transaction (the tests) VACUUM cannot run: ANALYZE only."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _atomic(work: Callable[[], Any]) -> Any:
    with transaction.atomic():
        return work()


def now() -> datetime.datetime:
    """The posting time the bulk path stamps (as the services do; not part of the hash)."""
    return timezone.now()


# --- the command: a fresh database, kept on request ------------------------------------------------


def run_in_fresh_database(
    scale: float,
    *,
    database: str,
    path: str = "auto",
    postgres_url: str | None = None,
    keep: str = "",
) -> dict[str, Any]:
    """Migrate a new database (not timed), build dataset M there in a child process, return the report.

    Without `keep` the database is removed afterwards, like W1's. With `keep` it stays for the page
    timings: for SQLite `keep` is the file to create, for PostgreSQL the name of the database to
    create on the server of `postgres_url`; either must not exist yet.
    """
    import json
    import tempfile
    from contextlib import contextmanager
    from pathlib import Path

    from mizan.bench import runner

    server = postgres_url or runner.DEFAULT_POSTGRES_URL

    @contextmanager
    def kept_database() -> Any:
        if database == "sqlite":
            target = Path(keep).resolve()
            if target.exists():
                raise runner.BenchError(f"{target} exists: --keep names a new SQLite file.")
            target.parent.mkdir(parents=True, exist_ok=True)
            yield {"SQLITE_PATH": str(target)}, str(target)
            return
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(runner.server_url_for_psycopg(server), autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(keep)))
        except psycopg.Error as error:
            raise runner.BenchError(f"Cannot create the PostgreSQL database {keep!r}: {error}") from error
        url = runner.postgres_database_url(server, keep)
        yield {"DATABASE_URL": url}, url

    @contextmanager
    def temporary_database() -> Any:
        with runner.fresh_database(database, postgres_url=server) as env:
            yield env, None

    if database not in runner.DATABASES:
        raise runner.BenchError(f"Unknown database {database!r}: choose one of {', '.join(runner.DATABASES)}.")
    load_before = runner.machine_load()
    with (
        kept_database() if keep else temporary_database() as (database_env, kept),
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = runner._child_env(database_env)
        started = time.perf_counter()
        runner._manage(["migrate", "--noinput", "--verbosity", "0"], env)
        migrate_seconds = time.perf_counter() - started
        output = Path(tmp) / "result.json"
        runner._manage(
            ["bench", "dataset-m", "--scale", repr(scale), "--path", path, "--worker-output", str(output)], env
        )
        result = json.loads(output.read_text())
    report = runner.build_report(result, migrate_seconds=migrate_seconds, load_before=load_before)
    report["kept"] = kept
    return report


def format_table(report: dict[str, Any]) -> str:
    """Stages with seconds, queries and rows; then the rows per table and the checks."""
    database = report.get("database", {})
    lines = [
        f"Dataset M at scale {report['scale']:g} on {database.get('name', '?')} {database.get('version', '')} "
        f"({report['path']} path): built in {report['build_seconds']:.1f} s",
        f"{'stage':<20}{'seconds':>9}{'cpu s':>9}{'queries':>10}{'rows':>10}{'rows/s':>10}",
    ]
    for stage in report["stages"]:
        rows, per_second = stage.get("rows"), stage.get("rows_per_second")
        lines.append(
            f"{stage['stage']:<20}{stage['seconds']:>9.2f}{stage['cpu_seconds']:>9.2f}{stage['queries']:>10,}"
            f"{'' if rows is None else f'{rows:,}':>10}{'' if per_second is None else f'{per_second:,.0f}':>10}"
        )
    lines.append("rows per table: " + ", ".join(f"{name} {count:,}" for name, count in report["tables"].items()))
    lines.append(f"hash: {report['hash']}")
    checks = report["checks"]
    if checks["passed"]:
        lines.append(
            "checks: passed (balanced entries and years, invoice entries, receivables, numbering, settlement, "
            "month balances, open items)"
        )
    else:
        lines.append(f"checks: FAILED ({len(checks['problems'])} rule(s) broken)")
        lines.extend(f"  - {problem}" for problem in checks["problems"])
    if report.get("kept"):
        lines.append(f"kept: {report['kept']}")
    return "\n".join(lines)
