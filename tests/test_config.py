"""Configuration from the environment: production refuses to start without what it needs."""

import pytest

from soulseer.config import ConfigError, load_config, normalise_database_url

REAL = {
    "DATABASE_URL": "postgresql://u:p@db.example:5432/soulseer",
    "REDIS_URL": "redis://cache.example:6379/0",
    "SECRET_KEY": "s3cret",
}


@pytest.mark.parametrize("missing", [["DATABASE_URL"], ["REDIS_URL"], ["SECRET_KEY"], list(REAL)])
def test_production_names_every_missing_setting(missing, tmp_path):
    environ = {"SOULSEER_ENV": "production", **{k: v for k, v in REAL.items() if k not in missing}}
    with pytest.raises(ConfigError) as error:
        load_config(environ, instance_path=tmp_path)
    for name in missing:
        assert name in str(error.value)
    for name in set(REAL) - set(missing):
        assert name not in str(error.value)


def test_production_with_real_services_uses_them_and_disables_test_payments(tmp_path):
    config = load_config({"SOULSEER_ENV": "production", **REAL}, instance_path=tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example:5432/soulseer"
    assert config["REDIS_URL"] == REAL["REDIS_URL"]
    assert config["TEST_PAYMENTS_ENABLED"] is False
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["TRUSTED_PROXIES"] == 1
    assert not (tmp_path / "secret_key").exists()  # production never invents a secret


def test_a_stripe_key_disables_test_payments_outside_production(tmp_path):
    assert load_config(dict(REAL), instance_path=tmp_path)["TEST_PAYMENTS_ENABLED"] is True
    with_stripe = {**REAL, "STRIPE_SECRET_KEY": "sk_test_123"}
    assert load_config(with_stripe, instance_path=tmp_path)["TEST_PAYMENTS_ENABLED"] is False


def test_shortened_minute_is_refused_in_production(tmp_path):
    environ = {"SOULSEER_ENV": "production", "SOULSEER_MINUTE_SECONDS": "5", **REAL}
    with pytest.raises(ConfigError, match="SOULSEER_MINUTE_SECONDS"):
        load_config(environ, instance_path=tmp_path)


def test_numbers_must_be_numbers(tmp_path):
    with pytest.raises(ConfigError, match="PORT"):
        load_config({**REAL, "PORT": "fifty"}, instance_path=tmp_path)


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="SOULSEER_ENV"):
        load_config({**REAL, "SOULSEER_ENV": "staging"}, instance_path=tmp_path)


def test_development_secret_key_is_kept_in_the_instance_folder(tmp_path):
    first = load_config(dict(REAL, SECRET_KEY=""), instance_path=tmp_path)["SECRET_KEY"]
    second = load_config(dict(REAL, SECRET_KEY=""), instance_path=tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql+psycopg://a@h/d", "postgresql+psycopg://a@h/d"),
    ],
)
def test_database_url_gets_the_psycopg_driver(given, expected):
    assert normalise_database_url(given) == expected


def test_every_documented_setting_is_read(tmp_path):
    names = {
        "AUTH0_DOMAIN": "tenant.auth0.example",
        "AUTH0_CLIENT_ID": "cid",
        "AUTH0_CLIENT_SECRET": "csecret",
        "OIDC_METADATA_URL": "http://127.0.0.1:9/.well-known/openid-configuration",
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
        "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_connect_x",
        "STRIPE_API_BASE": "http://127.0.0.1:12111",
        "AGORA_APP_ID": "appid",
        "AGORA_APP_CERTIFICATE": "cert",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "S3_BUCKET": "bucket",
        "S3_ACCESS_KEY_ID": "key",
        "S3_SECRET_ACCESS_KEY": "secret",
    }
    config = load_config({**REAL, **names, "PORT": "8123", "SOULSEER_MINUTE_SECONDS": "3"}, instance_path=tmp_path)
    for name, value in names.items():
        assert config[name] == value
    assert config["PORT"] == 8123
    assert config["MINUTE_SECONDS"] == 3


def test_screening_allows_links_to_the_sites_own_host_unless_told_otherwise(tmp_path):
    config = load_config({**REAL, "PUBLIC_URL": "https://www.soulseer.app"}, instance_path=tmp_path)
    assert config["SCREENING_ALLOWED_HOSTS"] == ["www.soulseer.app"]
    config = load_config({**REAL, "HOST": "127.0.0.2", "PORT": "8000"}, instance_path=tmp_path)
    assert config["SCREENING_ALLOWED_HOSTS"] == ["127.0.0.2"]
    listed = {**REAL, "SOULSEER_SCREENING_ALLOWED_HOSTS": "soulseer.app, help.soulseer.app"}
    assert load_config(listed, instance_path=tmp_path)["SCREENING_ALLOWED_HOSTS"] == [
        "soulseer.app",
        "help.soulseer.app",
    ]
