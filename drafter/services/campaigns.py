"""FAQ script optimisation: open a campaign, collect and rate answers, promote the best into the FAQ.

Ranking: answers with ratings come first, by the Bayesian mean of their ratings,
`(PRIOR_WEIGHT * PRIOR_MEAN + sum(ratings)) / (PRIOR_WEIGHT + len(ratings))` with a prior of 3.0 (the middle of
the 1-5 scale) worth 2 ratings: one 5 scores 3.67, ten 4.8s score 4.5, so a single enthusiastic rater does not
beat a consistent crowd. Ties go to the higher rubric score, then to the earlier answer. Unrated answers follow,
by rubric score, then the earliest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from statistics import fmean
from typing import cast

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from drafter.analysis import ConversationAnalyzer
from drafter.core.campaigns import (
    AnswerCreate,
    Campaign,
    CampaignCreate,
    CampaignFilter,
    CampaignStatus,
    CampaignSummary,
    Promotion,
    RankedAnswer,
    RatingCreate,
    Rubric,
)
from drafter.core.drafts import Channel
from drafter.core.errors import Conflict, InvalidInput, NotFound
from drafter.core.models import EntryContent, EntryKind, EntryVersion, Identity, Language
from drafter.guardrails import Guardrails
from drafter.services.knowledge import KnowledgeService
from drafter.services.planner import Planner
from drafter.services.rubric import RubricScorer
from drafter.storage import CampaignRepository, Database, KnowledgeRepository, ShopRepository
from drafter.storage.tables import CampaignAnswerRow, CampaignRow

log = logging.getLogger(__name__)

PRIOR_MEAN = 3.0
PRIOR_WEIGHT = 2


def bayesian_mean(ratings: Sequence[int]) -> float | None:
    """The ratings' mean pulled towards PRIOR_MEAN as if PRIOR_WEIGHT more raters had given it; None if unrated."""
    if not ratings:
        return None
    return (PRIOR_WEIGHT * PRIOR_MEAN + sum(ratings)) / (PRIOR_WEIGHT + len(ratings))


def rank(answers: Sequence[CampaignAnswerRow], ratings: dict[int, list[int]]) -> list[RankedAnswer]:
    """The answers, best first (see the module docstring)."""
    scored = [(row, bayesian_mean(ratings.get(row.id, [])), _rubric(row)) for row in answers]
    scored.sort(key=lambda s: (s[1] is None, -(s[1] or 0.0), -s[2].score, s[0].created_at, s[0].id))
    return [
        RankedAnswer(
            id=row.id,
            rank=position,
            author=row.author,
            text=row.text,
            created_at=row.created_at,
            ratings=len(ratings.get(row.id, [])),
            mean_rating=round(fmean(ratings[row.id]), 2) if ratings.get(row.id) else None,
            score=None if score is None else round(score, 4),
            rubric=rubric,
        )
        for position, (row, score, rubric) in enumerate(scored, start=1)
    ]


def _rubric(row: CampaignAnswerRow) -> Rubric:
    return Rubric.model_validate(row.rubric) if row.rubric else Rubric(score=0.0, blocked=False, checks=[])


def _summary(row: CampaignRow, answer_count: int) -> CampaignSummary:
    return CampaignSummary(
        id=row.id,
        question=row.question,
        language=cast(Language, row.language),
        entry_id=row.entry_slug,
        channel=Channel(row.channel),
        status=cast(CampaignStatus, row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        closed_at=row.closed_at,
        promoted_answer_id=row.promoted_answer_id,
        promoted_version=row.promoted_version,
        answer_count=answer_count,
    )


class CampaignService:
    def __init__(
        self,
        *,
        db: Database,
        knowledge: KnowledgeService,
        guardrails: Guardrails,
        analyzer: ConversationAnalyzer,
        planner: Planner,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._knowledge = knowledge
        self._rubric = RubricScorer(guardrails=guardrails, analyzer=analyzer, planner=planner)
        self._clock = clock

    def open(self, identity: Identity, body: CampaignCreate) -> Campaign:
        """Open a campaign; its FAQ, when named, must exist, be a faq and be in the campaign's language."""
        if body.entry_id is not None:
            self._check_faq(identity.shop, body.entry_id, body.language)
        with self._db.transaction() as session:
            row = CampaignRepository(session).add(
                CampaignRow(
                    shop_id=identity.shop,
                    question=body.question,
                    language=body.language,
                    entry_slug=body.entry_id,
                    channel=body.channel.value,
                    status="open",
                    created_by=identity.name,
                    created_at=self._clock(),
                )
            )
            campaign_id = row.id
        log.info("campaign opened", extra={"shop": identity.shop, "campaign": campaign_id})
        return self.get(identity.shop, campaign_id)

    def listed(
        self, shop: str, *, status: CampaignFilter = "open", limit: int = 50, offset: int = 0
    ) -> list[CampaignSummary]:
        with self._db.transaction() as session:
            rows = CampaignRepository(session).listed(
                shop, status=None if status == "all" else status, limit=limit, offset=offset
            )
            return [_summary(row, count) for row, count in rows]

    def get(self, shop: str, campaign_id: int) -> Campaign:
        """The campaign with its answers ranked."""
        with self._db.transaction() as session:
            repo = CampaignRepository(session)
            row = repo.get(shop, campaign_id)
            if row is None:
                raise NotFound(f"no campaign {campaign_id} in shop {shop!r}")
            answers = rank(repo.answers(shop, campaign_id), repo.ratings(shop, campaign_id))
            summary = _summary(row, len(answers))
        return Campaign(**summary.model_dump(), answers=answers)

    def answer(self, identity: Identity, campaign_id: int, body: AnswerCreate) -> RankedAnswer:
        """Add an answer to an open campaign, scored by the rubric as it arrives."""
        now = self._clock()
        with self._db.transaction() as session:
            repo = CampaignRepository(session)
            row = self._open_row(repo, identity.shop, campaign_id)
            profile = ShopRepository(session).profile(identity.shop)
            language = cast(Language, row.language)
            context = self._rubric.context(row.question, Channel(row.channel), language, profile, now)
            rubric = self._rubric.score(body.text, context)
            answer = repo.add_answer(
                CampaignAnswerRow(
                    campaign_id=campaign_id,
                    shop_id=identity.shop,
                    author=identity.name,
                    text=body.text,
                    rubric=rubric.model_dump(mode="json"),
                    created_at=now,
                )
            )
            answer_id = answer.id
        log.info("campaign answer", extra={"shop": identity.shop, "campaign": campaign_id, "answer": answer_id})
        return self._ranked(identity.shop, campaign_id, answer_id)

    def rate(self, identity: Identity, campaign_id: int, answer_id: int, body: RatingCreate) -> RankedAnswer:
        """Rate an answer of an open campaign; rating it again replaces the rater's earlier rating."""
        try:
            with self._db.transaction() as session:
                repo = CampaignRepository(session)
                self._open_row(repo, identity.shop, campaign_id)
                answer = repo.answer(identity.shop, campaign_id, answer_id)
                if answer is None:
                    raise NotFound(f"no answer {answer_id} in campaign {campaign_id}")
                if answer.author == identity.name:
                    raise InvalidInput("you cannot rate your own answer", field="rating")
                repo.rate(identity.shop, answer_id, rater=identity.name, rating=body.rating, at=self._clock())
        except IntegrityError as exc:  # the same rater's first rating, twice at once
            raise Conflict(f"answer {answer_id} was rated by you concurrently; try again") from exc
        return self._ranked(identity.shop, campaign_id, answer_id)

    def promote(self, identity: Identity, campaign_id: int, body: Promotion) -> tuple[Campaign, EntryVersion]:
        """Write the answer as the FAQ's next version (or a new FAQ) and mark the campaign promoted, together."""
        shop = identity.shop
        campaign = self.get(shop, campaign_id)
        if campaign.status != "open":
            raise Conflict(f"campaign {campaign_id} is {campaign.status}")
        answer = next((a for a in campaign.answers if a.id == body.answer_id), None)
        if answer is None:
            raise InvalidInput(f"campaign {campaign_id} has no answer {body.answer_id}", field="answer_id")
        if answer.rubric.blocked:  # it would become a source for every draft on this question
            failed = ", ".join(c.name for c in answer.rubric.checks if not c.passed)
            raise InvalidInput(f"answer {answer.id} fails blocking checks ({failed})", field="answer_id")
        slug = self._target(campaign, body)
        mark = self._marker(shop, campaign_id, answer.id, slug)
        if campaign.entry_id is None:
            content = self._new_faq(identity, campaign, answer.text, slug, body.title)
            version = self._knowledge.create(shop, content, also=mark)
        else:
            version = self._rewrite(identity, slug, answer.text, mark)
        log.info("campaign promoted", extra={"shop": shop, "campaign": campaign_id, "version": version.version})
        return self.get(shop, campaign_id), version

    def close(self, identity: Identity, campaign_id: int) -> Campaign:
        """End an open campaign without promoting an answer."""
        with self._db.transaction() as session:
            repo = CampaignRepository(session)
            self._open_row(repo, identity.shop, campaign_id)
            repo.finish(identity.shop, campaign_id, status="closed", at=self._clock())
        return self.get(identity.shop, campaign_id)

    def _check_faq(self, shop: str, entry_id: str, language: str) -> None:
        try:
            head = self._knowledge.get(shop, entry_id)
        except NotFound as exc:
            raise InvalidInput(f"no entry {entry_id!r} in your shop", field="entry_id") from exc
        content = head.latest.content
        if content.kind is not EntryKind.FAQ:
            raise InvalidInput(f"entry {entry_id!r} is a {content.kind.value}, not a faq", field="entry_id")
        if content.language != language:
            raise InvalidInput(f"entry {entry_id!r} is in {content.language}, not {language}", field="language")

    @staticmethod
    def _open_row(repo: CampaignRepository, shop: str, campaign_id: int) -> CampaignRow:
        row = repo.get(shop, campaign_id, for_update=True)
        if row is None:
            raise NotFound(f"no campaign {campaign_id} in shop {shop!r}")
        if row.status != "open":
            raise Conflict(f"campaign {campaign_id} is {row.status}")
        return row

    def _ranked(self, shop: str, campaign_id: int, answer_id: int) -> RankedAnswer:
        return next(a for a in self.get(shop, campaign_id).answers if a.id == answer_id)

    @staticmethod
    def _target(campaign: Campaign, body: Promotion) -> str:
        """The slug the promotion writes: the campaign's FAQ, or the new one the promotion names."""
        if campaign.entry_id is None:
            if body.entry_id is None:
                raise InvalidInput("this campaign has no FAQ yet: name the new FAQ's entry_id", field="entry_id")
            return body.entry_id
        if body.entry_id not in (None, campaign.entry_id):
            raise InvalidInput(f"this campaign improves {campaign.entry_id!r}; omit entry_id", field="entry_id")
        if body.title is not None:
            raise InvalidInput("title is only for a new FAQ; the FAQ keeps its title", field="title")
        return campaign.entry_id

    def _marker(self, shop: str, campaign_id: int, answer_id: int, slug: str) -> Callable[[Session], None]:
        """The write that marks the campaign promoted, run inside the knowledge write's transaction."""
        now = self._clock()

        def mark(session: Session) -> None:
            head = KnowledgeRepository(session).head(shop, slug)
            assert head is not None  # written in this transaction
            promoted = CampaignRepository(session).finish(
                shop,
                campaign_id,
                status="promoted",
                at=now,
                promoted_answer_id=answer_id,
                promoted_version=head.latest.version,
                entry_slug=slug,
            )
            if not promoted:
                raise Conflict(f"campaign {campaign_id} was promoted or closed by someone else first")

        return mark

    def _rewrite(self, identity: Identity, slug: str, text: str, mark: Callable[[Session], None]) -> EntryVersion:
        head = self._knowledge.get(identity.shop, slug).latest
        if head.content.body == text:  # nothing new to write: the answer already is the script
            with self._db.transaction() as session:
                mark(session)
            return head
        content = head.content.model_copy(update={"body": text, "author": identity.name[:80]})
        return self._knowledge.update(identity.shop, slug, content, expected_version=head.version, also=mark)

    @staticmethod
    def _new_faq(identity: Identity, campaign: Campaign, text: str, slug: str, title: str | None) -> EntryContent:
        try:
            return EntryContent(
                id=slug,
                kind=EntryKind.FAQ,
                title=(title or campaign.question)[:200],
                body=text,
                language=campaign.language,
                author=identity.name[:80],
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            raise InvalidInput(f"the entry would be invalid: {error['msg']}", field=str(error["loc"][0])) from exc
