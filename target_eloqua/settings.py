"""The settings target-eloqua takes (design.md section 3), as the SDK's config JSON Schema.

Their descriptions are what ``target-eloqua --about`` prints and what the README's settings
table and meltano.yml repeat.
"""

from __future__ import annotations

from singer_sdk import typing as th

from target_eloqua.mapping import SUPPORTED_ENTITIES

STREAM_MAPPING = th.ObjectType(
    th.Property(
        "entity",
        th.StringType,
        default="accounts",
        allowed_values=list(SUPPORTED_ENTITIES),
        description="What the stream imports into.",
    ),
    th.Property(
        "identifier",
        th.StringType,
        required=True,
        description="The stream property Eloqua matches existing records on "
        "(the definition's identifierFieldName). It must be one of `fields`.",
    ),
    th.Property(
        "fields",
        th.ObjectType(additional_properties=th.StringType),
        required=True,
        description="Stream property -> Eloqua field statement, "
        'e.g. {"company_name": "{{Account.Field(M_CompanyName)}}"}.',
    ),
    th.Property(
        "link_users",
        th.BooleanType,
        default=False,
        description="Accounts only: link users to accounts through "
        "{{Account.User.Field(...)}} fields (Eloqua's linkUsers).",
    ),
    additional_properties=False,
)

CONFIG_SCHEMA = th.PropertiesList(
    th.Property("company", th.StringType, description="Eloqua company (site) name."),
    th.Property("username", th.StringType, description="Eloqua user name."),
    th.Property("password", th.StringType, secret=True, description="That user's password."),
    th.Property(
        "login_url",
        th.StringType,
        default="https://login.eloqua.com",
        description="Where base URL discovery (/id) lives.",
    ),
    th.Property(
        "base_url",
        th.StringType,
        description="Pod URL such as https://secure.p03.eloqua.com; skips discovery.",
    ),
    th.Property(
        "streams",
        th.ObjectType(additional_properties=STREAM_MAPPING),
        required=True,
        description="Stream name -> how its records map to Eloqua (entity, identifier, "
        "fields, link_users).",
    ),
    th.Property(
        "load_method",
        th.StringType,
        default="upsert",
        allowed_values=["upsert"],
        description="Eloqua imports always upsert on each stream's identifier.",
    ),
    th.Property(
        "upload_format",
        th.StringType,
        default="csv",
        allowed_values=["csv", "json"],
        description="Body of the data uploads: CSV with a header row, or a JSON array.",
    ),
    th.Property(
        "poll_interval_seconds",
        th.NumberType,
        default=1,
        description="First wait between sync status checks; grows with backoff to 30 s.",
        exclusiveMinimum=0,
    ),
    th.Property(
        "sync_timeout_seconds",
        th.NumberType,
        default=3600,
        description="A sync not finished by then fails the run.",
        exclusiveMinimum=0,
    ),
).to_dict()
