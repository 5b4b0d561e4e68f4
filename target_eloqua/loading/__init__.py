"""What a run does with its batches: definitions, spooled rows, syncs in the background, reports.

Nothing here knows of Singer messages. ``run`` holds what one run shares; ``spool`` keeps a
batch's rows on disk; ``batch_job`` takes a drained batch through upload, sync, logs and rejects,
and ``verify`` reads back what it loaded; ``pipeline`` runs the syncs in the order their links
need, and ``checkpoints`` holds each STATE back until the batches before it are loaded;
``change_store`` leaves out rows loaded before; ``versions`` and ``mirror`` keep lists to what a
version sent; ``definitions``, ``preflight``, ``parallel``, ``report``, ``rejects``, ``metrics``,
``sdk_log``, ``run_files``, ``dry_run`` and ``github_actions`` serve them.
"""
