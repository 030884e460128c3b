from mizan.sales.models.catalog import PriceList, PriceListItem, Product, ProductKind, ProductPrice, ProductUnit

__all__ = ["PriceList", "PriceListItem", "Product", "ProductKind", "ProductPrice", "ProductUnit"]
