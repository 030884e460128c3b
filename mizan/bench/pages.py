"""Page and API timings on a kept dataset M (issue 6, items 3, 4 and 6).

`manage.py bench pages --database postgres --dataset mizan_m1` runs, in a child process pointed
at a database that `bench dataset-m --keep` built, every page and API call of `TARGETS` through
Django's full request stack (middleware, session or token authentication, view, template) as the
organization's owner, in Arabic: a few warm-up requests, then `requests` timed ones (p50, p95,
max), then one more with its SQL statements counted. No network is involved, so the time is the
server's own.

For each report the child also times the *floor*: one hand-written SQL statement computing the
same figures on the same database (`FLOORS`), and checks that its figures equal the report's (a
floor that computes something else proves nothing). The page-to-floor ratio is the report's
overhead over the database's own work.

With several `--dataset`s (dataset M at scale 0.1 and 1, say) the table shows each and the growth
of p50 and p95 from the first to the last.
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from mizan.bench.w1 import database_details
from mizan.ledger.selectors.balances import reround

#: The dataset's books end on 30 November 2026 (dataset M's LAST_DAY); the reports look at 2026.
YEAR_START = datetime.date(2026, 1, 1)
YEAR_END = datetime.date(2026, 12, 31)
AS_OF = datetime.date(2026, 11, 30)
#: An Arabic first name written with a hamza; the search normalizes it (أحمد finds احمد too).
SEARCH_NAME = "أحمد"
WARMUP = 3
TOKEN_NAME = "bench"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    path: str
    api: bool = False
    #: The hand-written SQL computing the same figures (a key of FLOORS).
    floor: str | None = None


@dataclass(frozen=True)
class Samples:
    seconds: list[float]

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile: the smallest sample with `share` of the samples at or below it."""
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    def as_dict(self) -> dict[str, float]:
        return {
            "p50_ms": round(self.percentile(0.50) * 1000, 2),
            "p95_ms": round(self.percentile(0.95) * 1000, 2),
            "max_ms": round(max(self.seconds) * 1000, 2),
        }


def _query(**params: Any) -> str:
    return "?" + "&".join(f"{name}={value}" for name, value in params.items())


def dataset_targets(org: Any) -> list[Target]:
    """The pages and API calls people use most, on records chosen the same way at every scale."""
    deal_id = _busiest_deal(org)
    invoice_id = _typical_invoice(org)
    period = _query(date_from=YEAR_START, date_to=AS_OF)
    year = _query(date_from=YEAR_START, date_to=YEAR_END)
    invoice_filters = _query(status="posted", currency="SAR", date_from=YEAR_START, date_to=AS_OF)
    return [
        Target("dashboard", "Home dashboard", "/"),
        Target("contacts", "Contact list", "/crm/contacts/"),
        Target("search", "Arabic name search", f"/search/?q={SEARCH_NAME}"),
        Target("contacts_search", "Contact list, Arabic name", f"/crm/contacts/?q={SEARCH_NAME}"),
        Target("kanban", "Pipeline kanban", "/crm/deals/board/"),
        Target("deal", "Deal page with timeline", f"/crm/deals/{deal_id}/"),
        Target("invoices", "Invoice list, filtered", f"/billing/invoices/{invoice_filters}"),
        Target("invoice", "Invoice page", f"/billing/invoices/{invoice_id}/"),
        Target("invoice_new", "New invoice form", "/billing/invoices/new/"),
        Target("payment_new", "New payment form", "/billing/payments/new/"),
        Target("trial_balance", "Trial balance", f"/ledger/reports/trial-balance/{period}", floor="trial_balance"),
        Target(
            "profit_and_loss",
            "Profit and loss, 2026",
            f"/ledger/reports/profit-and-loss/{year}",
            floor="profit_and_loss",
        ),
        Target("aging", "Receivable aging", f"/ledger/reports/aging/receivable/?as_of={AS_OF}", floor="aging"),
        Target("api_contacts_search", "API: contacts, Arabic name", f"/api/v1/crm/contacts/?q={SEARCH_NAME}", api=True),
        Target("api_deal", "API: deal", f"/api/v1/crm/deals/{deal_id}/", api=True),
        Target("api_invoices", "API: invoice list", "/api/v1/billing/invoices/", api=True),
        Target(
            "api_invoices_filtered",
            "API: invoice list, filtered",
            f"/api/v1/billing/invoices/{invoice_filters}",
            api=True,
        ),
        Target("api_invoice", "API: invoice", f"/api/v1/billing/invoices/{invoice_id}/", api=True),
        Target(
            "api_trial_balance",
            "API: trial balance",
            f"/api/v1/ledger/reports/trial-balance/{period}",
            api=True,
            floor="trial_balance",
        ),
        Target(
            "api_profit_and_loss",
            "API: profit and loss, 2026",
            f"/api/v1/ledger/reports/profit-and-loss/{year}",
            api=True,
            floor="profit_and_loss",
        ),
        Target(
            "api_aging",
            "API: receivable aging",
            f"/api/v1/ledger/reports/aging/receivable/?as_of={AS_OF}",
            api=True,
            floor="aging",
        ),
    ]


def _busiest_deal(org: Any) -> int:
    """The deal with the longest timeline (the slowest deal page a user can open)."""
    from mizan.crm.models import Activity

    row = (
        Activity.objects.filter(organization=org, deal__isnull=False)
        .values("deal_id")
        .annotate(count=Count("id"))
        .order_by("-count", "deal_id")
        .first()
    )
    if row is None:
        from mizan.crm.models import Deal

        return Deal.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)[0]
    return row["deal_id"]


def _typical_invoice(org: Any) -> int:
    """A paid invoice with the most lines, from the middle of the numbering."""
    from mizan.billing.models import Invoice

    invoices = Invoice.objects.filter(organization=org, kind=Invoice.Kind.INVOICE).exclude(document_number="")
    middle = invoices.count() // 2
    middle_id = invoices.order_by("pk").values_list("pk", flat=True)[middle]
    candidate = (
        invoices.filter(pk__gte=middle_id, allocations__isnull=False)
        .annotate(line_count=Count("lines", distinct=True))
        .order_by("-line_count", "pk")
        .values_list("pk", flat=True)[:200]
    )
    return candidate[0] if candidate else middle_id


# --- timing a target --------------------------------------------------------------------------------


def time_target(
    client: Client, target: Target, *, requests: int, headers: dict[str, str], warmup: int = WARMUP
) -> dict[str, Any]:
    """Warm up, time `requests` requests, then count the statements of one more."""
    extra = headers if target.api else {}
    for _ in range(warmup):
        _get(client, target, extra)
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        _get(client, target, extra)
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        response = _get(client, target, extra)
    return {
        "key": target.key,
        "label": target.label,
        "path": target.path,
        "api": target.api,
        "requests": requests,
        **Samples(seconds).as_dict(),
        "queries": len(captured.captured_queries),
        # The database's share of that request (as the driver saw it, round trips included).
        "sql_ms": round(sum(float(query["time"]) for query in captured.captured_queries) * 1000, 1),
        "bytes": len(response.content),
    }


def _get(client: Client, target: Target, headers: dict[str, str]) -> Any:
    response = client.get(target.path, headers=headers)
    if response.status_code != 200:
        raise PagesError(f"{target.path} answered {response.status_code}, not 200.")
    return response


class PagesError(Exception):
    """A page did not answer 200, or a floor's figures differ from its report's."""


# --- the floors: one hand-written statement per report ----------------------------------------------


def _tables() -> dict[str, str]:
    from mizan.crm.models import Company
    from mizan.ledger.models import Account, JournalEntry, JournalLine

    return {
        "line": JournalLine._meta.db_table,
        "entry": JournalEntry._meta.db_table,
        "account": Account._meta.db_table,
        "company": Company._meta.db_table,
    }


def _least(*terms: str) -> str:
    """LEAST()/GREATEST() are MIN()/MAX() with several arguments on SQLite."""
    return f"{'LEAST' if connection.vendor == 'postgresql' else 'MIN'}({', '.join(terms)})"


def _greatest(*terms: str) -> str:
    return f"{'GREATEST' if connection.vendor == 'postgresql' else 'MAX'}({', '.join(terms)})"


def floor_trial_balance(org: Any) -> tuple[str, list[Any]]:
    """Per account: opening before the year, debits and credits since (posted lines up to AS_OF)."""
    from mizan.ledger.models import JournalEntry

    sql = """
        SELECT a.id,
               SUM(CASE WHEN e.date < %s THEN l.debit - l.credit ELSE 0 END),
               SUM(CASE WHEN e.date >= %s THEN l.debit ELSE 0 END),
               SUM(CASE WHEN e.date >= %s THEN l.credit ELSE 0 END)
          FROM {line} l
          JOIN {entry} e ON e.id = l.entry_id
          JOIN {account} a ON a.id = l.account_id
         WHERE l.organization_id = %s AND e.state = %s AND e.date <= %s
         GROUP BY a.id, a.code
         ORDER BY a.code
    """.format(**_tables())  # noqa: S608 (table names from the models; values are parameters)
    return sql, [YEAR_START, YEAR_START, YEAR_START, org.pk, JournalEntry.State.POSTED, AS_OF]


def floor_profit_and_loss(org: Any) -> tuple[str, list[Any]]:
    """Per income and expense account: debit - credit in 2026, closing entries left out."""
    from mizan.ledger.models import AccountType, JournalEntry

    sql = """
        SELECT a.id, SUM(l.debit - l.credit)
          FROM {line} l
          JOIN {entry} e ON e.id = l.entry_id
          JOIN {account} a ON a.id = l.account_id
         WHERE l.organization_id = %s AND e.state = %s AND e.kind <> %s
           AND e.date >= %s AND e.date <= %s AND a.type IN (%s, %s)
         GROUP BY a.id, a.code
         ORDER BY a.code
    """.format(**_tables())  # noqa: S608 (table names from the models; values are parameters)
    return sql, [
        org.pk,
        JournalEntry.State.POSTED,
        JournalEntry.Kind.CLOSING,
        YEAR_START,
        YEAR_END,
        AccountType.INCOME,
        AccountType.EXPENSE,
    ]


def floor_aging(org: Any) -> tuple[str, list[Any]]:
    """Per client: receivable debits per age bucket (due date, else entry date), then the credits
    applied to the oldest buckets first, all in SQL."""
    from mizan.ledger.models import AccountRole, JournalEntry
    from mizan.ledger.selectors.reports import aging_bucket_ranges

    ranges = aging_bucket_ranges(AS_OF)
    params: list[Any] = []
    buckets = []
    for name, (start, end) in ranges.items():
        conditions = []
        if start is not None:
            conditions.append("COALESCE(l.due_date, e.date) >= %s")
            params.append(start)
        if end is not None:
            conditions.append("COALESCE(l.due_date, e.date) <= %s")
            params.append(end)
        buckets.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN l.debit ELSE 0 END) AS {name}")
    older = ("o.over_90", "o.days_61_90", "o.days_31_60", "o.days_1_30")
    left = [f"o.current - {_greatest(' - '.join(('o.settled', *older)), '0')}"]
    for index, name in enumerate(("days_1_30", "days_31_60", "days_61_90")):
        remaining = " - ".join(("o.settled", *older[: 3 - index]))
        left.append(f"o.{name} - {_least('o.' + name, _greatest(remaining, '0'))}")
    left.append(f"o.over_90 - {_least('o.over_90', 'o.settled')}")
    sql = f"""
        WITH open_items AS (
            SELECT l.partner_id, {", ".join(buckets)}, SUM(l.credit) AS settled
              FROM {{line}} l
              JOIN {{entry}} e ON e.id = l.entry_id
              JOIN {{account}} a ON a.id = l.account_id
             WHERE l.organization_id = %s AND e.state = %s AND e.date <= %s AND a.role = %s
             GROUP BY l.partner_id
        )
        SELECT o.partner_id, {", ".join(left)}
          FROM open_items o
          LEFT JOIN {{company}} c ON c.id = o.partner_id
         ORDER BY c.name_latin, c.name_ar, o.partner_id
    """.format(**_tables())  # noqa: S608 (table names from the models; values are parameters)
    params += [org.pk, JournalEntry.State.POSTED, AS_OF, AccountRole.RECEIVABLE]
    return sql, params


FLOORS: dict[str, Callable[[Any], tuple[str, list[Any]]]] = {
    "trial_balance": floor_trial_balance,
    "profit_and_loss": floor_profit_and_loss,
    "aging": floor_aging,
}


def _run_sql(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def floor_figures(key: str, rows: list[tuple[Any, ...]]) -> dict[Any, tuple[Decimal, ...]]:
    """{account or partner: figures}, rows with nothing in them left out (as the reports do)."""
    figures = {}
    for row in rows:
        values = tuple(reround(value) for value in row[1:])
        if any(values):
            figures[row[0]] = values
    return figures


def report_figures(key: str, org: Any) -> dict[Any, tuple[Decimal, ...]]:
    """The same figures, from the selectors the pages and the API use."""
    from mizan.ledger.selectors.reports import AGING_BUCKETS, ReportFilters, aging, profit_and_loss, trial_balance

    if key == "trial_balance":
        report = trial_balance(org=org, filters=ReportFilters(date_from=YEAR_START, date_to=AS_OF))
        return {row.account.id: (row.opening.amount, row.debit.amount, row.credit.amount) for row in report.rows}
    if key == "profit_and_loss":
        report = profit_and_loss(org=org, filters=ReportFilters(date_from=YEAR_START, date_to=YEAR_END))
        return {
            row.account.id: (row.current.amount * row.current.sign,)
            for section in (report.income, report.expense)
            for row in section.rows
        }
    report = aging(org=org, kind="receivable", as_of=AS_OF)
    return {row.partner_id: tuple(row.buckets[name] for name in AGING_BUCKETS) for row in report.rows}


def time_floor(key: str, org: Any, *, requests: int, warmup: int = WARMUP) -> dict[str, Any]:
    """Time the hand-written statement and check it computes the report's figures."""
    sql, params = FLOORS[key](org)
    for _ in range(warmup):
        rows = _run_sql(sql, params)
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        rows = _run_sql(sql, params)
        seconds.append(time.perf_counter() - started)
    with translation.override("en"):
        expected = report_figures(key, org)
    actual = floor_figures(key, rows)
    if actual != expected:
        differing = sorted(set(actual.items()) ^ set(expected.items()), key=str)[:5]
        raise PagesError(f"The hand-written SQL of {key} differs from the report: {differing}")
    return {"key": key, "requests": requests, "rows": len(actual), **Samples(seconds).as_dict()}


# --- the whole run (in the child process) -----------------------------------------------------------


def _owner(org: Any) -> Any:
    from mizan.core.models import Membership
    from mizan.core.roles import Role

    return (
        Membership.objects.select_related("user", "organization")
        .filter(organization=org, role=Role.OWNER, is_active=True)
        .order_by("pk")
        .first()
    )


def bench_organization() -> Any:
    """The dataset's organization: the only one in a database that `bench dataset-m --keep` built."""
    from mizan.core.models import Organization

    organizations = list(Organization.objects.order_by("pk")[:2])
    if len(organizations) != 1:
        raise PagesError("Point the page timings at a database built by `bench dataset-m --keep` (one organization).")
    return organizations[0]


def api_token(membership: Any) -> str:
    """A fresh token for the API calls (the previous run's is revoked first)."""
    from mizan.core.models import ApiToken
    from mizan.core.services.api_tokens import api_token_create

    ApiToken.objects.filter(organization=membership.organization, user=membership.user, name=TOKEN_NAME).delete()
    _token, raw = api_token_create(org=membership.organization, membership=membership, name=TOKEN_NAME)
    return raw


def run_pages(
    *, requests: int, only: list[str] | None = None, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    """Every target and every floor, on the organization of this database."""
    org = bench_organization()
    membership = _owner(org)
    if membership is None:
        raise PagesError("The dataset's organization has no active owner.")
    client = Client()
    client.force_login(membership.user)
    headers = {"Authorization": f"Bearer {api_token(membership)}"}
    targets = [target for target in dataset_targets(org) if not only or target.key in only]
    results = []
    for target in targets:
        progress(f"{target.key} ...")
        results.append(time_target(client, target, requests=requests, headers=headers))
    floors = {}
    for key in sorted({target.floor for target in targets if target.floor}):
        progress(f"floor {key} ...")
        floors[key] = time_floor(key, org, requests=requests)
    for result, target in zip(results, targets, strict=True):
        if target.floor:
            floor = floors[target.floor]
            result["floor"] = target.floor
            result["floor_ratio_p50"] = round(result["p50_ms"] / floor["p50_ms"], 2) if floor["p50_ms"] else None
    return {
        "workload": "pages",
        "database": database_details(),
        "organization": org.name_en or org.name_ar,
        "rows": _row_counts(org),
        "targets": results,
        "floors": floors,
    }


def _row_counts(org: Any) -> dict[str, int]:
    from mizan.billing.models import Invoice
    from mizan.crm.models import Activity, Company, Contact, Deal
    from mizan.ledger.models import JournalLine

    models = {
        "companies": Company,
        "contacts": Contact,
        "deals": Deal,
        "activities": Activity,
        "invoices": Invoice,
        "journal_lines": JournalLine,
    }
    return {name: model.objects.filter(organization=org).count() for name, model in models.items()}


# --- the table --------------------------------------------------------------------------------------


def format_table(reports: list[dict[str, Any]]) -> str:
    """One block per dataset (p50, p95, queries, floor ratio), then the growth first -> last."""
    lines: list[str] = []
    for report in reports:
        database = report["database"]
        rows = report["rows"]
        lines.append(
            f"{report['dataset']} on {database['name']} {database['version']}: {rows['invoices']:,} invoices, "
            f"{rows['contacts']:,} contacts, {rows['journal_lines']:,} journal lines; "
            f"{report['targets'][0]['requests']} requests each"
        )
        lines.append(
            f"{'page or call':<32}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'sql ms':>9}{'x floor':>9}"
        )
        for target in report["targets"]:
            ratio = target.get("floor_ratio_p50")
            lines.append(
                f"{target['label']:<32}{target['p50_ms']:>9.1f}{target['p95_ms']:>9.1f}{target['max_ms']:>9.1f}"
                f"{target['queries']:>9}{target.get('sql_ms', 0):>9.1f}{'' if ratio is None else f'{ratio:.1f}':>9}"
            )
        for key, floor in report["floors"].items():
            lines.append(
                f"{'floor: ' + key:<32}{floor['p50_ms']:>9.1f}{floor['p95_ms']:>9.1f}{floor['max_ms']:>9.1f}"
                f"{'':>18}{'':>9}  ({floor['rows']:,} rows, same figures as the report)"
            )
        lines.append("")
    if len(reports) > 1:
        lines.extend(format_growth(reports[0], reports[-1]))
    return "\n".join(lines).rstrip()


def growth(first: dict[str, Any], last: dict[str, Any]) -> list[dict[str, Any]]:
    """Per target: p50 and p95 at the last dataset over the first, and both query counts."""
    before = {target["key"]: target for target in first["targets"]}
    rows = []
    for target in last["targets"]:
        old = before.get(target["key"])
        if old is None:
            continue
        rows.append(
            {
                "key": target["key"],
                "label": target["label"],
                "p50_ratio": round(target["p50_ms"] / old["p50_ms"], 2),
                "p95_ratio": round(target["p95_ms"] / old["p95_ms"], 2),
                "queries": [old["queries"], target["queries"]],
            }
        )
    return rows


def format_growth(first: dict[str, Any], last: dict[str, Any]) -> list[str]:
    lines = [
        f"growth from {first['dataset']} to {last['dataset']}",
        f"{'page or call':<32}{'p50 x':>9}{'p95 x':>9}{'queries':>12}",
    ]
    for row in growth(first, last):
        queries = f"{row['queries'][0]} -> {row['queries'][1]}"
        lines.append(f"{row['label']:<32}{row['p50_ratio']:>9.2f}{row['p95_ratio']:>9.2f}{queries:>12}")
    return lines
