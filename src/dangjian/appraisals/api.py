"""REST API of appraisals under /api/v1/appraisals (scaffold; filled in by its owner)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["评议测评"])
