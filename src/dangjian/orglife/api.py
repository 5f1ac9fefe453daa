"""The organizational-life API (组织生活) (being written)."""

from ninja import Router

router = Router(tags=["组织生活"])
