"""target-eloqua: a Singer target that loads data into Oracle Eloqua through the Bulk API 2.0.

The folders are the layers, each importing only those below it (``tests/test_layers.py``):
``bulk`` (the Bulk API client), ``errors``, ``mapping`` (pure functions), ``reading`` (the Singer
input) and ``loading`` (batches, syncs, reports), ``credentials`` and ``settings``, then
``sinks`` and ``target``, the only two modules that use singer-sdk's private names. The
``emulator`` is a local Eloqua, apart from the rest. See docs/development.md.
"""
