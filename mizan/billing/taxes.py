"""Tax arithmetic for quotes and invoices: pure functions on Decimal, no database.

BR-S-09 (ZATCA): on a Saudi invoice the VAT of each rate must equal the taxable amount of that rate
times the rate, rounded ONCE. Rounding each line and summing can be 0.01 off (3 lines of 0.05 at
15%: per line 0.01 x 3 = 0.03, on the sum 0.15 x 15% = 0.0225 -> 0.02). So, per document:

1. each line's net (taxable) amount is rounded to the currency's minor unit;
2. lines are grouped by tax (rate + kind); the group's VAT is round(sum of nets x rate) once;
3. that VAT is allocated back to the lines by largest remainder, so the line VATs add up exactly
   to the group VAT and the PDF and the UBL XML show the same figures.

With `saudi_br_s_09=True` this document rounding is always used. Otherwise `rounding="line"`
(the default organization setting) rounds each line's VAT and the rate totals are their sums.

Tax-inclusive prices: the gross line amount (quantity x price - discount) is rounded; the group's
net is the amount whose once-rounded VAT adds up to the group's gross (see `_inclusive_net`), and
net and VAT are each allocated to the lines by largest remainder.
See docs/adr/0004-vat-rounding.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

from mizan.core.countries import CURRENCY_MINOR_UNITS

HUNDRED = Decimal(100)
ZERO = Decimal(0)

Rounding = Literal["line", "document"]


@dataclass(frozen=True)
class TaxSpec:
    """The part of a tax the arithmetic needs: percent rate and kind (standard/zero_rated/exempt/out_of_scope)."""

    rate: Decimal
    kind: str = "standard"
    key: str = ""

    @property
    def group_key(self) -> tuple[str, str, Decimal]:
        return (self.key, self.kind, self.effective_rate)

    @property
    def effective_rate(self) -> Decimal:
        """Only standard-rated lines carry VAT; zero-rated, exempt and out-of-scope lines have 0%."""
        return self.rate if self.kind == "standard" else ZERO


@dataclass(frozen=True)
class TaxLineInput:
    quantity: Decimal
    unit_price: Decimal
    tax: TaxSpec | None = None
    discount_percent: Decimal = ZERO


@dataclass
class LineTaxes:
    net: Decimal
    tax: Decimal
    gross: Decimal
    discount: Decimal


@dataclass
class RateTotal:
    tax: TaxSpec | None
    taxable: Decimal
    tax_amount: Decimal


@dataclass
class DocumentTaxes:
    currency: str
    lines: list[LineTaxes]
    rates: list[RateTotal]
    net_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    gross_total: Decimal = ZERO
    discount_total: Decimal = ZERO
    notes: list[str] = field(default_factory=list)


def quantum(currency: str) -> Decimal:
    """The currency's minor unit as a Decimal exponent: SAR -> 0.01, KWD -> 0.001."""
    return Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(currency, 2))


def money_round(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split `total` over `weights` in minor units by largest remainder; the parts sum to `total`.

    Ties go to the earlier line, so the result is deterministic.
    """
    if not weights:
        return []
    unit = quantum(currency)
    weight_sum = sum(weights, ZERO)
    if weight_sum == ZERO:
        parts = [ZERO] * len(weights)
        parts[0] = total
        return parts
    exact = [total * weight / weight_sum for weight in weights]
    parts = [value.quantize(unit, rounding=ROUND_FLOOR) for value in exact]
    left = int(((total - sum(parts, ZERO)) / unit).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    step = unit if left >= 0 else -unit
    for i in order[: abs(left)]:
        parts[i] += step
    return parts


def _line_amount(line: TaxLineInput, currency: str) -> tuple[Decimal, Decimal]:
    """(amount after discount, discount), each rounded to the minor unit."""
    raw = line.quantity * line.unit_price
    discount = money_round(raw * line.discount_percent / HUNDRED, currency)
    return money_round(raw, currency) - discount, discount


def compute_document_taxes(
    lines: Sequence[TaxLineInput],
    *,
    currency: str,
    prices_include_tax: bool = False,
    rounding: Rounding = "line",
    saudi_br_s_09: bool = False,
    document_discount_percent: Decimal = ZERO,
) -> DocumentTaxes:
    """Per-line net/VAT/gross, per-rate totals and document totals (see the module docstring).

    A document discount is taken on the sum of the lines after their own discounts, rounded
    once, and spread over the lines by largest remainder before tax, so each line's taxable
    amount already carries its share (as ZATCA and the ledger need it per line).
    """
    per_document = saudi_br_s_09 or rounding == "document"
    amounts = [_line_amount(line, currency) for line in lines]
    if document_discount_percent:
        amounts = _apply_document_discount(amounts, document_discount_percent, currency)
    groups: dict[object, list[int]] = {}
    for index, line in enumerate(lines):
        key = line.tax.group_key if line.tax is not None else None
        groups.setdefault(key, []).append(index)

    nets = [ZERO] * len(lines)
    taxes = [ZERO] * len(lines)
    rates: list[RateTotal] = []
    for indexes in groups.values():
        spec = lines[indexes[0]].tax
        rate = spec.effective_rate / HUNDRED if spec is not None else ZERO
        group_amounts = [amounts[i][0] for i in indexes]
        if per_document:
            group_nets, group_taxes = _group_document(group_amounts, rate, currency, prices_include_tax)
        else:
            group_nets, group_taxes = _group_per_line(group_amounts, rate, currency, prices_include_tax)
        for i, net, tax in zip(indexes, group_nets, group_taxes, strict=True):
            nets[i], taxes[i] = net, tax
        rates.append(RateTotal(tax=spec, taxable=sum(group_nets, ZERO), tax_amount=sum(group_taxes, ZERO)))

    result_lines = [
        LineTaxes(net=nets[i], tax=taxes[i], gross=nets[i] + taxes[i], discount=amounts[i][1])
        for i in range(len(lines))
    ]
    return DocumentTaxes(
        currency=currency,
        lines=result_lines,
        rates=rates,
        net_total=sum(nets, ZERO),
        tax_total=sum(taxes, ZERO),
        gross_total=sum(nets, ZERO) + sum(taxes, ZERO),
        discount_total=sum((a[1] for a in amounts), ZERO),
    )


def _apply_document_discount(
    amounts: list[tuple[Decimal, Decimal]], percent: Decimal, currency: str
) -> list[tuple[Decimal, Decimal]]:
    """Subtract the once-rounded document discount from the lines, in proportion to their amounts."""
    after_line_discounts = [amount for amount, _discount in amounts]
    total_discount = money_round(sum(after_line_discounts, ZERO) * percent / HUNDRED, currency)
    shares = allocate(total_discount, after_line_discounts, currency)
    return [(amount - share, discount + share) for (amount, discount), share in zip(amounts, shares, strict=True)]


def _group_document(
    amounts: list[Decimal], rate: Decimal, currency: str, inclusive: bool
) -> tuple[list[Decimal], list[Decimal]]:
    """One rounding of the rate's VAT, allocated back to the lines (BR-S-09)."""
    if inclusive:
        gross = sum(amounts, ZERO)
        net_total = _inclusive_net(gross, rate, currency)
        vat_total = money_round(net_total * rate, currency)
        nets = allocate(net_total, amounts, currency)
        return nets, allocate(vat_total, amounts, currency)
    vat_total = money_round(sum(amounts, ZERO) * rate, currency)
    return list(amounts), allocate(vat_total, amounts, currency)


def _inclusive_net(gross: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The net whose once-rounded VAT brings it closest to `gross` (exactly, whenever possible).

    net + round(net x rate) grows by one or two minor units per unit of net, so a few gross
    amounts cannot be hit exactly; then the document total differs from the quoted gross by one
    minor unit, and BR-S-09 (VAT = round(taxable x rate)) still holds.
    """
    unit = quantum(currency)
    start = money_round(gross / (1 + rate), currency)
    candidates = [start + unit * offset for offset in (0, -1, 1, -2, 2)]
    return min(candidates, key=lambda net: abs(net + money_round(net * rate, currency) - gross))


def _group_per_line(
    amounts: list[Decimal], rate: Decimal, currency: str, inclusive: bool
) -> tuple[list[Decimal], list[Decimal]]:
    """Each line rounded on its own; the rate totals are the sums of the lines."""
    if inclusive:
        nets = [money_round(amount / (1 + rate), currency) for amount in amounts]
        return nets, [amount - net for amount, net in zip(amounts, nets, strict=True)]
    return list(amounts), [money_round(amount * rate, currency) for amount in amounts]
