"""``python -m target_eloqua`` runs the target, as the ``target-eloqua`` command does."""

from target_eloqua.target import TargetEloqua

TargetEloqua.cli()
