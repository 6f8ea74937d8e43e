"""Employer services (服务台账) and service officers (用工专员): issue 18, parts 1 and 2."""
