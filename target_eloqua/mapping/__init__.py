"""From a stream's mapping in the config to an import definition, and from a record to a row.

Pure functions over plain data: nothing here talks to Eloqua or knows of Singer messages.
``streams`` reads a mapping, ``schemas`` fits it to a stream's SCHEMA, ``resolve`` checks it
against the fields Eloqua lists, ``definition`` makes its import or sync-action definition,
``rows`` and ``values`` turn a record into the text Eloqua imports, ``readback`` compares what
Eloqua gives back with it; ``entities``, ``entity_rules``, ``fields`` and ``sync_actions``
describe what a mapping points at.
"""
