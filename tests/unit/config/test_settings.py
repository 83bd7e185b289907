import re

import pytest
from pydantic import ValidationError

from config.settings import Settings as S
from tests.conftest import REPO


def test_environment_variables_set_fields(monkeypatch):
    monkeypatch.setenv("NEWSMON_PARTITIONS", "8")
    monkeypatch.setenv("NEWSMON_SPACY_EXCLUDE", "lemmatizer, tagger")
    monkeypatch.setenv("NEWSMON_TOPIC_PREFIX", "t1-")
    s = S()
    assert s.partitions == 8
    assert s.spacy_exclude == ["lemmatizer", "tagger"]
    assert s.articles_topic == "t1-articles" and s.rules_topic == "t1-alert-rules"


def test_a_toml_file_is_read_and_env_wins(tmp_path, monkeypatch):
    path = tmp_path / "n.toml"
    path.write_text('partitions = 6\nindex_prefix = "desk"\n')
    monkeypatch.setenv("NEWSMON_CONFIG_FILE", str(path))
    monkeypatch.setenv("NEWSMON_PARTITIONS", "2")
    s = S()
    assert s.partitions == 2 and s.articles_alias == "desk-articles"


def test_a_bad_bootstrap_says_which_variable_to_set(monkeypatch):
    monkeypatch.setenv("NEWSMON_KAFKA_BOOTSTRAP", "localhost")
    with pytest.raises(ValidationError, match="NEWSMON_KAFKA_BOOTSTRAP"):
        S()


def test_settings_are_frozen_and_secrets_masked(monkeypatch):
    monkeypatch.setenv("NEWSMON_ES_PASSWORD", "hunter2")
    s = S()
    assert "hunter2" not in repr(s)
    with pytest.raises(ValidationError):
        s.partitions = 3  # type: ignore[misc]


def test_unknown_setting_in_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "n.toml"
    path.write_text("partitons = 6\n")
    monkeypatch.setenv("NEWSMON_CONFIG_FILE", str(path))
    with pytest.raises(ValidationError, match="partitons"):
        S()


def test_readme_documents_every_setting():
    readme = (REPO / "README.md").read_text()
    documented = set(re.findall(r"`NEWSMON_([A-Z0-9_]+)`", readme))
    missing = {name.upper() for name in S.model_fields} - documented
    assert not missing, f"README settings table lacks: {sorted(missing)}"


def test_the_worker_gives_up_a_dead_broker_connection_within_the_request_timeout(tmp_path):
    # Faust's own default is 90 s: after a broker restart, a commit sent on a connection that
    # died with the broker held the worker that long (the short campaign's recovery failed)
    from streams.app import create_app

    app = create_app(S(cache_dir=tmp_path))
    assert app.conf.broker_request_timeout == 20.0
    slow = create_app(S(cache_dir=tmp_path, kafka_session_timeout=30, kafka_request_timeout=10))
    assert slow.conf.broker_request_timeout == 30.0  # never below the session timeout


def test_elasticsearch_is_verified_against_the_ca_named(tmp_path):
    from streams.indexing import _client_kwargs

    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    kwargs = _client_kwargs(S(es_url="https://es.internal:9200", es_ca_certs=str(ca)))
    assert kwargs["ca_certs"] == str(ca) and "verify_certs" not in kwargs
    assert "ca_certs" not in _client_kwargs(S())


def test_a_missing_ca_file_says_which_variable_to_set(tmp_path):
    with pytest.raises(ValidationError, match="NEWSMON_ES_CA_CERTS"):
        S(es_ca_certs=str(tmp_path / "absent.crt"))
