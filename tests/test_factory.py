import pytest

from kamscore import create_app


def test_config_overrides_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KAMSCORE_SURVEY_MIN_GROUP", "4")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["SURVEY_MIN_GROUP"] == 4
    assert app.testing


def test_missing_secret_key_is_a_startup_error(monkeypatch, tmp_path):
    monkeypatch.delenv("KAMSCORE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="KAMSCORE_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"}, instance_path=str(tmp_path))


def test_health_reports_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


def test_refuses_to_serve_on_an_old_schema(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite"})
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 503
    assert "kamscore db upgrade" in response.json["message"]
    assert app.test_client().get("/health").status_code == 503


def test_the_app_turns_numpy_huge_pages_off_unless_asked(tmp_path):
    """docs/operations.md, Memory: numpy's huge-page advice off in every kamscore process."""
    from kamscore.config import use_huge_pages

    before = use_huge_pages(True)
    try:
        create_app({"TESTING": True, "SECRET_KEY": "s"}, instance_path=str(tmp_path))
        assert use_huge_pages(False) is False  # the factory had turned it off
        create_app({"TESTING": True, "SECRET_KEY": "s", "NUMPY_HUGE_PAGES": True},
                   instance_path=str(tmp_path))
        assert use_huge_pages(False) is True
    finally:
        use_huge_pages(before)
