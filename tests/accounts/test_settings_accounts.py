import pytest

from tests.test_settings import load_settings

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize(("env", "message"), [
    ({"EMAIL_VERIFICATION_MAX_AGE": "soon"}, "EMAIL_VERIFICATION_MAX_AGE='soon' is not a whole"),
    ({"EMAIL_VERIFICATION_MAX_AGE": "5"}, "EMAIL_VERIFICATION_MAX_AGE=5 must be at least 60"),
    ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT=0 must be at least 1"),
])
def test_a_bad_account_setting_stops_start_up_naming_the_variable(env, message):
    result = load_settings(SECRET_KEY="x", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_email_verification_lasts_three_days_by_default(settings):
    assert settings.EMAIL_VERIFICATION_MAX_AGE == 3 * 24 * 3600
