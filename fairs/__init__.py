"""fairs: plan, run and count a public employment bureau's recruitment fairs."""

import os

# Piccolo finds its engine and apps through this module wherever `fairs` runs from.
os.environ.setdefault("PICCOLO_CONF", "fairs.piccolo_conf")

__version__ = "0.1.0"
