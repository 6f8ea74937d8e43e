"""(to be built)"""

ROUTES: list = []
