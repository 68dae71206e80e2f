"""FAQ script optimisation over HTTP: open, answer (rubric), rate (Bayesian ranking), promote into the FAQ, close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drafter.analysis import ConversationAnalyzer
from drafter.bootstrap import Services
from drafter.core.campaigns import Promotion
from drafter.core.errors import Conflict
from drafter.core.models import EntryContent, EntryVersion, Identity, Role
from drafter.guardrails import Guardrails
from drafter.services.campaigns import CampaignService
from drafter.services.knowledge import KnowledgeService
from drafter.services.planner import Planner
from tests.api.test_reviews_api import START
from tests.conftest import KNOWLEDGE, Keys
from tests.fakes import Clock

CAMPAIGNS = "/v1/knowledge/campaigns"
QUESTION = "My serum bottle arrived cracked, what can I do?"
MIA = (
    "Oh no, I'm so sorry your serum arrived cracked! Please send us a photo of the bottle and the box, and we'll "
    "ship a replacement right away. Would you prefer (A) a replacement or (B) a refund?"
)
LEO = "Please send photos of the damage and we will replace it. Thanks."
KAI = "Not my problem, contact the courier. Use code FREE100 on your next order?"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def kb(keys: Keys, services: Services) -> None:
    services.knowledge.import_path("alpha", KNOWLEDGE)


def person(services: Services, role: Role, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.access.create_key('alpha', role, name=name)}"}


def open_campaign(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(CAMPAIGNS, json={"question": QUESTION, "language": "en", **body}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{CAMPAIGNS}/{response.json()['id']}"
    return dict(response.json())


def answer(client: TestClient, headers: dict[str, str], campaign_id: int, text: str, clock: Clock) -> dict[str, Any]:
    clock.advance(minutes=1)
    response = client.post(f"{CAMPAIGNS}/{campaign_id}/answers", json={"text": text}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def rate(client: TestClient, headers: dict[str, str], campaign_id: int, answer_id: int, rating: Any) -> Any:
    return client.put(f"{CAMPAIGNS}/{campaign_id}/answers/{answer_id}/rating", json={"rating": rating}, headers=headers)


def checks(rubric: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["passed"] for c in rubric["checks"]}


def error_field(response: Any, status: int = 422) -> str | None:
    assert response.status_code == status, response.text
    field: str | None = response.json()["error"]["field"]
    return field


def test_three_agents_answer_raters_rank_and_the_best_becomes_the_faq(
    client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock
) -> None:
    kim = person(services, Role.KNOWLEDGE_MANAGER, "kim")
    agents = {name: person(services, Role.AGENT, name) for name in ("mia", "leo", "kai")}
    eva = person(services, Role.EVALUATOR, "eva")
    campaign = open_campaign(client, kim, entry_id="faq-damaged-item")
    assert (campaign["status"], campaign["entry_id"], campaign["answers"]) == ("open", "faq-damaged-item", [])
    versions_before = client.get("/v1/knowledge/entries/faq-damaged-item/versions", headers=kim).json()
    cid = campaign["id"]

    mia = answer(client, agents["mia"], cid, MIA, clock)
    leo = answer(client, agents["leo"], cid, LEO, clock)
    kai = answer(client, agents["kai"], cid, KAI, clock)
    assert (mia["rubric"]["score"], mia["rubric"]["blocked"]) == (1.0, False)
    names = ["leap", "policy", "tone", "language", "length", "question"]  # the evaluation's scorers that apply
    assert checks(mia["rubric"]) == dict.fromkeys(names, True)
    assert leo["rubric"]["blocked"] is False
    assert not checks(leo["rubric"])["question"]
    assert not checks(leo["rubric"])["leap"]  # a damaged item needs empathy and an apology
    leap = next(c for c in leo["rubric"]["checks"] if c["name"] == "leap")
    assert "apologize MISSING" in leap["reason"]
    assert leo["rubric"]["score"] == round((4 + leap["value"]) / 6, 4)  # question scores 0: it ends on a statement
    assert (kai["rubric"]["score"], kai["rubric"]["blocked"]) == (0.0, True)  # banned phrase, unauthorised code
    assert {name for name, passed in checks(kai["rubric"]).items() if not passed} == {
        "tone",
        "policy",
        "leap",
        "question",
    }

    for rater, answer_id, rating in [
        (eva, mia["id"], 5),
        (kim, mia["id"], 4),
        (agents["leo"], mia["id"], 4),
        (eva, leo["id"], 5),
        (kim, kai["id"], 1),
    ]:
        assert rate(client, rater, cid, answer_id, rating).status_code == 200

    ranked = client.get(f"{CAMPAIGNS}/{cid}", headers=agents["kai"]).json()["answers"]
    # Bayesian means, prior 3.0 worth 2 ratings: mia (6+13)/5, leo (6+5)/3, kai (6+1)/3.
    expected = [(mia["id"], 3.8, 4.33), (leo["id"], 3.6667, 5.0), (kai["id"], 2.3333, 1.0)]
    assert [(a["id"], a["score"], a["mean_rating"]) for a in ranked] == expected
    assert [(a["rank"], a["ratings"], a["author"]) for a in ranked] == [(1, 3, "mia"), (2, 1, "leo"), (3, 1, "kai")]

    refused = client.post(f"{CAMPAIGNS}/{cid}/promote", json={"answer_id": kai["id"]}, headers=kim)
    assert refused.status_code == 422  # a blocked answer never becomes a source for drafts
    assert refused.json()["error"]["field"] == "answer_id"
    promoted = client.post(f"{CAMPAIGNS}/{cid}/promote", json={"answer_id": mia["id"]}, headers=kim)
    assert promoted.status_code == 201, promoted.text
    result = promoted.json()
    new_version = len(versions_before) + 1
    assert result["campaign"]["status"] == "promoted"
    assert (result["campaign"]["promoted_answer_id"], result["campaign"]["promoted_version"]) == (
        mia["id"],
        new_version,
    )
    assert (result["entry"]["version"], result["entry"]["body"], result["entry"]["author"]) == (new_version, MIA, "kim")
    entry = client.get("/v1/knowledge/entries/faq-damaged-item", headers=eva).json()
    assert (entry["version"], entry["body"], entry["kind"]) == (new_version, MIA, "faq")
    assert (entry["title"], entry["tags"]) == (versions_before[-1]["title"], versions_before[-1]["tags"])
    versions_after = client.get("/v1/knowledge/entries/faq-damaged-item/versions", headers=kim).json()
    assert len(versions_after) == len(versions_before) + 1

    late = client.post(f"{CAMPAIGNS}/{cid}/answers", json={"text": "Sorry! Replacement or refund?"}, headers=kim)
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "conflict"
    assert rate(client, eva, cid, leo["id"], 4).status_code == 409
    assert client.post(f"{CAMPAIGNS}/{cid}/promote", json={"answer_id": leo["id"]}, headers=kim).status_code == 409
    assert client.post(f"{CAMPAIGNS}/{cid}/close", headers=kim).status_code == 409


def test_invalid_input_names_the_field(client: TestClient, services: Services, keys: Keys, kb: None) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    base = {"question": QUESTION, "language": "en"}
    for changes, field in [
        ({"question": ""}, "question"),
        ({"question": "x" * 1001}, "question"),
        ({"language": "fr"}, "language"),
        ({"channel": "fax"}, "channel"),
        ({"entry_id": "Not A Slug"}, "entry_id"),
        ({"entry_id": "faq-does-not-exist"}, "entry_id"),
        ({"entry_id": "policy-damaged-items"}, "entry_id"),  # not a faq
        ({"entry_id": "faq-damaged-item", "language": "zh"}, "language"),  # the faq is in English
    ]:
        assert error_field(client.post(CAMPAIGNS, json={**base, **changes}, headers=km)) == field, changes

    faq = open_campaign(client, km, entry_id="faq-damaged-item")["id"]
    new = open_campaign(client, km)["id"]
    for text in ("", "x" * 4001):
        assert error_field(client.post(f"{CAMPAIGNS}/{faq}/answers", json={"text": text}, headers=km)) == "text"
    mine = client.post(f"{CAMPAIGNS}/{faq}/answers", json={"text": MIA}, headers=km).json()["id"]
    agent = keys.headers("alpha", Role.AGENT)
    for rating in (0, 6, "five"):
        assert error_field(rate(client, agent, faq, mine, rating)) == "rating"
    for campaign_id, promotion, field in [
        (faq, {}, "answer_id"),
        (faq, {"answer_id": 999}, "answer_id"),
        (faq, {"answer_id": mine, "entry_id": "faq-other"}, "entry_id"),
        (faq, {"answer_id": mine, "title": "A new title"}, "title"),
        (new, {"answer_id": mine}, "answer_id"),  # the answer belongs to another campaign
    ]:
        response = client.post(f"{CAMPAIGNS}/{campaign_id}/promote", json=promotion, headers=km)
        assert error_field(response) == field, promotion
    on_new = client.post(f"{CAMPAIGNS}/{new}/answers", json={"text": MIA}, headers=km).json()["id"]
    no_slug = client.post(f"{CAMPAIGNS}/{new}/promote", json={"answer_id": on_new}, headers=km)
    assert error_field(no_slug) == "entry_id"
    assert client.get(f"{CAMPAIGNS}/{faq}", headers=km).json()["status"] == "open"

    assert error_field(client.get(f"{CAMPAIGNS}/999", headers=km), 404) is None
    assert client.post(f"{CAMPAIGNS}/999/answers", json={"text": MIA}, headers=agent).status_code == 404
    assert rate(client, agent, faq, 999, 4).status_code == 404
    assert client.get(f"{CAMPAIGNS}/0", headers=km).status_code == 422


def test_roles(client: TestClient, services: Services, keys: Keys, kb: None) -> None:
    headers = {role: keys.headers("alpha", role) for role in Role}
    assert (
        client.post(CAMPAIGNS, json={"question": QUESTION, "language": "en"}, headers=headers[Role.AGENT]).status_code
        == 403
    )
    assert (
        client.post(
            CAMPAIGNS, json={"question": QUESTION, "language": "en"}, headers=headers[Role.EVALUATOR]
        ).status_code
        == 403
    )
    cid = open_campaign(client, headers[Role.ADMIN])["id"]
    for role, status in [(Role.EVALUATOR, 403), (Role.AGENT, 201), (Role.KNOWLEDGE_MANAGER, 201), (Role.ADMIN, 201)]:
        response = client.post(f"{CAMPAIGNS}/{cid}/answers", json={"text": MIA}, headers=headers[role])
        assert response.status_code == status, role
    by_agent = client.get(f"{CAMPAIGNS}/{cid}", headers=headers[Role.AGENT]).json()["answers"]
    agents_answer = next(a["id"] for a in by_agent if a["author"] == "agent")
    for role in (Role.EVALUATOR, Role.KNOWLEDGE_MANAGER, Role.ADMIN):
        assert rate(client, headers[role], cid, agents_answer, 4).status_code == 200, role
    promote = {"answer_id": agents_answer, "entry_id": "faq-cracked-serum"}
    for role in (Role.AGENT, Role.EVALUATOR):
        assert client.post(f"{CAMPAIGNS}/{cid}/promote", json=promote, headers=headers[role]).status_code == 403
        assert client.post(f"{CAMPAIGNS}/{cid}/close", headers=headers[role]).status_code == 403
    assert client.get(CAMPAIGNS, headers=headers[Role.EVALUATOR]).json()[0]["id"] == cid
    assert client.get(f"{CAMPAIGNS}/{cid}", headers=headers[Role.AGENT]).json()["status"] == "open"


def test_a_rater_changes_their_rating_but_cannot_rate_their_own_answer(
    client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock
) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    mia = person(services, Role.AGENT, "mia")
    cid = open_campaign(client, km)["id"]
    answer_id = answer(client, mia, cid, MIA, clock)["id"]
    assert rate(client, km, cid, answer_id, 2).json()["mean_rating"] == 2.0
    changed = rate(client, km, cid, answer_id, 5)
    assert changed.status_code == 200
    assert (changed.json()["ratings"], changed.json()["mean_rating"], changed.json()["score"]) == (1, 5.0, 3.6667)
    own = rate(client, mia, cid, answer_id, 5)
    assert error_field(own) == "rating"
    assert "own answer" in own.json()["error"]["message"]
    assert client.get(f"{CAMPAIGNS}/{cid}", headers=km).json()["answers"][0]["ratings"] == 1


def test_unrated_answers_rank_last_and_ties_go_to_the_rubric_then_the_earliest(
    client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock
) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    eva = keys.headers("alpha", Role.EVALUATOR)
    cid = open_campaign(client, km)["id"]
    authors = {name: person(services, Role.AGENT, name) for name in ("a1", "a2", "a3", "a4", "a5", "a6")}
    weak_tied = answer(client, authors["a1"], cid, LEO, clock)["id"]  # rubric 7/9, the earliest
    first_good = answer(client, authors["a2"], cid, MIA, clock)["id"]  # rubric 1.0
    second_good = answer(client, authors["a3"], cid, MIA, clock)["id"]  # rubric 1.0, later
    low_rated = answer(client, authors["a4"], cid, LEO, clock)["id"]
    unrated_good = answer(client, authors["a5"], cid, MIA, clock)["id"]
    unrated_weak = answer(client, authors["a6"], cid, LEO, clock)["id"]
    for answer_id in (weak_tied, second_good, first_good):
        assert rate(client, eva, cid, answer_id, 4).status_code == 200
    assert rate(client, km, cid, low_rated, 1).status_code == 200  # low, but rated: ahead of every unrated answer
    ranked = client.get(f"{CAMPAIGNS}/{cid}", headers=km).json()["answers"]
    expected = [first_good, second_good, weak_tied, low_rated, unrated_good, unrated_weak]
    assert [a["id"] for a in ranked] == expected
    assert [a["score"] for a in ranked] == [3.3333, 3.3333, 3.3333, 2.3333, None, None]
    assert [a["rank"] for a in ranked] == [1, 2, 3, 4, 5, 6]


def test_promote_into_a_new_faq(client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    question = "可以开发票吗？"
    text = "可以的亲，下单后在订单页申请电子发票就好。您需要个人发票还是公司发票呢～"
    cid = open_campaign(client, km, question=question, language="zh", channel="live_chat")["id"]
    made = answer(client, keys.headers("alpha", Role.AGENT), cid, text, clock)
    assert (made["rubric"]["score"], checks(made["rubric"])["question"]) == (1.0, True)
    promoted = client.post(
        f"{CAMPAIGNS}/{cid}/promote", json={"answer_id": made["id"], "entry_id": "faq-fapiao"}, headers=km
    )
    assert promoted.status_code == 201, promoted.text
    campaign = promoted.json()["campaign"]
    assert (campaign["status"], campaign["entry_id"], campaign["promoted_version"]) == ("promoted", "faq-fapiao", 1)
    entry = client.get("/v1/knowledge/entries/faq-fapiao", headers=km).json()
    assert (entry["kind"], entry["title"], entry["body"], entry["language"]) == ("faq", question, text, "zh")
    assert (entry["version"], entry["status"], entry["author"]) == (1, "published", "knowledge_manager")

    titled = open_campaign(client, km, question="Do you ship to Macau?")["id"]
    made = answer(
        client, keys.headers("alpha", Role.AGENT), titled, "Yes, in 3-5 days. Shall I check your city?", clock
    )
    body = {"answer_id": made["id"], "entry_id": "faq-macau", "title": "Shipping to Macau"}
    assert client.post(f"{CAMPAIGNS}/{titled}/promote", json=body, headers=km).status_code == 201
    assert client.get("/v1/knowledge/entries/faq-macau", headers=km).json()["title"] == "Shipping to Macau"


def test_a_failed_promotion_changes_nothing(
    client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock
) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    cid = open_campaign(client, km)["id"]
    made = answer(client, keys.headers("alpha", Role.AGENT), cid, MIA, clock)
    revision = client.get("/v1/knowledge/revision", headers=km).json()["revision"]
    taken = client.post(
        f"{CAMPAIGNS}/{cid}/promote", json={"answer_id": made["id"], "entry_id": "policy-damaged-items"}, headers=km
    )
    assert taken.status_code == 409
    assert client.get("/v1/knowledge/revision", headers=km).json()["revision"] == revision
    campaign = client.get(f"{CAMPAIGNS}/{cid}", headers=km).json()
    assert (campaign["status"], campaign["entry_id"], campaign["promoted_version"]) == ("open", None, None)
    policy = client.get("/v1/knowledge/entries/policy-damaged-items", headers=km).json()
    assert (policy["kind"], policy["version"]) == ("policy", 1)


class ClosingFirst(KnowledgeService):
    """Another manager closes the campaign while this promotion writes the FAQ."""

    def __init__(self, services: Services, close: Callable[[], object]) -> None:
        super().__init__(db=services.db, index=services.retriever)
        self._close = close

    def update(self, shop: str, entry_id: str, content: EntryContent, **kwargs: Any) -> EntryVersion:
        self._close()
        return super().update(shop, entry_id, content, **kwargs)


def test_a_promotion_that_loses_a_race_writes_no_version(
    client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock
) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    cid = open_campaign(client, km, entry_id="faq-damaged-item")["id"]
    made = answer(client, keys.headers("alpha", Role.AGENT), cid, MIA, clock)
    manager = Identity(shop="alpha", role=Role.KNOWLEDGE_MANAGER, key_id=0, name="kim")
    racing = CampaignService(
        db=services.db,
        knowledge=ClosingFirst(services, lambda: services.campaigns.close(manager, cid)),
        guardrails=Guardrails(),
        analyzer=ConversationAnalyzer(),
        planner=Planner(),
        clock=clock,
    )
    revision = services.knowledge.revision("alpha")
    with pytest.raises(Conflict):
        racing.promote(manager, cid, Promotion(answer_id=made["id"]))
    assert services.knowledge.revision("alpha") == revision
    entry = client.get("/v1/knowledge/entries/faq-damaged-item", headers=km).json()
    assert (entry["version"], entry["body"] != MIA) == (1, True)
    assert client.get(f"{CAMPAIGNS}/{cid}", headers=km).json()["status"] == "closed"


def test_promoting_the_current_script_writes_no_new_version(
    client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock
) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    current = client.get("/v1/knowledge/entries/faq-gift-wrap", headers=km).json()
    cid = open_campaign(client, km, question="Do you gift wrap?", entry_id="faq-gift-wrap")["id"]
    made = answer(client, keys.headers("alpha", Role.AGENT), cid, current["body"], clock)
    promoted = client.post(f"{CAMPAIGNS}/{cid}/promote", json={"answer_id": made["id"]}, headers=km)
    assert promoted.status_code == 201, promoted.text
    assert (promoted.json()["campaign"]["status"], promoted.json()["campaign"]["promoted_version"]) == ("promoted", 1)
    assert promoted.json()["entry"]["version"] == 1
    assert len(client.get("/v1/knowledge/entries/faq-gift-wrap/versions", headers=km).json()) == 1


def test_close_and_list(client: TestClient, services: Services, keys: Keys, kb: None, clock: Clock) -> None:
    km = keys.headers("alpha", Role.KNOWLEDGE_MANAGER)
    agent = keys.headers("alpha", Role.AGENT)
    ids = []
    for question in ("First?", "Second?", "Third?"):
        clock.advance(minutes=1)
        ids.append(open_campaign(client, km, question=question)["id"])
    answer(client, agent, ids[1], MIA, clock)
    answer(client, agent, ids[1], LEO, clock)
    closed = client.post(f"{CAMPAIGNS}/{ids[0]}/close", headers=km)
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["closed_at"] is not None) == ("closed", True)
    assert client.post(f"{CAMPAIGNS}/{ids[0]}/answers", json={"text": MIA}, headers=agent).status_code == 409

    def listed(**params: Any) -> list[tuple[int, int]]:
        return [(c["id"], c["answer_count"]) for c in client.get(CAMPAIGNS, params=params, headers=agent).json()]

    assert listed() == [(ids[2], 0), (ids[1], 2)]
    assert listed(status="closed") == [(ids[0], 0)]
    assert listed(status="all") == [(ids[2], 0), (ids[1], 2), (ids[0], 0)]
    assert listed(status="all", limit=1, offset=1) == [(ids[1], 2)]
    assert error_field(client.get(CAMPAIGNS, params={"status": "gone"}, headers=agent)) == "status"
