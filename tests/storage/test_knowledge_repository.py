"""The repository on a real database: versions, revisions, live versions, shop scope."""

from __future__ import annotations

import pytest

from drafter.bootstrap import Services
from drafter.core.errors import Conflict, InvalidInput
from drafter.core.models import EntryContent, EntryKind, EntryStatus
from drafter.storage import EntryQuery, KnowledgeRepository, ShopRepository


def entry(slug: str = "faq-returns", **changes: object) -> EntryContent:
    data: dict[str, object] = {
        "id": slug,
        "kind": "faq",
        "title": "Can I return it?",
        "body": "Yes, within 7 days of delivery.",
        "language": "en",
        "tags": ["returns"],
    }
    return EntryContent.model_validate({**data, **changes})


@pytest.fixture
def shops(services: Services) -> Services:
    services.access.ensure_shop("alpha", "A")
    services.access.ensure_shop("beta", "B")
    return services


def write(services: Services, shop: str, content: EntryContent, expected: int | None = None) -> int:
    with services.db.transaction() as s:
        revision = ShopRepository(s).bump_revision(shop)
        return KnowledgeRepository(s).write(shop, content, revision=revision, expected_version=expected).version


def test_edit_writes_a_new_version_and_keeps_the_old(shops: Services) -> None:
    assert write(shops, "alpha", entry()) == 1
    assert write(shops, "alpha", entry(body="Yes, within 7 days; unopened.")) == 2
    with shops.db.transaction() as s:
        versions = KnowledgeRepository(s).versions("alpha", "faq-returns")
        revision = ShopRepository(s).revision("alpha")
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].content.body == "Yes, within 7 days of delivery."
    assert [v.revision for v in versions] == [1, 2]
    assert revision == 2


def test_revision_is_per_shop(shops: Services) -> None:
    write(shops, "alpha", entry())
    write(shops, "alpha", entry("faq-other"))
    with shops.db.transaction() as s:
        assert ShopRepository(s).revision("alpha") == 2
        assert ShopRepository(s).revision("beta") == 0


def test_live_version_follows_publish_draft_archive(shops: Services) -> None:
    write(shops, "alpha", entry())
    write(shops, "alpha", entry(body="A pending rewrite.", status="draft"))
    with shops.db.transaction() as s:
        head = KnowledgeRepository(s).head("alpha", "faq-returns")
    assert head is not None
    assert head.latest.version == 2
    assert head.live_version == 1
    write(shops, "alpha", entry(status="archived"))
    with shops.db.transaction() as s:
        head = KnowledgeRepository(s).head("alpha", "faq-returns")
        live = KnowledgeRepository(s).live_version_ids("alpha")
    assert head is not None
    assert head.live_version is None
    assert live == set()


def test_shop_b_sees_nothing_of_shop_a(shops: Services) -> None:
    write(shops, "alpha", entry())
    with shops.db.transaction() as s:
        repo = KnowledgeRepository(s)
        assert repo.head("beta", "faq-returns") is None
        assert repo.versions("beta", "faq-returns") == []
        assert repo.list_entries("beta", EntryQuery()) == ([], 0)
        assert repo.live_version_ids("beta") == set()
        a_ids = repo.live_version_ids("alpha")
        assert repo.versions_by_id("beta", a_ids) == []
    # The same slug in shop b is a separate entry.
    assert write(shops, "beta", entry()) == 1


def test_expected_version_mismatch_is_a_conflict(shops: Services) -> None:
    write(shops, "alpha", entry())
    with pytest.raises(Conflict):
        write(shops, "alpha", entry(body="x"), expected=3)
    with pytest.raises(Conflict):
        write(shops, "alpha", entry(), expected=0)


def test_kind_cannot_change(shops: Services) -> None:
    write(shops, "alpha", entry())
    with pytest.raises(InvalidInput) as caught:
        write(shops, "alpha", entry(kind="policy"))
    assert caught.value.field == "kind"


def test_list_filters_and_pages(shops: Services) -> None:
    write(shops, "alpha", entry("faq-one", tags=["returns", "refund"]))
    write(shops, "alpha", entry("faq-two", language="zh", title="能退吗", body="七天内可以退", tags=["returns"]))
    write(
        shops,
        "alpha",
        entry("policy-x", kind="policy", title="Returns policy", body="Rules 100% here", tags=["refund"]),
    )
    with shops.db.transaction() as s:
        repo = KnowledgeRepository(s)
        assert [e.latest.content.id for e in repo.list_entries("alpha", EntryQuery(language="zh"))[0]] == ["faq-two"]
        assert [e.latest.content.id for e in repo.list_entries("alpha", EntryQuery(kind=EntryKind.POLICY))[0]] == [
            "policy-x"
        ]
        assert {e.latest.content.id for e in repo.list_entries("alpha", EntryQuery(tag="refund"))[0]} == {
            "faq-one",
            "policy-x",
        }
        assert [e.latest.content.id for e in repo.list_entries("alpha", EntryQuery(text="100%"))[0]] == ["policy-x"]
        page, total = repo.list_entries("alpha", EntryQuery(limit=2, offset=2))
        assert total == 3
        assert [e.latest.content.id for e in page] == ["policy-x"]
        assert repo.list_entries("alpha", EntryQuery(status=EntryStatus.DRAFT)) == ([], 0)
