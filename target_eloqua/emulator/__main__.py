"""``python -m target_eloqua.emulator``: serve an emulated Eloqua until SIGINT or SIGTERM. The first
line on stdout is the base URL (``http://127.0.0.1:PORT``), for both ``login_url`` and
``base_url``; requests are logged to stderr."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from target_eloqua.emulator.http.server import EmulatorServer
from target_eloqua.emulator.model.catalog import CatalogError, load_catalog
from target_eloqua.emulator.model.instance import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_COMPANY,
    DEFAULT_PASSWORD,
    DEFAULT_SITE_ID,
    DEFAULT_SYNC_SECONDS,
    DEFAULT_USERNAME,
    EloquaInstance,
)
from target_eloqua.emulator.model.logins import DEFAULT_TOKEN_SECONDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m target_eloqua.emulator",
        description="A local, in-memory Eloqua Bulk API 2.0 (login side and pod side on one URL).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    parser.add_argument(
        "--port", type=int, default=0, help="port to bind; 0 picks a free one (default %(default)s)"
    )
    parser.add_argument(
        "--site-id",
        type=int,
        default=DEFAULT_SITE_ID,
        help="the site (instance) id /id gives (default %(default)s)",
    )
    parser.add_argument(
        "--company", default=DEFAULT_COMPANY, help="site name (default %(default)s)"
    )
    parser.add_argument("--username", default=DEFAULT_USERNAME, help="user (default %(default)s)")
    parser.add_argument(
        "--password", default=DEFAULT_PASSWORD, help="password (default %(default)s)"
    )
    parser.add_argument(
        "--client-id", default=DEFAULT_CLIENT_ID, help="OAuth app id (default %(default)s)"
    )
    parser.add_argument(
        "--client-secret",
        default=DEFAULT_CLIENT_SECRET,
        help="OAuth app secret (default %(default)s)",
    )
    parser.add_argument(
        "--refresh-token",
        help="a refresh token the token endpoint accepts once (default: none; get one with the "
        "password grant)",
    )
    parser.add_argument(
        "--token-seconds",
        type=_non_negative_float,
        default=DEFAULT_TOKEN_SECONDS,
        help="lifetime of OAuth access tokens (default %(default)s)",
    )
    parser.add_argument(
        "--catalog", metavar="PATH", help="JSON catalog file (default: the packaged one)"
    )
    parser.add_argument(
        "--sync-seconds",
        type=_non_negative_float,
        default=DEFAULT_SYNC_SECONDS,
        help="how long a sync takes from creation to its final status (default %(default)s)",
    )
    parser.add_argument(
        "--seconds-per-record",
        type=_non_negative_float,
        default=0.0,
        help="added to a sync's duration per staged row (default %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        catalog = load_catalog(args.catalog)
    except CatalogError as exc:
        parser.error(str(exc))
    instance = EloquaInstance(
        catalog,
        site_id=args.site_id,
        company=args.company,
        username=args.username,
        password=args.password,
        sync_seconds=args.sync_seconds,
        seconds_per_record=args.seconds_per_record,
        client_id=args.client_id,
        client_secret=args.client_secret,
        refresh_token=args.refresh_token,
        token_seconds=args.token_seconds,
    )
    try:
        server = EmulatorServer(instance, host=args.host, port=args.port)
    except OSError as exc:
        parser.exit(1, f"{parser.prog}: cannot listen on {args.host}:{args.port}: {exc}\n")
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with server:
        print(server.url, flush=True)
        stopping.wait()
    return 0


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


if __name__ == "__main__":
    sys.exit(main())
