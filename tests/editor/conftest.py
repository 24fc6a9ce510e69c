import pytest

from contracts_app.services import contract_create


@pytest.fixture
def contract(owner):
    """A contract owned by `owner`, started from the SDK's simple template (revision 1)."""
    return contract_create(owner=owner, service_id="acme-chat", template="simple_service")


@pytest.fixture
def latest_text(contract):
    return contract.latest_revision.text


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The editor tests sign many users in; a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
