from fastapi.testclient import TestClient

from unspin.server import app

client = TestClient(app)
SPUN = "Doctors warned that most cancers rates were climbing, in keeping with a new report."


def test_page_renders_text_safely():
    r = client.get("/")
    assert r.status_code == 200 and "textContent" in r.text and "innerHTML" not in r.text


def test_detect_endpoint_matches_cli_contract():
    r = client.post("/api/detect", json={"text": SPUN})
    assert r.status_code == 200
    j = r.json()
    assert 0 <= j["spun_probability"] <= 1 and j["verdict"] in ("spun", "clean", "uncertain")
    assert all(SPUN[s["start"]:s["end"]] == s["text"] for s in j["spans"])


def test_bad_text_is_a_clear_client_error():
    assert client.post("/api/detect", json={"text": "   "}).status_code == 422
    r = client.post("/api/restore", json={"text": "Le gouvernement a annoncé un nouveau plan aujourd'hui pour tous."})
    assert r.status_code == 422 and "English" in r.json()["detail"]
    assert client.post("/api/detect", json={"nope": 1}).status_code == 422
