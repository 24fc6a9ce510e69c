"""The breaking-change analysis reused for a service's version history (for the catalogue)."""

import pytest
from caio_integration.contracts.changes import CAPABILITY_REMOVED, MAJOR_BUMP_MISSING

from integrations.review.services import version_history
from tests.factories import add_revision, contract_data

pytestmark = pytest.mark.django_db


def test_each_registered_version_is_compared_with_the_one_before(make_contract, register):
    contract = make_contract("history-demo")
    register(contract)
    add_revision(contract, contract_data("history-demo", version="1.1.0", name="Better name"))
    register(contract)
    add_revision(contract, contract_data("history-demo", version="1.2.0",
                                         capabilities=["text_generation"]))
    service, _ = register(contract)
    steps = version_history(service=service)
    assert [s.version.version for s in steps] == ["1.2.0", "1.1.0", "1.0.0"]
    assert [s.previous.version if s.previous else None for s in steps] == ["1.1.0", "1.0.0", None]
    assert [s.breaking for s in steps] == [True, False, False]
    assert {c.kind for c in steps[0].changes if c.breaking} == {CAPABILITY_REMOVED,
                                                                 MAJOR_BUMP_MISSING}
    assert steps[2].changes == []
