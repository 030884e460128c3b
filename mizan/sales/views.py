"""Catalog pages: products and services with their prices, and price lists."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.exports import Amount, Column, list_export_response
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import org_view, run_action, submit_form
from mizan.sales.forms import PriceListForm, PriceListItemForm, ProductForm
from mizan.sales.models import PriceList, Product
from mizan.sales.selectors.catalog import (
    price_list_items,
    price_list_list,
    product_export_rows,
    product_list,
    product_price_currencies,
)
from mizan.sales.services.catalog import (
    price_list_create,
    price_list_item_set,
    price_list_update,
    product_create,
    product_set_active,
    product_update,
)

#: The export's columns before the prices (one column per currency the listed products are priced in).
PRODUCT_EXPORT_COLUMNS: list[Column] = [
    ("code", gettext_lazy("Code")),
    ("name_ar", gettext_lazy("Name in Arabic")),
    ("name_en", gettext_lazy("Name in English")),
    ("kind", gettext_lazy("Kind")),
    ("unit", gettext_lazy("Unit")),
    ("description", gettext_lazy("Description")),
    ("income_account", gettext_lazy("Income account")),
    ("default_tax", gettext_lazy("Default tax")),
    ("is_active", gettext_lazy("Active")),
]


@org_view(capability=Capability.BILLING_VIEW)
def product_list_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    products = product_list(org=request.org, query=query)
    if "export" in request.GET:
        currencies = product_price_currencies(products=products)
        price_columns: list[Column] = [
            (f"price_{currency}", _("Price in {currency}").format(currency=currency), Amount(currency=currency))
            for currency in currencies
        ]
        return list_export_response(
            request,
            filename="products",
            columns=PRODUCT_EXPORT_COLUMNS + price_columns,
            rows=product_export_rows(products=products, currencies=currencies),
            sheet_title=_("Products and services"),
        )
    context = {
        "products": products,
        "query": query,
        "export_query": urlencode({"q": query}) if query else "",
        "can_manage": has_capability(request.membership, Capability.SALES_MANAGE_CATALOG),
    }
    return render(request, "sales/products/list.html", context)


@org_view(capability=Capability.SALES_MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def product_create_view(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None, org=request.org)
    done = submit_form(
        request,
        form,
        save=lambda: product_create(
            org=request.org,
            actor_membership=request.membership,
            data=form.product_data(),
            prices={currency: price for currency, price in form.prices().items() if price is not None},
        ),
        success=lambda product: _("{product} was added to the catalog.").format(product=product.display_name()),
        then=lambda _product: redirect("sales:product_list"),
    )
    if done is not None:
        return done
    return render(request, "sales/products/form.html", {"form": form, "product": None})


@org_view(capability=Capability.SALES_MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def product_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = access_or_404(Product, org=request.org, pk=pk)
    form = ProductForm(request.POST or None, org=request.org, instance=product)
    done = submit_form(
        request,
        form,
        save=lambda: product_update(
            org=request.org,
            actor_membership=request.membership,
            product=product,
            data=form.product_data(),
            prices=form.prices(),
        ),
        success=_("The product was saved."),
        then=lambda _product: redirect("sales:product_list"),
    )
    if done is not None:
        return done
    context = {"form": form, "product": product, "audit_entries": audit_entries_for(org=request.org, instance=product)}
    return render(request, "sales/products/form.html", context)


@org_view(capability=Capability.SALES_MANAGE_CATALOG)
@require_POST
def product_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = access_or_404(Product, org=request.org, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    run_action(
        request,
        lambda: product_set_active(
            org=request.org, actor_membership=request.membership, product=product, is_active=is_active
        ),
        success=_("The product was reactivated.") if is_active else _("The product was deactivated."),
    )
    return redirect("sales:product_list")


@org_view(capability=Capability.BILLING_VIEW)
def price_list_list_view(request: HttpRequest) -> HttpResponse:
    context = {
        "price_lists": price_list_list(org=request.org),
        "can_manage": has_capability(request.membership, Capability.SALES_MANAGE_CATALOG),
    }
    return render(request, "sales/price_lists/list.html", context)


@org_view(capability=Capability.SALES_MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def price_list_create_view(request: HttpRequest) -> HttpResponse:
    form = PriceListForm(request.POST or None)
    done = submit_form(
        request,
        form,
        save=lambda: price_list_create(org=request.org, actor_membership=request.membership, data=form.cleaned_data),
        success=_("The price list was added."),
        then=lambda price_list: redirect("sales:price_list_edit", pk=price_list.pk),
    )
    if done is not None:
        return done
    return render(request, "sales/price_lists/form.html", {"form": form, "price_list": None})


@org_view(capability=Capability.SALES_MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def price_list_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = access_or_404(PriceList, org=request.org, pk=pk)
    form = PriceListForm(request.POST or None, instance=price_list)
    done = submit_form(
        request,
        form,
        save=lambda: price_list_update(
            org=request.org, actor_membership=request.membership, price_list=price_list, data=form.cleaned_data
        ),
        success=_("The price list was saved."),
        then=lambda _list: redirect("sales:price_list_edit", pk=price_list.pk),
    )
    if done is not None:
        return done
    return _price_list_page(request, price_list, form, PriceListItemForm(org=request.org))


def _price_list_page(
    request: HttpRequest, price_list: PriceList, form: PriceListForm, item_form: PriceListItemForm
) -> HttpResponse:
    context = {
        "form": form,
        "item_form": item_form,
        "price_list": price_list,
        "items": price_list_items(price_list=price_list),
        "audit_entries": audit_entries_for(org=request.org, instance=price_list),
    }
    return render(request, "sales/price_lists/form.html", context)


@org_view(capability=Capability.SALES_MANAGE_CATALOG)
@require_POST
def price_list_item_set_view(request: HttpRequest, pk: int) -> HttpResponse:
    price_list = access_or_404(PriceList, org=request.org, pk=pk)
    item_form = PriceListItemForm(request.POST, org=request.org)
    done = submit_form(
        request,
        item_form,
        save=lambda: price_list_item_set(
            org=request.org,
            actor_membership=request.membership,
            price_list=price_list,
            product=item_form.cleaned_data["product"],
            unit_price=item_form.cleaned_data["unit_price"],
        ),
        success=_("The price list was updated."),
        then=lambda _item: redirect("sales:price_list_edit", pk=price_list.pk),
    )
    if done is not None:
        return done
    return _price_list_page(request, price_list, PriceListForm(instance=price_list), item_form)
