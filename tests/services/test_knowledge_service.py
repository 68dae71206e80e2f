"""Imports are all-or-nothing and idempotent; exports round-trip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drafter.bootstrap import Services
from drafter.core.errors import Conflict, ImportFailed, InvalidInput, NotFound
from drafter.core.models import EntryStatus
from drafter.services.knowledge_files import write_entries
from drafter.storage import EntryQuery
from tests.services.test_knowledge_files import GOOD, write


@pytest.fixture
def shop(services: Services) -> str:
    services.access.ensure_shop("alpha", "A")
    return "alpha"


def small_kb(root: Path) -> Path:
    write(root, "faq/returns.md", GOOD)
    write(root, "faq/ship.md", GOOD.replace("faq-returns", "faq-ship").replace("Can I return it?", "When do you ship?"))
    return root


def test_import_twice_changes_nothing(services: Services, shop: str, tmp_path: Path) -> None:
    kb = small_kb(tmp_path / "kb")
    first = services.knowledge.import_path(shop, kb)
    second = services.knowledge.import_path(shop, kb)
    assert sorted(first.created) == ["faq-returns", "faq-ship"]
    assert first.revision == 1
    assert second.created == []
    assert second.updated == []
    assert second.unchanged == ["faq-returns", "faq-ship"]
    assert second.revision == 1
    assert services.knowledge.revision(shop) == 1


def test_changed_file_makes_one_new_version_and_one_revision(services: Services, shop: str, tmp_path: Path) -> None:
    kb = small_kb(tmp_path / "kb")
    services.knowledge.import_path(shop, kb)
    write(kb, "faq/returns.md", GOOD.replace("Yes, within 7 days.", "Yes, within 7 days of delivery."))
    report = services.knowledge.import_path(shop, kb)
    assert report.updated == ["faq-returns"]
    assert report.revision == 2
    assert [v.version for v in services.knowledge.versions(shop, "faq-returns")] == [1, 2]
    assert [v.version for v in services.knowledge.versions(shop, "faq-ship")] == [1]


def test_one_malformed_file_imports_nothing(services: Services, shop: str, tmp_path: Path) -> None:
    kb = small_kb(tmp_path / "kb")
    write(kb, "faq/zz-broken.md", GOOD.replace("language: en", "language: fr").replace("faq-returns", "faq-broken"))
    with pytest.raises(ImportFailed) as caught:
        services.knowledge.import_path(shop, kb)
    assert "faq/zz-broken.md: language" in str(caught.value)
    assert services.knowledge.revision(shop) == 0
    assert services.knowledge.list_entries(shop, EntryQuery()) == ([], 0)


def test_a_failure_while_writing_rolls_everything_back(services: Services, shop: str, tmp_path: Path) -> None:
    kb = small_kb(tmp_path / "kb")
    services.knowledge.import_path(shop, kb)
    # The second import changes one entry and also changes another entry's kind, which fails mid-transaction.
    write(kb, "faq/ship.md", GOOD.replace("faq-returns", "faq-ship").replace("Yes, within 7 days.", "Today."))
    write(kb, "faq/returns.md", GOOD.replace("kind: faq", "kind: policy"))
    with pytest.raises(InvalidInput):
        services.knowledge.import_path(shop, kb)
    assert services.knowledge.revision(shop) == 1
    assert [v.version for v in services.knowledge.versions(shop, "faq-ship")] == [1]


def test_dry_run_reports_and_writes_nothing(services: Services, shop: str, tmp_path: Path) -> None:
    report = services.knowledge.import_path(shop, small_kb(tmp_path / "kb"), dry_run=True)
    assert report.dry_run
    assert sorted(report.created) == ["faq-returns", "faq-ship"]
    assert services.knowledge.revision(shop) == 0
    assert services.knowledge.list_entries(shop, EntryQuery())[1] == 0


def test_import_into_missing_shop_is_not_found(services: Services, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        services.knowledge.import_path("nope", small_kb(tmp_path / "kb"))


def test_update_and_archive(services: Services, shop: str, tmp_path: Path) -> None:
    services.knowledge.import_path(shop, small_kb(tmp_path / "kb"))
    head = services.knowledge.get(shop, "faq-ship")
    changed = head.latest.content.model_copy(update={"body": "Same day before 16:00."})
    assert services.knowledge.update(shop, "faq-ship", changed, expected_version=1).version == 2
    with pytest.raises(Conflict):
        services.knowledge.update(shop, "faq-ship", changed.model_copy(update={"body": "x"}), expected_version=1)
    # Unchanged content writes nothing.
    assert services.knowledge.update(shop, "faq-ship", changed, expected_version=None).version == 2
    archived = services.knowledge.archive(shop, "faq-ship")
    assert archived.version == 3
    assert archived.content.status is EntryStatus.ARCHIVED
    assert services.knowledge.get(shop, "faq-ship").live_version is None
    assert services.knowledge.revision(shop) == 3


def test_demo_export_then_import_is_a_no_op(services: Services, shop: str, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(Path(__file__).resolve().parents[2] / "knowledge_base", kb)
    services.knowledge.import_path(shop, kb)
    out = tmp_path / "export"
    count = write_entries(services.knowledge.export(shop), out)
    report = services.knowledge.import_path(shop, out)
    assert count > 250
    assert report.created == []
    assert report.updated == []
    assert len(report.unchanged) == count


def test_shop_yaml_becomes_the_shop_profile(services: Services, shop: str, tmp_path: Path) -> None:
    kb = small_kb(tmp_path / "kb")
    shutil.copy(Path(__file__).resolve().parents[2] / "knowledge_base" / "shop.yaml", kb / "shop.yaml")
    assert services.knowledge.profile(shop).refund_authority.agent_max_cny == 0  # strict default
    report = services.knowledge.import_path(shop, kb)
    profile = services.knowledge.profile(shop)
    assert report.profile_updated
    assert profile.refund_authority.agent_max_cny == 500
    assert profile.tier_compensation("gold").codes == ["SORRY10", "SORRY20", "CARE30"]
    assert profile.tier_compensation(None).codes == ["SORRY10"]
    assert not services.knowledge.import_path(shop, kb).profile_updated


def test_invalid_shop_yaml_names_the_field_and_imports_nothing(services: Services, shop: str, tmp_path: Path) -> None:
    kb = small_kb(tmp_path / "kb")
    write(kb, "shop.yaml", "shop: {id: alpha, name: A}\nsla_minutes: {urgent: zero}\n")
    with pytest.raises(ImportFailed) as caught:
        services.knowledge.import_path(shop, kb)
    assert "shop.yaml: sla_minutes.urgent" in str(caught.value)
    assert services.knowledge.revision(shop) == 0
