"""FAQ script optimisation: open a campaign, answer, rate, see the ranking, promote the best answer into the FAQ."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from drafter.api.deps import Contributor, Editor, Reader, ServicesDep
from drafter.api.errors import ERROR_RESPONSES
from drafter.api.schemas import EntryPublic, ErrorBody, Wire
from drafter.core.campaigns import (
    AnswerCreate,
    Campaign,
    CampaignCreate,
    CampaignFilter,
    CampaignSummary,
    Promotion,
    RankedAnswer,
    RatingCreate,
)

router = APIRouter(prefix="/v1/knowledge/campaigns", tags=["knowledge"], responses=ERROR_RESPONSES)
CampaignId = Annotated[int, Path(ge=1, description="The campaign's id")]
AnswerId = Annotated[int, Path(ge=1, description="The answer's id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such campaign in your shop"}}
NOT_OPEN: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The campaign is already promoted or closed"}
}


class CampaignPromoted(Wire):
    campaign: Campaign
    entry: EntryPublic = Field(description="The FAQ version the promotion wrote")


@router.post("", status_code=201, summary="Open a campaign for a customer question (optionally for an existing FAQ)")
def open_campaign(body: CampaignCreate, identity: Editor, services: ServicesDep, response: Response) -> Campaign:
    campaign = services.campaigns.open(identity, body)
    response.headers["Location"] = f"/v1/knowledge/campaigns/{campaign.id}"
    return campaign


@router.get("", summary="Campaigns, newest first")
def list_campaigns(
    identity: Reader,
    services: ServicesDep,
    status: CampaignFilter = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[CampaignSummary]:
    return services.campaigns.listed(identity.shop, status=status, limit=limit, offset=offset)


@router.get("/{campaign_id}", summary="A campaign with its answers ranked, best first", responses=NOT_FOUND)
def get_campaign(campaign_id: CampaignId, identity: Reader, services: ServicesDep) -> Campaign:
    return services.campaigns.get(identity.shop, campaign_id)


@router.post(
    "/{campaign_id}/answers",
    status_code=201,
    summary="Submit an answer; it is scored by the automatic rubric",
    responses={**NOT_FOUND, **NOT_OPEN},
)
def add_answer(
    campaign_id: CampaignId, body: AnswerCreate, identity: Contributor, services: ServicesDep
) -> RankedAnswer:
    return services.campaigns.answer(identity, campaign_id, body)


@router.put(
    "/{campaign_id}/answers/{answer_id}/rating",
    summary="Rate an answer 1-5 (again to change your rating; not your own answer)",
    responses={404: {"model": ErrorBody, "description": "No such campaign or answer in your shop"}, **NOT_OPEN},
)
def rate_answer(
    campaign_id: CampaignId, answer_id: AnswerId, body: RatingCreate, identity: Reader, services: ServicesDep
) -> RankedAnswer:
    return services.campaigns.rate(identity, campaign_id, answer_id, body)


@router.post(
    "/{campaign_id}/promote",
    status_code=201,
    summary="Write an answer as the FAQ's next version (or a new FAQ) and end the campaign",
    responses={
        **NOT_FOUND,
        409: {
            "model": ErrorBody,
            "description": "The campaign is already promoted or closed, the FAQ changed meanwhile, "
            "or the new FAQ's id is taken",
        },
    },
)
def promote_answer(
    campaign_id: CampaignId, body: Promotion, identity: Editor, services: ServicesDep
) -> CampaignPromoted:
    campaign, version = services.campaigns.promote(identity, campaign_id, body)
    return CampaignPromoted(campaign=campaign, entry=EntryPublic.of(version))


@router.post(
    "/{campaign_id}/close", summary="End a campaign without promoting an answer", responses={**NOT_FOUND, **NOT_OPEN}
)
def close_campaign(campaign_id: CampaignId, identity: Editor, services: ServicesDep) -> Campaign:
    return services.campaigns.close(identity, campaign_id)
