"""Eloqua's HTTP Basic scheme: the user name is ``Company\\User``."""

from __future__ import annotations

import base64

import requests
from requests.auth import AuthBase


class EloquaBasicAuth(AuthBase):
    """Adds ``Authorization: Basic base64(Company\\User:password)`` to each request.

    The password is kept out of ``repr`` so that it cannot reach a log line by accident.
    """

    def __init__(self, company: str, username: str, password: str) -> None:
        self.company = company
        self.username = username
        token = f"{company}\\{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(token).decode("ascii")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"EloquaBasicAuth(company={self.company!r}, username={self.username!r})"
