"""Workload W1, "a service company's year": the reference data generator.

Vendored from ../shared/bench/w1_data.py (the reference beside W1.md), unchanged but for this
paragraph, so the benchmark runs without ../shared; mizan/bench/tests/test_w1.py checks that both
give the same invoices and expected totals whenever the reference is present.

Standalone (standard library only) so that any implementation can import it, or re-implement it
from this text, and must reproduce `expected_totals(scale)` exactly.

Draw order, with rng = random.Random(20261123), for invoice k = 0 .. invoices-1:
    customer   = rng.randrange(customers)                      # index into the customer list
    day        = rng.randrange(365)                            # invoice date = 2025-01-01 + day
    3 lines, each: quantity = rng.randint(1, 10)
                   unit_price = Decimal(rng.randint(5000, 50000)) / 100   # 50.00 .. 500.00
    paid       = rng.random() < 0.70
    delay      = rng.randrange(61)                             # always drawn, used only if paid
Payment date = min(invoice date + delay days, 2025-12-31); a paid invoice is paid in full.
Money: line amount = quantity * unit_price (exact, 2 decimals); line tax = line amount * 14%
rounded half up to 0.01; invoice untaxed = sum of line amounts; invoice tax = sum of line taxes;
invoice total = untaxed + tax. Payment term: net 30 (due date = invoice date + 30 days).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SEED = 20261123
TAX_RATE = Decimal("0.14")
YEAR_START = dt.date(2025, 1, 1)
YEAR_END = dt.date(2025, 12, 31)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT)

    @property
    def tax(self) -> Decimal:
        return (self.amount * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Invoice:
    number: int  # 1-based order of generation
    customer: int  # 0-based index into customers()
    date: dt.date
    lines: tuple[Line, Line, Line]
    paid_on: dt.date | None

    @property
    def untaxed(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.untaxed + self.tax

    @property
    def due(self) -> dt.date:
        return self.date + dt.timedelta(days=30)


def sizes(scale: float = 1) -> tuple[int, int]:
    """Number of customers and invoices at a scale (scale 1: 200 and 2,000)."""
    return max(1, round(200 * scale)), max(1, round(2000 * scale))


def customers(scale: float = 1) -> list[str]:
    count, _ = sizes(scale)
    return [f"Customer {i:05d}" for i in range(1, count + 1)]


def invoices(scale: float = 1) -> list[Invoice]:
    customer_count, invoice_count = sizes(scale)
    rng = random.Random(SEED)
    result = []
    for k in range(invoice_count):
        customer = rng.randrange(customer_count)
        date = YEAR_START + dt.timedelta(days=rng.randrange(365))
        lines = tuple(Line(rng.randint(1, 10), Decimal(rng.randint(5000, 50000)) / 100) for _ in range(3))
        paid = rng.random() < 0.70
        delay = rng.randrange(61)
        paid_on = min(date + dt.timedelta(days=delay), YEAR_END) if paid else None
        result.append(Invoice(k + 1, customer, date, lines, paid_on))  # type: ignore[arg-type]
    return result


def expected_totals(scale: float = 1) -> dict[str, str]:
    """The figures every implementation of W1 must reproduce, as strings."""
    invs = invoices(scale)
    untaxed = sum((i.untaxed for i in invs), Decimal("0.00"))
    tax = sum((i.tax for i in invs), Decimal("0.00"))
    total = untaxed + tax
    paid = sum((i.total for i in invs if i.paid_on), Decimal("0.00"))
    per_customer: dict[int, Decimal] = {}
    for i in invs:
        if not i.paid_on:
            per_customer[i.customer] = per_customer.get(i.customer, Decimal("0.00")) + i.total
    top = max(per_customer.items(), key=lambda kv: (kv[1], -kv[0])) if per_customer else (0, Decimal(0))
    return {
        "customers": str(sizes(scale)[0]),
        "invoices": str(len(invs)),
        "invoices_paid": str(sum(1 for i in invs if i.paid_on)),
        "untaxed": str(untaxed),
        "tax": str(tax),
        "total": str(total),
        "paid": str(paid),
        "receivable_outstanding": str(total - paid),
        "customers_with_balance": str(len(per_customer)),
        "largest_customer_balance": f"{customers(scale)[top[0]]}={top[1]}",
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(expected_totals(float(sys.argv[1]) if len(sys.argv) > 1 else 1), indent=1))
