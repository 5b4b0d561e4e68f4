"""From a stream's mapping in the config to an import definition, and from a record to a row.

Pure functions over plain data: nothing here talks to Eloqua or knows of Singer messages.
``streams`` reads a mapping, ``resolve`` checks it against the fields Eloqua lists, ``definition``
makes its import definition, ``rows`` and ``values`` turn a record into the text Eloqua imports;
``entities`` and ``fields`` describe what a mapping points at.
"""
