"""Who am I: the shop and role behind the presented key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from drafter.api.deps import get_identity
from drafter.api.errors import ERROR_RESPONSES
from drafter.api.schemas import MePublic
from drafter.core.models import Identity

router = APIRouter(prefix="/v1", tags=["access"], responses=ERROR_RESPONSES)


@router.get("/me", summary="The shop and role of your API key")
def me(identity: Annotated[Identity, Depends(get_identity)]) -> MePublic:
    return MePublic(shop=identity.shop, role=identity.role)
