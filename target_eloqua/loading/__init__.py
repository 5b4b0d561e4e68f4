"""What a run does with its batches: definitions, spooled rows, syncs in the background, reports.

Nothing here knows of Singer messages. ``run`` holds what one run shares; ``spool`` keeps a
batch's rows on disk; ``batch_job`` takes a drained batch through upload, sync, logs and rejects;
``pipeline`` runs the syncs in the order their links need and holds STATE back until they end;
``definitions``, ``preflight``, ``report``, ``rejects``, ``metrics``, ``run_files``,
``dry_run`` and ``github_actions`` serve them.
"""
