"""The one composition root: builds every concrete class from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from drafter.analysis import ConversationAnalyzer
from drafter.analysis.exemplars import ExemplarVotes, read_exemplars
from drafter.core.models import Language
from drafter.core.settings import EmbedderName, LLMSettings, RetrievalSettings, Settings
from drafter.generation.chat_model import ChatModel
from drafter.generation.composer import ComposerModel
from drafter.generation.phrasebook import load_phrasebooks
from drafter.generation.prompts import PromptLibrary
from drafter.guardrails import Guardrails
from drafter.retrieval import Embedder, IndexStore, Retriever, SentenceTransformerEmbedder, Tokenizer
from drafter.scoring import LLMJudge
from drafter.services.access import AccessService
from drafter.services.campaigns import CampaignService
from drafter.services.drafting import DraftService
from drafter.services.follow_ups import FollowUpService
from drafter.services.gaps import GapService
from drafter.services.insights import InsightService
from drafter.services.knowledge import KnowledgeService
from drafter.services.planner import Planner
from drafter.services.reviews import ReviewService
from drafter.services.suggestions import SuggestionService
from drafter.storage import Database

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything an entry point needs, built once and closed once."""

    settings: Settings
    db: Database
    access: AccessService
    knowledge: KnowledgeService
    retriever: Retriever
    drafts: DraftService
    reviews: ReviewService
    follow_ups: FollowUpService
    suggestions: SuggestionService
    insights: InsightService
    gaps: GapService
    campaigns: CampaignService

    def close(self) -> None:
        self.retriever.close()
        self.db.dispose()


def _embedder(name: EmbedderName, settings: RetrievalSettings) -> Embedder:
    if settings.model_path is not None:
        return SentenceTransformerEmbedder(
            path=settings.model_path, name=settings.model_path.name, threads=settings.torch_threads
        )
    if name == "all-minilm-l6-v2":
        return SentenceTransformerEmbedder(threads=settings.torch_threads)
    from drafter.retrieval.e5_embedder import E5Embedder

    return E5Embedder(threads=settings.torch_threads)


def build_embedders(settings: RetrievalSettings) -> dict[Language, Embedder]:
    """One dense model per language (loads weights: call once); a model named twice is loaded once."""
    names: dict[Language, EmbedderName] = {"en": settings.embedder_en, "zh": settings.embedder_zh}
    loaded = {name: _embedder(name, settings) for name in dict.fromkeys(names.values())}
    return {language: loaded[name] for language, name in names.items()}


def build_model(settings: LLMSettings, prompts: PromptLibrary) -> ChatModel | None:
    """The configured OpenAI-compatible model, or None for the offline composer."""
    if not settings.base_url:
        return None
    from drafter.generation.openai_model import OpenAIChatModel

    return OpenAIChatModel(settings=settings, prompts=prompts)


def build_judge(settings: LLMSettings, prompts_dir: Path) -> LLMJudge:
    """The LLM judge on the configured endpoint, with the `judge` rubric prompt."""
    from drafter.generation.openai_model import OpenAIJudge

    return LLMJudge(OpenAIJudge(settings=settings, prompts=PromptLibrary(prompts_dir)))


def build_services(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    db: Database | None = None,
    model: ChatModel | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Services:
    """Wire Drafter from `settings`; `embedder` (for every language), `db`, `model` and `clock` may be supplied."""
    now = clock or (lambda: datetime.now(UTC))
    db = db or Database(settings.database_url, echo=settings.database.echo, pool_size=settings.database.pool_size)
    retriever = Retriever(
        db=db,
        embedders={"en": embedder, "zh": embedder} if embedder else build_embedders(settings.retrieval),
        store=IndexStore(settings.retrieval.index_dir),
        tokenizer=Tokenizer(),
        settings=settings.retrieval,
    )
    composer = ComposerModel(phrasebooks=load_phrasebooks(settings.prompts_dir))
    exemplar_file = settings.prompts_dir / "intent_exemplars.jsonl"
    exemplars = (
        ExemplarVotes(read_exemplars(exemplar_file), retriever.embed_queries_cached) if exemplar_file.exists() else None
    )
    prompts = PromptLibrary(settings.prompts_dir)
    chosen = model or build_model(settings.llm, prompts) or composer
    guardrails = Guardrails()
    drafts = DraftService(
        db=db,
        index=retriever,
        model=chosen,
        fallback=composer,
        guardrails=guardrails,
        analyzer=ConversationAnalyzer(exemplars=exemplars),
        prompt_version=prompts.version("draft") if chosen is not composer else prompts.version("phrasebook"),
        clock=now,
    )
    log.info(
        "services built",
        extra={"embedder": retriever.embedder_name, "model": chosen.name, "backend": db.engine.dialect.name},
    )
    knowledge = KnowledgeService(
        db=db,
        index=retriever,
        duplicate_thresholds={
            "en": settings.retrieval.duplicate_threshold_en,
            "zh": settings.retrieval.duplicate_threshold_zh,
        },
    )
    suggestions = SuggestionService(
        db=db,
        index=retriever,
        knowledge=knowledge,
        merge_thresholds={"en": settings.review.merge_threshold_en, "zh": settings.review.merge_threshold_zh},
        clock=now,
    )
    return Services(
        settings=settings,
        db=db,
        access=AccessService(db=db),
        knowledge=knowledge,
        retriever=retriever,
        drafts=drafts,
        reviews=ReviewService(db=db, guardrails=guardrails, suggestions=suggestions, clock=now),
        follow_ups=FollowUpService(db=db, clock=now),
        suggestions=suggestions,
        insights=InsightService(db=db),
        gaps=GapService(
            db=db,
            index=retriever,
            low_scores={"en": settings.retrieval.gap_low_score_en, "zh": settings.retrieval.gap_low_score_zh},
            cluster_thresholds={
                "en": settings.retrieval.gap_cluster_threshold_en,
                "zh": settings.retrieval.gap_cluster_threshold_zh,
            },
        ),
        campaigns=CampaignService(
            db=db,
            knowledge=knowledge,
            guardrails=guardrails,
            analyzer=ConversationAnalyzer(),
            planner=Planner(),
            clock=now,
        ),
    )
