"""Ledger endpoints under /api/v1/ledger/ (the reports add theirs to the same router)."""

from rest_framework.routers import SimpleRouter

from mizan.ledger import api

router = SimpleRouter()
api.register(router)

urlpatterns = [*router.urls]
