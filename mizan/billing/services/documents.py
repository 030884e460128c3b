"""What quotes, invoices and recurring schedules share: cleaning their lines and freezing totals.

Lines arrive as mappings from a form, the API or another service (a quote becoming an invoice):
`product`, `description`, `quantity`, `unit`, `unit_price`, `discount_percent`, `tax`,
`income_account`. A product fills what the caller leaves out (its name, unit, price in the
document's currency, income account and default tax); `"tax": None` given explicitly means "no tax".
Every rule is checked before anything is written, so bad input changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from mizan.billing.models import BillingSettings, Tax
from mizan.billing.taxes import DocumentTaxes, TaxLineInput, TaxSpec, compute_document_taxes, quantum
from mizan.core.countries import CURRENCY_MINOR_UNITS
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.ledger.models import Account, AccountRole, AccountType
from mizan.sales.models import Product

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MAX_LINES = 200
#: Upper bounds that keep every amount (and amount x rate) inside the 20-digit money columns.
MAX_QUANTITY = Decimal("1000000000")
MAX_LINE_AMOUNT = Decimal("1000000000000")
LINE_FIELDS = frozenset(
    {"product", "description", "quantity", "unit", "unit_price", "discount_percent", "tax", "income_account"}
)


@dataclass(frozen=True)
class TrustedRefs:
    """Records a credit note takes from its invoice: reversing them is allowed even when they have
    since been deactivated or (for a tax) ended, because the credit must mirror what was invoiced."""

    taxes: frozenset[int] = frozenset()
    products: frozenset[int] = frozenset()
    accounts: frozenset[int] = frozenset()

    @classmethod
    def of_lines(cls, lines: Iterable[Any]) -> TrustedRefs:
        rows = list(lines)
        return cls(
            taxes=frozenset(line.tax_id for line in rows if line.tax_id),
            products=frozenset(line.product_id for line in rows if line.product_id),
            accounts=frozenset(line.income_account_id for line in rows),
        )


NOTHING_TRUSTED = TrustedRefs()


@dataclass
class CleanLine:
    """A validated line, ready for the tax arithmetic and to be written."""

    product: Product | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax: Tax | None
    income_account: Account

    def tax_input(self) -> TaxLineInput:
        spec = None
        if self.tax is not None:
            spec = TaxSpec(rate=self.tax.rate, kind=self.tax.kind, key=str(self.tax.pk))
        return TaxLineInput(
            quantity=self.quantity, unit_price=self.unit_price, tax=spec, discount_percent=self.discount_percent
        )


def line_error(number: int, message: str, code: str = "billing.line_invalid") -> DomainError:
    return DomainError(
        code,
        _("Line {number}: {message}").format(number=active_formatter().number(number), message=message),
        field="lines",
    )


def clean_decimal(value: Any, *, number: int, label: str) -> Decimal:
    """A Decimal from form or API input; floats are refused so money never passes through binary."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, str) and value.strip():
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            result = Decimal("NaN")
    else:
        result = Decimal("NaN")
    if not result.is_finite():
        raise line_error(number, _("enter the {field} as a decimal number.").format(field=label))
    return result


def default_income_account(org: Any) -> Account:
    account = Account.objects.filter(organization=org, role=AccountRole.REVENUE, is_active=True).first()
    if account is None:
        raise DomainError(
            "billing.no_income_account",
            _("Give the role “Revenue from services” to an active income account first."),
            field="lines",
        )
    return account


def _owned(value: Any, model: type[models.Model], org: Any, number: int, label: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, model):
        instance = value
    else:
        try:
            instance = model.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            instance = None
    if instance is None or instance.organization_id != org.pk:
        raise line_error(number, _("{field} not found.").format(field=label), code="not_found")
    return instance


def _clean_line(
    org: Any,
    raw: Mapping[str, Any],
    number: int,
    *,
    currency: str,
    day: datetime.date,
    fallback_account: Any,
    trusted: TrustedRefs,
) -> CleanLine:
    from mizan.sales.selectors.catalog import product_price

    unknown = set(raw) - LINE_FIELDS
    if unknown:
        raise line_error(number, _("unknown fields: {fields}.").format(fields=", ".join(sorted(unknown))))
    product = _owned(raw.get("product"), Product, org, number, _("Product"))
    if product is not None and not product.is_active and product.pk not in trusted.products:
        raise line_error(number, _("the product {product} is inactive.").format(product=str(product)))
    description = str(raw.get("description") or "").strip()[:500]
    if not description and product is not None:
        description = product.display_name()
    if not description:
        raise line_error(number, _("enter a description."))
    quantity = clean_decimal(raw.get("quantity", "1"), number=number, label=_("quantity"))
    if quantity <= 0:
        raise line_error(number, _("the quantity must be greater than zero."), code="billing.quantity_invalid")
    if quantity >= MAX_QUANTITY:
        raise line_error(number, _("the quantity is too large."), code="billing.quantity_invalid")
    if quantity != quantity.quantize(Decimal("0.001")):
        raise line_error(number, _("the quantity has at most three decimal places."))
    raw_price = raw.get("unit_price")
    if (raw_price is None or raw_price == "") and product is not None:
        unit_price = product_price(org=org, product=product, currency=currency)
    else:
        unit_price = clean_decimal(raw_price, number=number, label=_("unit price"))
    if unit_price < 0:
        raise line_error(number, _("the unit price cannot be negative."), code="billing.price_invalid")
    if unit_price * quantity >= MAX_LINE_AMOUNT:
        raise line_error(number, _("the amount of the line is too large."), code="billing.amount_too_large")
    if unit_price != unit_price.quantize(Decimal("0.001")):
        raise line_error(number, _("the unit price has at most three decimal places."))
    discount = clean_decimal(raw.get("discount_percent") or "0", number=number, label=_("discount"))
    if not ZERO <= discount <= HUNDRED:
        raise line_error(number, _("the discount is a percentage between 0 and 100."))
    if "tax" in raw:
        tax = _owned(raw.get("tax"), Tax, org, number, _("Tax"))
    else:
        tax = product.default_tax if product is not None else None
    if tax is not None and tax.pk not in trusted.taxes:
        if not tax.is_active:
            raise line_error(number, _("the tax {tax} is inactive.").format(tax=str(tax)))
        if not tax.is_valid_on(day):
            raise line_error(number, _("the tax {tax} does not apply on this date.").format(tax=str(tax)))
    account = _owned(raw.get("income_account"), Account, org, number, _("Income account"))
    if account is None:
        account = product.income_account if product is not None else fallback_account()
    if account.type != AccountType.INCOME or not (account.is_active or account.pk in trusted.accounts):
        raise line_error(number, _("choose an active income account."))
    unit = str(raw.get("unit") or (product.unit if product is not None else "")).strip()[:10]
    return CleanLine(
        product=product,
        description=description,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        discount_percent=discount,
        tax=tax,
        income_account=account,
    )


def clean_lines(
    *,
    org: Any,
    lines: Iterable[Mapping[str, Any]],
    currency: str,
    day: datetime.date,
    trusted: TrustedRefs = NOTHING_TRUSTED,
) -> list[CleanLine]:
    """Validate every line (all or nothing); at least one line."""
    raw_lines = list(lines)
    if not raw_lines:
        raise DomainError("billing.no_lines", _("Add at least one line."), field="lines")
    if len(raw_lines) > MAX_LINES:
        raise DomainError(
            "billing.too_many_lines",
            _("A document has at most {count} lines.").format(count=active_formatter().number(MAX_LINES)),
            field="lines",
        )
    cache: list[Account] = []

    def fallback_account() -> Account:
        if not cache:
            cache.append(default_income_account(org))
        return cache[0]

    cleaned = []
    for number, raw in enumerate(raw_lines, start=1):
        if not isinstance(raw, Mapping):
            raise line_error(number, _("the line is not valid."))
        cleaned.append(
            _clean_line(
                org, raw, number, currency=currency, day=day, fallback_account=fallback_account, trusted=trusted
            )
        )
    return cleaned


def clean_currency(currency: Any) -> str:
    if currency not in CURRENCY_MINOR_UNITS:
        raise DomainError("billing.currency_unknown", _("Choose a known currency."), field="currency")
    return str(currency)


def clean_percent(value: Any, *, field: str) -> Decimal:
    try:
        percent = Decimal(str(value if value not in (None, "") else "0").strip())
    except InvalidOperation:
        percent = Decimal("NaN")
    if isinstance(value, float) or not percent.is_finite() or not ZERO <= percent <= HUNDRED:
        raise DomainError("billing.percent_invalid", _("Enter a percentage between 0 and 100."), field=field)
    return percent


def compute_totals(
    *,
    org: Any,
    lines: Sequence[CleanLine],
    currency: str,
    prices_include_tax: bool,
    discount_percent: Decimal,
    settings_row: BillingSettings | None = None,
) -> DocumentTaxes:
    """The organization's rounding; Saudi organizations always keep BR-S-09 (ADR 0004).

    `settings_row`: the organization's BillingSettings when the caller has read them already.
    """
    if settings_row is None or settings_row.organization_id != org.pk:
        settings_row = BillingSettings.objects.filter(organization=org).first()
    rounding = settings_row.rounding if settings_row is not None else BillingSettings.Rounding.LINE
    return compute_document_taxes(
        [line.tax_input() for line in lines],
        currency=currency,
        prices_include_tax=prices_include_tax,
        rounding=rounding,
        saudi_br_s_09=org.country == "SA",
        document_discount_percent=discount_percent,
    )


def apply_totals(document: Any, totals: DocumentTaxes) -> None:
    """Copy the frozen totals onto a document header (not saved)."""
    document.net_total = totals.net_total
    document.discount_total = totals.discount_total
    document.tax_total = totals.tax_total
    document.total = totals.gross_total


def write_lines(
    *,
    line_model: type[models.Model],
    parent_field: str,
    parent: Any,
    lines: Sequence[CleanLine],
    totals: DocumentTaxes,
    replace: bool = True,
) -> list[Any]:
    """Replace the document's lines with `lines` and their computed amounts (one delete, one insert).

    `replace=False` for a document just inserted (it has no lines yet): the insert only.
    """
    if replace:
        line_model.objects.filter(**{parent_field: parent}).delete()
    rows = [
        line_model(
            **{parent_field: parent},
            position=position,
            product=line.product,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax=line.tax,
            income_account=line.income_account,
            net_amount=amounts.net,
            discount_amount=amounts.discount,
            tax_amount=amounts.tax,
            gross_amount=amounts.gross,
        )
        for position, (line, amounts) in enumerate(zip(lines, totals.lines, strict=True), start=1)
    ]
    return line_model.objects.bulk_create(rows)


def lines_as_input(lines: Iterable[Any]) -> list[dict[str, Any]]:
    """Existing lines (of a quote, schedule or invoice) as input mappings for another document."""
    return [
        {
            "product": line.product,
            "description": line.description,
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax": line.tax,
            "income_account": line.income_account,
        }
        for line in lines
    ]


def lines_summary(lines: Iterable[CleanLine]) -> str:
    """A short text of the lines for the audit trail."""
    return "; ".join(f"{line.description[:40]} {line.quantity} x {line.unit_price}" for line in lines)[:2000]


def minor_unit(currency: str) -> Decimal:
    return quantum(currency)


def check_party(org: Any, values: Mapping[str, Any], *, related: Iterable[str]) -> None:
    """The client is required and ours; `related` records (contact, deal, ...) are ours and match it."""
    from mizan.ledger.services.common import require_same_org

    company = values.get("company")
    if company is None:
        raise DomainError("billing.client_required", _("Choose the client."), field="company")
    require_same_org(company, org, field="company")
    for name in related:
        require_same_org(values.get(name), org, field=name)
    contact = values.get("contact")
    if contact is not None and contact.company_id not in (None, company.pk):
        raise DomainError("billing.contact_company", _("The contact does not work at this client."), field="contact")
    deal = values.get("deal")
    if deal is not None and deal.company_id not in (None, company.pk):
        raise DomainError("billing.deal_company", _("This deal is with another client."), field="deal")


def apply_document_defaults(values: dict[str, Any], settings_row: BillingSettings, *, default_terms: bool) -> None:
    """Tax-inclusive prices, the client's document language and the default terms where not given."""
    from mizan.billing.models import DocumentLanguage

    if values.get("prices_include_tax") is None:
        values["prices_include_tax"] = settings_row.prices_include_tax
    values["language"] = values.get("language") or values["company"].language or settings_row.document_language
    if values["language"] not in DocumentLanguage.values:
        raise DomainError("billing.language_invalid", _("Choose the language of the document."), field="language")
    if values.get("terms") is None:
        values["terms"] = settings_row.default_terms if default_terms else ""
    for name in ("notes", "terms"):
        values[name] = str(values.get(name) or "").strip()


def price_lines(
    *,
    org: Any,
    values: Mapping[str, Any],
    lines: Iterable[Mapping[str, Any]],
    day: datetime.date,
    trusted: TrustedRefs = NOTHING_TRUSTED,
    settings_row: BillingSettings | None = None,
) -> tuple[list[CleanLine], DocumentTaxes]:
    """Clean the lines and compute the totals with the header's currency, prices and discount."""
    cleaned = clean_lines(org=org, lines=lines, currency=values["currency"], day=day, trusted=trusted)
    totals = compute_totals(
        org=org,
        lines=cleaned,
        currency=values["currency"],
        prices_include_tax=values["prices_include_tax"],
        discount_percent=values["discount_percent"],
        settings_row=settings_row,
    )
    return cleaned, totals


#: What `write_lines` stores on a line, compared by `lines_match` (ids for the related records).
_STORED_LINE_FIELDS = ("product_id", "description", "quantity", "unit", "unit_price", "discount_percent", "tax_id")
_STORED_AMOUNT_FIELDS = (
    ("net_amount", "net"),
    ("discount_amount", "discount"),
    ("tax_amount", "tax"),
    ("gross_amount", "gross"),
)


def lines_match(stored: Sequence[Any], lines: Sequence[CleanLine], totals: DocumentTaxes) -> bool:
    """Whether the stored lines (in position order) already hold exactly what `write_lines` would
    write for `lines` and `totals`: then rewriting them would change nothing."""
    if len(stored) != len(lines) or len(lines) != len(totals.lines):
        return False
    for position, (row, line, amounts) in enumerate(zip(stored, lines, totals.lines, strict=True), start=1):
        wanted = {
            "product_id": line.product.pk if line.product is not None else None,
            "description": line.description,
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax_id": line.tax.pk if line.tax is not None else None,
        }
        if row.position != position or row.income_account_id != line.income_account.pk:
            return False
        if any(getattr(row, name) != wanted[name] for name in _STORED_LINE_FIELDS):
            return False
        if any(getattr(row, name) != getattr(amounts, part) for name, part in _STORED_AMOUNT_FIELDS):
            return False
    return True
