"""Workload W1, "a service company's year" (../shared/bench/W1.md), through Mizan's own services.

Set-up (not timed): one organization in USD with fiscal year 2025 open, a 14% standard tax rounded
per line on tax-exclusive prices, net 30 as the default payment term, the chart's bank account,
one service item, and the customers (`crm` company_create). Timed stages:

1. create  - `invoice_create` for every invoice of `w1_data.invoices(scale)`, in generation order;
2. post    - `invoice_post` in invoice-date order (ties in generation order), so numbers follow dates;
3. pay     - `payment_record` of the full total on `paid_on`, allocated to the invoice
             (in payment-date order, ties in generation order);
4. reports - the ledger's report selectors: trial balance and profit and loss for 2025, receivable
             aging at 2025-12-31.

Every stage is timed with `time.perf_counter` and its SQL statements are counted with
`connection.execute_wrapper`. The figures read from the reports must equal
`w1_data.expected_totals(scale)` (plus: the trial balance sums to zero, and the aging agrees with
the receivable account); `check_totals` lists every mismatch and a run with any is a failure.

This module runs in whatever database Django is connected to: the `bench` command gives it a
fresh one (see mizan/bench/runner.py); the tests run it in the test database.
"""

from __future__ import annotations

import datetime
import importlib.util
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import translation

ZERO = Decimal("0")
CENT = Decimal("0.01")
YEAR_START = datetime.date(2025, 1, 1)
YEAR_END = datetime.date(2025, 12, 31)
#: The reference generator beside W1.md; the vendored copy (mizan/bench/w1_data.py) when absent.
SHARED_REFERENCE = Path(settings.BASE_DIR).parent / "shared" / "bench" / "w1_data.py"
STAGES = ("create", "post", "pay", "reports")


class BenchFailure(Exception):
    """The organization could not be set up the way W1 requires (e.g. fiscal year 2025 not open)."""


# --- reference data ---------------------------------------------------------------------------


def load_reference(path: Path | None = None) -> tuple[ModuleType, str]:
    """The W1 generator: the shared reference file if it exists, else the vendored copy.

    Returns the module and where it came from (a path, or "vendored")."""
    path = SHARED_REFERENCE if path is None else path
    if path.is_file():
        spec = importlib.util.spec_from_file_location("w1_data_reference", path)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            # Registered before exec: dataclasses look their module up in sys.modules.
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            return module, str(path.resolve())
    from mizan.bench import w1_data

    return w1_data, "vendored"


# --- counting queries ---------------------------------------------------------------------------

_VERB = re.compile(r"^\s*(\w+)", re.IGNORECASE)
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?([\w.]+)"?', re.IGNORECASE)


def query_shape(sql: str) -> str:
    """A short key for a statement: its verb and first table (`SELECT billing_invoice`)."""
    verb = _VERB.match(sql)
    table = _TABLE.search(sql)
    words = [verb.group(1).upper() if verb else "?"]
    if table:
        words.append(table.group(1))
    return " ".join(words)


@dataclass
class QueryCounter:
    """Counts the SQL statements run on the default connection (and their shapes, when tracing)."""

    trace: bool = False
    count: int = 0
    shapes: Counter[str] = field(default_factory=Counter)
    #: With `trace`: seconds spent executing each shape (driver and database, round trip included).
    shape_seconds: Counter[str] = field(default_factory=Counter)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        if not self.trace:
            return execute(sql, params, many, context)
        shape = query_shape(sql)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.shapes[shape] += 1
            self.shape_seconds[shape] += time.perf_counter() - started

    def top(self, limit: int = 40) -> list[tuple[str, int, float]]:
        """The most frequent shapes: (shape, count, seconds)."""
        return [(shape, count, self.shape_seconds[shape]) for shape, count in self.shapes.most_common(limit)]

    @contextmanager
    def counting(self) -> Iterator[QueryCounter]:
        with connection.execute_wrapper(self):
            yield self


# --- results ------------------------------------------------------------------------------------


@dataclass
class StageResult:
    name: str
    seconds: float
    queries: int
    #: CPU time of this Python process (excludes the PostgreSQL server; less disturbed by other load).
    cpu_seconds: float = 0.0
    #: Invoices the stage handled (None for the reports stage).
    invoices: int | None = None
    #: With tracing: (shape, count, seconds executing it) of the most frequent statements.
    top_queries: list[tuple[str, int, float]] = field(default_factory=list)

    @property
    def per_second(self) -> float | None:
        if not self.invoices or self.seconds <= 0:
            return None
        return self.invoices / self.seconds

    @property
    def queries_per_invoice(self) -> float | None:
        return self.queries / self.invoices if self.invoices else None

    def as_dict(self) -> dict[str, Any]:
        per_second, per_invoice = self.per_second, self.queries_per_invoice
        return {
            "stage": self.name,
            "seconds": round(self.seconds, 4),
            "cpu_seconds": round(self.cpu_seconds, 4),
            "invoices": self.invoices,
            "invoices_per_second": round(per_second, 2) if per_second is not None else None,
            "queries": self.queries,
            "queries_per_invoice": round(per_invoice, 2) if per_invoice is not None else None,
            "top_queries": [[shape, count, round(seconds, 4)] for shape, count, seconds in self.top_queries],
        }


@dataclass
class W1Result:
    scale: float
    reference: str
    setup_seconds: float
    stages: list[StageResult]
    expected: dict[str, str]
    measured: dict[str, str]
    mismatches: list[str]
    database: dict[str, str]

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def stage(self, name: str) -> StageResult:
        return next(stage for stage in self.stages if stage.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workload": "W1",
            "scale": self.scale,
            "reference": self.reference,
            "database": self.database,
            "setup_seconds": round(self.setup_seconds, 3),
            "stages": [stage.as_dict() for stage in self.stages],
            "checks": {
                "passed": self.passed,
                "mismatches": self.mismatches,
                "expected": self.expected,
                "measured": self.measured,
            },
        }


# --- checking -----------------------------------------------------------------------------------


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _same(expected: str, measured: str) -> bool:
    """Numbers compare as Decimals (12.50 == 12.500); "name=amount" by name and amount; else text."""
    left, right = _decimal(expected), _decimal(measured)
    if left is not None and right is not None:
        return left == right
    if "=" in expected and "=" in measured:
        (name_e, amount_e), (name_m, amount_m) = expected.rsplit("=", 1), measured.rsplit("=", 1)
        return name_e == name_m and _same(amount_e, amount_m)
    return expected == measured


def check_totals(measured: dict[str, str], expected: dict[str, str]) -> list[str]:
    """Every expected figure the measured ones miss or get wrong, as readable messages."""
    problems = []
    for key, value in expected.items():
        if key not in measured:
            problems.append(f"{key}: expected {value}, not measured")
        elif not _same(value, measured[key]):
            problems.append(f"{key}: expected {value}, got {measured[key]}")
    return problems


def expected_figures(reference: ModuleType, scale: float) -> dict[str, str]:
    """The reference's expected totals plus the ledger's own invariants."""
    expected = dict(reference.expected_totals(scale))
    expected["trial_balance_sum"] = "0.00"
    expected["trial_balance_debit_minus_credit"] = "0.00"
    # The aging (partner lines) and the receivable account (trial balance) must agree.
    expected["receivable_in_ledger"] = expected["receivable_outstanding"]
    return expected


def money_text(amount: Decimal) -> str:
    """2 places when exact to the cent; otherwise every place, so a sub-cent error shows."""
    amount = Decimal(amount)
    return str(amount.quantize(CENT)) if amount == amount.quantize(CENT) else str(amount)


def database_details() -> dict[str, str]:
    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
        name = "SQLite"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version" if vendor == "postgresql" else "SELECT version()")
            version = str(cursor.fetchone()[0])
        name = {"postgresql": "PostgreSQL"}.get(vendor, vendor)
    return {"vendor": vendor, "name": name, "version": version}


# --- set-up -------------------------------------------------------------------------------------


@dataclass
class Books:
    """What the set-up made: the organization, its owner's membership and the records W1 uses."""

    org: Any
    membership: Any
    customers: list[Any]
    tax: Any
    product: Any
    revenue: Any
    bank: Any
    receivable: Any


def _fiscal_year_2025(org: Any, membership: Any) -> None:
    from mizan.ledger.models import FiscalYear, Period
    from mizan.ledger.services.periods import fiscal_year_create

    year = FiscalYear.objects.filter(organization=org, start_date__lte=YEAR_START, end_date__gte=YEAR_END).first()
    if year is None:
        fiscal_year_create(org=org, actor_membership=membership, start_date=YEAR_START)
    periods = Period.objects.filter(organization=org, start_date__lte=YEAR_END, end_date__gte=YEAR_START)
    if periods.count() != 12 or periods.exclude(state=Period.State.OPEN).exists():
        raise BenchFailure("Fiscal year 2025 must have 12 open monthly periods.")


def _net_30_default(org: Any, membership: Any) -> None:
    from mizan.billing.models import PaymentTerm
    from mizan.billing.services.terms import payment_term_create, payment_term_set_default

    term = PaymentTerm.objects.filter(organization=org, days=30, is_active=True).order_by("pk").first()
    if term is None:
        payment_term_create(
            org=org, actor_membership=membership, data={"name_en": "Net 30", "days": 30, "is_default": True}
        )
    elif not term.is_default:
        payment_term_set_default(org=org, actor_membership=membership, term=term)


def set_up(reference: ModuleType, scale: float) -> Books:
    """The organization and the records of W1's untimed set-up, through the services."""
    from mizan.billing.models import BillingSettings, TaxKind
    from mizan.billing.services.invoices import default_payment_term, role_account
    from mizan.billing.services.taxes import billing_settings_update, tax_create
    from mizan.core.models import Membership, User
    from mizan.core.services.organizations import organization_create
    from mizan.crm.services.clients import company_create
    from mizan.ledger.models import AccountRole
    from mizan.sales.models import ProductKind, ProductUnit
    from mizan.sales.services.catalog import product_create

    owner = User.objects.create_user(email=f"w1-{uuid.uuid4().hex[:12]}@bench.mizan.local", language="en")
    org = organization_create(
        owner=owner,
        name_en="W1 Service Company",
        name_ar="شركة خدمات W1",
        country="OTHER",
        base_currency="USD",
        timezone_name="UTC",
        vat_rate=Decimal("14"),
        language="en",
    )
    membership = Membership.objects.get(organization=org, user=owner)
    _fiscal_year_2025(org, membership)
    billing_settings_update(
        org=org,
        actor_membership=membership,
        data={"rounding": BillingSettings.Rounding.LINE, "prices_include_tax": False},
    )
    tax = tax_create(
        org=org,
        actor_membership=membership,
        data={
            "name_en": "Sales tax 14%",
            "name_ar": "ضريبة المبيعات 14٪",
            "rate": Decimal("14"),
            "kind": TaxKind.STANDARD,
        },
    )
    _net_30_default(org, membership)
    term = default_payment_term(org)
    if term is None or term.days != 30:
        raise BenchFailure("The default payment term must be net 30.")
    revenue = role_account(org, AccountRole.REVENUE)
    product = product_create(
        org=org,
        actor_membership=membership,
        data={
            "kind": ProductKind.SERVICE,
            "code": "W1-SERVICE",
            "name_en": "Consulting services",
            "name_ar": "خدمات استشارية",
            "unit": ProductUnit.HOUR,
            "income_account": revenue,
            "default_tax": tax,
        },
        prices={"USD": Decimal("100.00")},
    )
    customers = [
        company_create(org=org, actor_membership=membership, data={"name_latin": name})
        for name in reference.customers(scale)
    ]
    return Books(
        org=org,
        membership=membership,
        customers=customers,
        tax=tax,
        product=product,
        revenue=revenue,
        bank=role_account(org, AccountRole.BANK),
        receivable=role_account(org, AccountRole.RECEIVABLE),
    )


# --- stages -------------------------------------------------------------------------------------


def create_invoices(books: Books, invoices: list[Any]) -> list[Any]:
    """Stage 1: a draft for every W1 invoice, in generation order."""
    from mizan.billing.services.invoices import invoice_create

    drafts = []
    for item in invoices:
        lines = [
            {
                "product": books.product,
                "description": books.product.name_en,
                "quantity": Decimal(line.quantity),
                "unit_price": line.unit_price,
                "tax": books.tax,
                "income_account": books.revenue,
            }
            for line in item.lines
        ]
        drafts.append(
            invoice_create(
                org=books.org,
                actor_membership=books.membership,
                data={"company": books.customers[item.customer], "issue_date": item.date},
                lines=lines,
            )
        )
    return drafts


def post_invoices(books: Books, invoices: list[Any], drafts: list[Any]) -> list[Any]:
    """Stage 2: post in invoice-date order, ties in generation order. Returns them in generation order."""
    from mizan.billing.services.invoices import invoice_post

    posted: list[Any] = list(drafts)
    for index in sorted(range(len(invoices)), key=lambda i: (invoices[i].date, invoices[i].number)):
        posted[index] = invoice_post(org=books.org, actor_membership=books.membership, invoice=drafts[index])
    return posted


def pay_invoices(books: Books, invoices: list[Any], posted: list[Any]) -> int:
    """Stage 3: one payment of the full total on `paid_on`, allocated to the invoice. Returns the count."""
    from mizan.billing.models import PaymentMethod
    from mizan.billing.services.payments import payment_record

    paid = [i for i in range(len(invoices)) if invoices[i].paid_on is not None]
    for index in sorted(paid, key=lambda i: (invoices[i].paid_on, invoices[i].number)):
        invoice = posted[index]
        payment_record(
            org=books.org,
            actor_membership=books.membership,
            data={
                "company": books.customers[invoices[index].customer],
                "date": invoices[index].paid_on,
                "amount": invoice.total,
                "account": books.bank,
                "method": PaymentMethod.BANK_TRANSFER,
                "reference": f"W1-{invoices[index].number}",
            },
            allocations=[{"invoice": invoice, "amount": invoice.total}],
        )
    return len(paid)


def read_reports(books: Books, customer_names: list[str]) -> dict[str, str]:
    """Stage 4: the figures W1 checks, from the ledger's report selectors (and two counts)."""
    from mizan.billing.models import Invoice
    from mizan.crm.models import Company
    from mizan.ledger.selectors.reports import ReportFilters, aging, profit_and_loss, trial_balance

    org = books.org
    filters = ReportFilters(date_from=YEAR_START, date_to=YEAR_END)
    balance = trial_balance(org=org, filters=filters)
    income = profit_and_loss(org=org, filters=filters).income
    receivables = aging(org=org, kind="receivable", as_of=YEAR_END)
    rows = {row.account.id: row for row in balance.rows}

    def row_figure(account_id: int, side: str) -> Decimal:
        row = rows.get(account_id)
        return getattr(row, side).amount if row is not None else ZERO

    index_of = {customer.pk: position for position, customer in enumerate(books.customers)}
    owing = [(row.total.amount, row.partner_id) for row in receivables.rows if row.total.amount]
    if owing:
        amount, partner_id = max(owing, key=lambda item: (item[0], -index_of.get(item[1], len(index_of))))
        name = customer_names[index_of[partner_id]] if partner_id in index_of else f"partner {partner_id}"
        largest = f"{name}={money_text(amount)}"
    else:
        largest = f"{customer_names[0]}=0"
    invoices = Invoice.objects.filter(organization=org, kind=Invoice.Kind.INVOICE)
    return {
        "customers": str(Company.objects.filter(organization=org).count()),
        "invoices": str(invoices.exclude(status=Invoice.Status.DRAFT).count()),
        "invoices_paid": str(invoices.filter(status=Invoice.Status.PAID).count()),
        "untaxed": money_text(income.current.amount),
        "tax": money_text(row_figure(books.tax.account_id, "credit")),
        "total": money_text(row_figure(books.receivable.pk, "debit")),
        "paid": money_text(row_figure(books.bank.pk, "debit")),
        "receivable_outstanding": money_text(receivables.total.amount),
        "customers_with_balance": str(len(owing)),
        "largest_customer_balance": largest,
        "trial_balance_sum": money_text(balance.opening + balance.closing),
        "trial_balance_debit_minus_credit": money_text(balance.debit - balance.credit),
        "receivable_in_ledger": money_text(row_figure(books.receivable.pk, "closing")),
    }


# --- the run ------------------------------------------------------------------------------------


def _timed(name: str, trace: bool, work: Callable[[], Any]) -> tuple[StageResult, Any]:
    counter = QueryCounter(trace=trace)
    with counter.counting():
        started, cpu_started = time.perf_counter(), time.process_time()
        value = work()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    stage = StageResult(
        name=name,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        queries=counter.count,
        top_queries=counter.top(40),
    )
    return stage, value


def run_w1(
    scale: float,
    *,
    trace: bool = False,
    reference: tuple[ModuleType, str] | None = None,
    expected: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> W1Result:
    """Set up, run the four timed stages, read the reports and compare them with the expected totals.

    `expected` replaces the reference's figures (the tests use it to prove a mismatch fails).
    """
    module, source = reference or load_reference()
    say = progress or (lambda message: None)
    invoices = module.invoices(scale)
    names = module.customers(scale)
    with translation.override("en"):
        started = time.perf_counter()
        books = set_up(module, scale)
        setup_seconds = time.perf_counter() - started
        say(f"set-up: {len(books.customers)} customers in {setup_seconds:.1f} s")
        stages = []
        create, drafts = _timed("create", trace, lambda: create_invoices(books, invoices))
        create.invoices = len(drafts)
        stages.append(create)
        say(f"create: {create.seconds:.1f} s")
        post, posted = _timed("post", trace, lambda: post_invoices(books, invoices, drafts))
        post.invoices = len(posted)
        stages.append(post)
        say(f"post: {post.seconds:.1f} s")
        pay, paid = _timed("pay", trace, lambda: pay_invoices(books, invoices, posted))
        pay.invoices = paid
        stages.append(pay)
        say(f"pay: {pay.seconds:.1f} s")
        reports, measured = _timed("reports", trace, lambda: read_reports(books, names))
        stages.append(reports)
        say(f"reports: {reports.seconds:.2f} s")
    wanted = expected if expected is not None else expected_figures(module, scale)
    return W1Result(
        scale=scale,
        reference=source,
        setup_seconds=setup_seconds,
        stages=stages,
        expected=wanted,
        measured=measured,
        mismatches=check_totals(measured, wanted),
        database=database_details(),
    )
