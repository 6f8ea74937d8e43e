"""For Piccolo's own CLI run from the repository root (`piccolo migrations new APP --auto`).
The configuration lives in fairs/piccolo_conf.py, which the installed `fairs` command uses."""

from fairs.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
