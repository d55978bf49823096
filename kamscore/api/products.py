"""``/api/v1/products``: products with their lifecycle phase per period."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from kamscore.api.blueprint import QueryPager
from kamscore.api.resources import found, resource_blueprint
from kamscore.api.schemas.periods import ProductQuery, ProductSchema
from kamscore.auth.access import requires
from kamscore.db.session import get_session
from kamscore.directory.queries import PRODUCT_OPTIONS, get_by_code, select_products
from kamscore.models import Product

blp = resource_blueprint("products", "products", "Products and their lifecycle phases.")


@blp.route("")
class ProductList(MethodView):
    decorators = [requires("directory.read")]

    @blp.arguments(ProductQuery, location="query")
    @blp.response(200, ProductSchema(many=True))
    @blp.refusals(401)
    @blp.paginate(QueryPager)
    def get(self, filters: dict[str, Any]) -> Any:
        """List products, with the phase each is in per period."""
        return select_products(**filters)


@blp.route("/<code>")
class ProductDetail(MethodView):
    decorators = [requires("directory.read")]

    @blp.response(200, ProductSchema)
    @blp.refusals(401, 404)
    def get(self, code: str) -> Any:
        """One product by code."""
        product = get_by_code(get_session(), Product, code, *PRODUCT_OPTIONS)
        return found(product, "product", code)
