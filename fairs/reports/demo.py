"""Demo data for this slice (to be built)."""


async def load(ctx) -> None:
    return None
