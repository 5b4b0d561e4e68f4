"""The Singer input: messages read with their place in the input, records checked and decoded.

``reader`` reads the messages; ``validation`` and ``timestamps`` check and parse records exactly
as singer-sdk does, at less cost; ``typed_records`` decodes the records of a plain stream from
their JSON straight into the values of their rows; ``bad_records`` names a record the target
cannot load by its place in the input.
"""
