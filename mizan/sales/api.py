"""/api/v1/sales/: products and services with their prices, and price lists. Thin: same services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.billing.models import Tax
from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.roles import Capability
from mizan.ledger.models import Account
from mizan.sales.models import PriceList, PriceListItem, Product, ProductKind, ProductPrice, ProductUnit
from mizan.sales.selectors.catalog import price_list_items, price_list_list, product_list
from mizan.sales.services.catalog import (
    price_list_create,
    price_list_item_set,
    price_list_update,
    product_create,
    product_set_active,
    product_update,
)

_VIEW = Capability.BILLING_VIEW
_MANAGE = Capability.SALES_MANAGE_CATALOG


class ProductPriceSerializer(serializers.ModelSerializer):
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    unit_price = serializers.DecimalField(max_digits=20, decimal_places=3, min_value=0)

    class Meta:
        model = ProductPrice
        fields = ["currency", "unit_price"]


class ProductOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    income_account_id = serializers.IntegerField(read_only=True)
    default_tax_id = serializers.IntegerField(read_only=True, allow_null=True)
    prices = ProductPriceSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "kind",
            "code",
            "display_name",
            "name_ar",
            "name_en",
            "description",
            "unit",
            "income_account_id",
            "default_tax_id",
            "is_active",
            "prices",
        ]
        read_only_fields = fields


class ProductInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProductKind.choices, required=False)
    code = serializers.CharField(max_length=40)
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.ChoiceField(choices=ProductUnit.choices, required=False)
    income_account_id = serializers.IntegerField(required=False, allow_null=True)
    default_tax_id = serializers.IntegerField(required=False, allow_null=True)
    prices = ProductPriceSerializer(many=True, required=False, help_text="Default unit price per currency.")


def _product_arguments(org: Any, validated: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = dict(validated)
    prices = {row["currency"]: row["unit_price"] for row in data.pop("prices", [])}
    if "income_account_id" in data:
        pk = data.pop("income_account_id")
        data["income_account"] = None if pk is None else access_or_404(Account, org=org, pk=pk)
    if "default_tax_id" in data:
        pk = data.pop("default_tax_id")
        data["default_tax"] = None if pk is None else access_or_404(Tax, org=org, pk=pk)
    return data, prices


@extend_schema_view(
    list=extend_schema(responses={200: ProductOutputSerializer(many=True)}),
    retrieve=extend_schema(responses={200: ProductOutputSerializer, **error_responses(401, 403, 404)}),
)
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = ProductOutputSerializer
    queryset = Product.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[Product]:
        return product_list(org=self.org)

    def _detail(self, product: Product, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ProductOutputSerializer(product_list(org=self.org).get(pk=product.pk)).data, status=status_code)

    @extend_schema(
        request=ProductInputSerializer, responses={201: ProductOutputSerializer, **error_responses(400, 403)}
    )
    def create(self, request: Request) -> Response:
        serializer = ProductInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, prices = _product_arguments(self.org, serializer.validated_data)
        product = product_create(org=self.org, actor_membership=self.membership, data=data, prices=prices)
        return self._detail(product, status.HTTP_201_CREATED)

    @extend_schema(
        request=ProductInputSerializer(partial=True),
        responses={200: ProductOutputSerializer, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        product = self.get_object()
        serializer = ProductInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data, prices = _product_arguments(self.org, serializer.validated_data)
        product = product_update(
            org=self.org, actor_membership=self.membership, product=product, data=data, prices=prices
        )
        return self._detail(product)

    @extend_schema(request=None, responses={200: ProductOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        product = product_set_active(
            org=self.org, actor_membership=self.membership, product=self.get_object(), is_active=False
        )
        return self._detail(product)

    @extend_schema(request=None, responses={200: ProductOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        product = product_set_active(
            org=self.org, actor_membership=self.membership, product=self.get_object(), is_active=True
        )
        return self._detail(product)


class PriceListOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = PriceList
        fields = ["id", "display_name", "name_ar", "name_en", "currency", "is_default"]
        read_only_fields = fields


class PriceListInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    is_default = serializers.BooleanField(required=False)


class PriceListItemOutputSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["product_id", "product_code", "unit_price"]
        read_only_fields = fields


class PriceListItemInputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    unit_price = serializers.DecimalField(
        max_digits=20, decimal_places=3, min_value=0, allow_null=True, help_text="null removes the product's price."
    )


@extend_schema_view(
    list=extend_schema(responses={200: PriceListOutputSerializer(many=True)}),
    retrieve=extend_schema(responses={200: PriceListOutputSerializer, **error_responses(401, 403, 404)}),
)
class PriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = PriceListOutputSerializer
    queryset = PriceList.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW, "items": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[PriceList]:
        return price_list_list(org=self.org)

    @extend_schema(
        request=PriceListInputSerializer, responses={201: PriceListOutputSerializer, **error_responses(400, 403)}
    )
    def create(self, request: Request) -> Response:
        serializer = PriceListInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        price_list = price_list_create(org=self.org, actor_membership=self.membership, data=serializer.validated_data)
        return Response(PriceListOutputSerializer(price_list).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PriceListInputSerializer(partial=True),
        responses={200: PriceListOutputSerializer, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        price_list = self.get_object()
        serializer = PriceListInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        price_list = price_list_update(
            org=self.org, actor_membership=self.membership, price_list=price_list, data=serializer.validated_data
        )
        return Response(PriceListOutputSerializer(price_list).data)

    @extend_schema(
        methods=["get"], request=None, responses={200: PriceListItemOutputSerializer(many=True), **error_responses(404)}
    )
    @extend_schema(
        methods=["post"],
        request=PriceListItemInputSerializer,
        responses={200: PriceListItemOutputSerializer(many=True), **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["get", "post"])
    def items(self, request: Request, pk: str) -> Response:
        """GET: the list's prices. POST: set (or with null remove) one product's price."""
        price_list = self.get_object()
        if request.method == "POST":
            serializer = PriceListItemInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            product = access_or_404(Product, org=self.org, pk=serializer.validated_data["product_id"])
            price_list_item_set(
                org=self.org,
                actor_membership=self.membership,
                price_list=price_list,
                product=product,
                unit_price=serializer.validated_data["unit_price"],
            )
        return Response(PriceListItemOutputSerializer(price_list_items(price_list=price_list), many=True).data)


def register(router: SimpleRouter) -> None:
    router.register("products", ProductViewSet, basename="sales-product")
    router.register("price-lists", PriceListViewSet, basename="sales-price-list")
