"""``python -m target_eloqua.emulator`` as a real process."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import requests

AUTH = ("Other\\bot", "s3cret")


def start(arguments: Sequence[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "target_eloqua.emulator", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def first_line(process: subprocess.Popen[str], timeout: float = 10) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the emulator printed nothing"
    return process.stdout.readline().strip()


def test_prints_its_url_first_serves_id_and_exits_0_on_sigterm() -> None:
    login = ["--site-id", "43", "--company", "Other", "--username", "bot", "--password", "s3cret"]
    login += ["--client-id", "app", "--client-secret", "app-secret", "--token-seconds", "60"]
    process = start(["--port", "0", "--sync-seconds", "0", *login])
    try:
        url = first_line(process)
        assert url.startswith("http://127.0.0.1:")
        assert int(url.rsplit(":", 1)[1]) > 0

        response = requests.get(url + "/id", auth=AUTH, timeout=5)
        assert response.json()["urls"]["base"] == url
        assert response.json()["site"] == {"id": 43, "name": "Other"}
        grant = {"grant_type": "password", "username": "Other\\bot", "password": "s3cret"}
        token = requests.post(
            url + "/auth/oauth2/token", json=grant, auth=("app", "app-secret"), timeout=5
        )
        assert token.json()["expires_in"] == 60
        headers = {"Authorization": "Bearer " + token.json()["access_token"]}
        assert (
            requests.get(url + "/API/Bulk/2.0/syncs", headers=headers, timeout=5).status_code == 200
        )

        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
        assert process.returncode == 0
        assert stdout == ""  # nothing after the URL: requests are logged to stderr
        assert "GET /id" in stderr
    finally:
        process.kill()
        process.communicate()


def test_serves_the_catalog_file_and_syncs_as_fast_as_told(tmp_path: Path) -> None:
    company = {
        "name": "Company Name",
        "internalName": "M_CompanyName",
        "dataType": "string",
        "statement": "{{Account.Field(M_CompanyName)}}",
        "uri": "/accounts/fields/100085",
    }
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"accounts": {"fields": [company]}}))
    process = start(["--host", "127.0.0.1", "--catalog", str(catalog), "--sync-seconds", "0"])
    try:
        bulk = first_line(process) + "/api/bulk/2.0"
        auth = ("ACME\\API.User", "emulator")
        fields = requests.get(bulk + "/accounts/fields", auth=auth, timeout=5).json()
        assert [f["internalName"] for f in fields["items"]] == ["M_CompanyName"]
        body = {"name": "a", "fields": {"c": company["statement"]}, "identifierFieldName": "c"}
        uri = requests.post(bulk + "/accounts/imports", json=body, auth=auth, timeout=5).json()
        sync = {"syncedInstanceUri": uri["uri"]}
        created = requests.post(bulk + "/syncs", json=sync, auth=auth, timeout=5).json()
        done = requests.get(bulk + created["uri"], auth=auth, timeout=5).json()
        assert done["status"] == "success"
    finally:
        process.kill()
        process.communicate()


def test_a_bad_catalog_is_a_usage_error() -> None:
    process = start(["--catalog", "/nonexistent/catalog.json"])
    try:
        _, stderr = process.communicate(timeout=10)
        assert process.returncode == 2
        assert "cannot read catalog /nonexistent/catalog.json" in stderr
    finally:
        process.kill()
        process.communicate()
